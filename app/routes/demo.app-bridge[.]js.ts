import { requireDemoMode } from "~/demo/demo-mode.server";
import standIn from "~/demo/app-bridge-stand-in.js?raw";

// GET /demo/app-bridge.js — the preview's stand-in for Shopify's App Bridge script (local preview only).
export const loader = () => {
  requireDemoMode();
  return new Response(standIn, {
    headers: { "Content-Type": "text/javascript; charset=utf-8", "Cache-Control": "no-store" },
  });
};
