// What Shopify does when it forwards https://{shop}/apps/studio/* to the app: it adds shop,
// path_prefix, timestamp and logged_in_customer_id, and signs them (hex HMAC-SHA256 of the
// parameters sorted by key, each written key=value with repeated values joined by commas,
// concatenated with no separator). Written from Shopify's documentation, independently of
// the library the app uses to check it.
import { createHmac } from "node:crypto";
import { API_SECRET, SHOP } from "./constants";

export interface ProxySigning {
  shop?: string;
  /** Unix seconds; default now. */
  timestamp?: number;
  secret?: string;
  customerId?: string;
}

export function proxyUrl(base: string, path: string, signing: ProxySigning = {}): URL {
  return signAsShopify(new URL(base + path), signing);
}

/** Adds Shopify's parameters and signature to a URL that may already carry the customer's query. */
export function signAsShopify(url: URL, signing: ProxySigning = {}): URL {
  url.searchParams.set("shop", signing.shop ?? SHOP);
  url.searchParams.set("logged_in_customer_id", signing.customerId ?? "");
  url.searchParams.set("path_prefix", "/apps/studio");
  url.searchParams.set("timestamp", String(signing.timestamp ?? Math.floor(Date.now() / 1000)));
  url.searchParams.set("signature", proxySignature(url.searchParams, signing.secret ?? API_SECRET));
  return url;
}

export function proxySignature(params: URLSearchParams, secret = API_SECRET): string {
  const values = new Map<string, string[]>();
  for (const [key, value] of params) {
    if (key === "signature") continue;
    values.set(key, [...(values.get(key) ?? []), value]);
  }
  const message = [...values.keys()]
    .sort()
    .map((key) => `${key}=${values.get(key)!.join(",")}`)
    .join("");
  return createHmac("sha256", secret).update(message).digest("hex");
}
