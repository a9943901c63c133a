import type { ActionFunctionArgs } from "@remix-run/node";
import { authenticate } from "~/shopify.server";
import { db } from "~/db.server";
import { forgetInstalledShop } from "~/api/auth.server";

export const action = async ({ request }: ActionFunctionArgs) => {
  const { shop, session } = await authenticate.webhook(request);
  // Webhooks can arrive more than once, or after the session is already gone.
  if (session) await db().session.deleteMany({ where: { shop } });
  forgetInstalledShop(shop);
  return new Response();
};
