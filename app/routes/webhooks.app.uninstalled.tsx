import type { ActionFunctionArgs } from "@remix-run/node";
import { authenticate } from "~/shopify.server";
import { db } from "~/db.server";
import { forgetInstalledShop } from "~/api/auth.server";
import { cancelUnfinishedJobs } from "~/jobs/cancel-job.server";
import { methodNotAllowed } from "~/api/errors.server";

export const action = async ({ request }: ActionFunctionArgs) => {
  const { shop, session } = await authenticate.webhook(request);
  // Webhooks can arrive more than once, or after the session is already gone.
  if (session) await db().session.deleteMany({ where: { shop } });
  forgetInstalledShop(shop);
  // Nobody will look at the results, and a FASHN render would still spend credits.
  await cancelUnfinishedJobs(shop);
  return new Response();
};

// Shopify only POSTs here; anything else is a 405 in the API's shape, not Remix's bare 400.
export const loader = () => methodNotAllowed("POST").toResponse();
