// Clients for both auth paths, as an outside caller would use them.
import { getJwt } from "@shopify/shopify-api/test-helpers";
import { signRequest } from "~/api/hmac-signature";
import { API_KEY, API_SECRET, SHOP } from "./constants";

export async function sessionToken(shop = SHOP, overrides: Record<string, unknown> = {}, secret = API_SECRET, apiKey = API_KEY) {
  const { token } = await getJwt(shop.replace(".myshopify.com", ""), apiKey, secret, overrides);
  return token;
}

export async function bearerFetch(base: string, path: string, init: RequestInit & { shop?: string } = {}) {
  const headers = new Headers(init.headers);
  headers.set("Authorization", `Bearer ${await sessionToken(init.shop ?? SHOP)}`);
  return fetch(base + path, { ...init, headers });
}

/** Signs METHOD/PATH/QUERY/BODY the way the contract defines (adds shop + timestamp). */
export async function hmacFetch(
  base: string,
  path: string,
  init: { method?: string; body?: Uint8Array | string; headers?: HeadersInit; shop?: string; secret?: string; timestamp?: number } = {},
) {
  const url = new URL(base + path);
  url.searchParams.set("shop", init.shop ?? SHOP);
  url.searchParams.set("timestamp", String(init.timestamp ?? Math.floor(Date.now() / 1000)));
  const method = init.method ?? "GET";
  const body: Uint8Array<ArrayBuffer> = typeof init.body === "string" ? new TextEncoder().encode(init.body) : new Uint8Array(init.body ?? []);
  const headers = new Headers(init.headers);
  headers.set("X-Shopify-Hmac-Sha256", signRequest(init.secret ?? API_SECRET, method, url.pathname, url.search, body));
  return fetch(url, { method, headers, body: method === "GET" || method === "HEAD" ? undefined : new Uint8Array(body) });
}

export async function waitFor<T>(probe: () => Promise<T | undefined | null | false>, timeoutMs = 60_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error("waitFor: timed out");
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
