// The local preview's shop (`npm run demo`). Shared by the server, scripts/demo.ts and the tests.
export const DEMO_SHOP = "studio-demo.myshopify.com";

/** App Bridge's `host` parameter for a shop: base64 of the admin URL the app is embedded in. */
export function hostParam(shop: string): string {
  return Buffer.from(`admin.shopify.com/store/${shop.replace(".myshopify.com", "")}`).toString("base64").replace(/=+$/, "");
}

export const DEMO_HOST = hostParam(DEMO_SHOP);

/** True for names and addresses that only reach this machine. */
export function isLoopbackHost(raw: string): boolean {
  let host = raw.trim().toLowerCase();
  if (host.includes("://")) {
    try {
      host = new URL(host).hostname;
    } catch {
      return false;
    }
  }
  host = host.replace(/^\[(.*)\]$/, "$1");
  if (host === "localhost" || host.endsWith(".localhost") || host === "::1") return true;
  const v4 = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  return v4 !== null && v4.slice(1).every((part) => Number(part) <= 255);
}
