import type { ActionFunctionArgs } from "@remix-run/node";
import { authenticate } from "~/shopify.server";
import { db } from "~/db.server";
import { methodNotAllowed } from "~/api/errors.server";

export const action = async ({ request }: ActionFunctionArgs) => {
  const { payload, session } = await authenticate.webhook(request);
  const current = (payload as { current?: string[] }).current;
  if (session && current) {
    await db().session.update({ where: { id: session.id }, data: { scope: current.toString() } });
  }
  return new Response();
};

// Shopify only POSTs here; anything else is a 405 in the API's shape, not Remix's bare 400.
export const loader = () => methodNotAllowed("POST").toResponse();
