import { requireDemoMode } from "~/demo/demo-mode.server";
import { DEMO_HOST, DEMO_SHOP } from "~/demo/demo-shop";
import shell from "~/demo/shell.html?raw";

// GET /demo — a minimal Shopify admin frame around the embedded app (local preview only).
export const loader = () => {
  requireDemoMode();
  const html = shell
    .replaceAll("__STUDIO_DEMO_SHOP__", DEMO_SHOP)
    .replaceAll("__STUDIO_DEMO_HOST__", DEMO_HOST)
    .replaceAll("__STUDIO_DEMO_STORE__", DEMO_SHOP.replace(".myshopify.com", ""));
  return new Response(html, {
    headers: { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store", "X-Frame-Options": "DENY" },
  });
};
