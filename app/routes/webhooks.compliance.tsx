import type { ActionFunctionArgs } from "@remix-run/node";
import { authenticate } from "~/shopify.server";
import { eraseShopData } from "~/privacy/erase-shop.server";
import { forgetInstalledShop } from "~/api/auth.server";
import { methodNotAllowed } from "~/api/errors.server";

// Shopify's mandatory compliance webhooks (shopify.app.toml: compliance_topics). The library
// refuses a bad HMAC (401) before this runs.
export const action = async ({ request }: ActionFunctionArgs) => {
  const { topic, shop } = await authenticate.webhook(request);
  if (topic === "SHOP_REDACT") {
    forgetInstalledShop(shop);
    const erased = await eraseShopData(shop);
    console.info(`[privacy] shop/redact for ${shop}: erased ${erased.jobs} jobs, ${erased.models} models, ${erased.blobs} blobs`);
  }
  // customers/data_request and customers/redact: Studio stores nothing about a shop's
  // customers (no ids, names, orders), so there is nothing to report or erase.
  return new Response();
};

// Shopify only POSTs here; anything else is a 405 in the API's shape, not Remix's bare 400.
export const loader = () => methodNotAllowed("POST").toResponse();
