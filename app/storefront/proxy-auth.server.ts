// The app proxy's door: Shopify signs every request it forwards from
// https://{shop}/apps/studio/* (hex `signature`, timestamp within 90 s); the library checks
// both, then loads the shop's offline session. Anything else is refused before a single row
// of Studio's is read.
import { InvalidShopError } from "@shopify/shopify-api";
import { authenticate } from "~/shopify.server";
import { ApiError } from "~/api/errors.server";
import { normalizeShopDomain } from "~/api/shop-domain";

export async function authenticateProxy(request: Request): Promise<{ shop: string }> {
  // (the library throws, not answers, on a shop that is not a shop domain: refuse it first)
  const raw = new URL(request.url).searchParams.get("shop");
  const shop = normalizeShopDomain(raw);
  if (!shop || shop !== raw) throw refused(INVALID_SHOP);
  let installed: boolean;
  try {
    installed = Boolean((await authenticate.public.appProxy(request)).session);
  } catch (error) {
    // The library answers a bad, missing or stale signature with a bare 400.
    if (error instanceof Response) throw refused("Invalid or stale app proxy signature");
    if (error instanceof InvalidShopError) throw refused(INVALID_SHOP);
    throw error;
  }
  if (!installed) throw refused("Studio is not installed on this shop");
  return { shop };
}

const INVALID_SHOP = "Invalid shop: expected a *.myshopify.com domain";

// 401 like /v1, without /v1's Bearer challenge: the storefront has no credential to offer.
const refused = (detail: string) => new ApiError(401, detail);
