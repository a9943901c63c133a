/** Only Shopify's own CDN may be fetched (no SSRF into the app's network). */
export function isAllowedSourceUrl(raw: string): boolean {
  try {
    const url = new URL(raw);
    return url.protocol === "https:" && url.hostname === "cdn.shopify.com" && url.port === "" && !url.username && !url.password;
  } catch {
    return false;
  }
}
