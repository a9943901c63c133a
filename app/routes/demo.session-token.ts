import type { ActionFunctionArgs } from "@remix-run/node";
import { env } from "~/env.server";
import { requireDemoMode } from "~/demo/demo-mode.server";
import { DEMO_SHOP } from "~/demo/demo-shop";
import { mintSessionToken } from "~/demo/session-token.server";

// POST /demo/session-token — the preview's stand-in for the admin handing App Bridge a session
// token. Local preview only (404 otherwise), and only for the demo shop.
export const action = ({ request }: ActionFunctionArgs) => {
  requireDemoMode();
  if (request.method !== "POST") return new Response("Method Not Allowed", { status: 405 });
  const config = env();
  const { token, expiresAt } = mintSessionToken({ shop: DEMO_SHOP, apiKey: config.SHOPIFY_API_KEY, secret: config.SHOPIFY_API_SECRET });
  return new Response(JSON.stringify({ token, expires_at: expiresAt }), {
    headers: { "Content-Type": "application/json", "Cache-Control": "no-store" },
  });
};

export const loader = () => {
  requireDemoMode();
  return new Response("Method Not Allowed", { status: 405 });
};
