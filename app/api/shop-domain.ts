/** A shop's canonical `*.myshopify.com` domain, or null. */
export function normalizeShopDomain(raw: string | null | undefined): string | null {
  if (!raw) return null;
  const shop = raw.trim().toLowerCase();
  return /^[a-z0-9][a-z0-9-]*\.myshopify\.com$/.test(shop) ? shop : null;
}
