// The local preview (`npm run demo`) mints session tokens for its demo shop, so it must never be
// reachable on a real deployment: its routes exist only with STUDIO_DEMO=1, outside production,
// and with an app URL on this machine. Everywhere else they answer 404 like any unknown path.
import { env } from "~/env.server";
import { isLoopbackHost } from "./demo-shop";

export function isDemoMode(): boolean {
  const config = env();
  return config.STUDIO_DEMO && config.NODE_ENV !== "production" && isLoopbackHost(config.SHOPIFY_APP_URL);
}

export function requireDemoMode(): void {
  if (!isDemoMode()) throw new Response("Not Found", { status: 404, headers: { "Content-Type": "text/plain" } });
}

/** Where the app loads App Bridge from: the local stand-in in the preview, Shopify's CDN otherwise. */
export const DEMO_APP_BRIDGE_PATH = "/demo/app-bridge.js";

/**
 * Shopify's document headers only let the admin frame the app; the preview's shell is the app's
 * own /demo page, so it may frame it too. Nothing changes outside demo mode.
 */
export function adjustDocumentHeadersForDemo(headers: Headers): void {
  if (!isDemoMode()) return;
  headers.set("Content-Security-Policy", "frame-ancestors 'self';");
  // The preload hint points at Shopify's App Bridge, which the preview does not load.
  headers.delete("Link");
}
