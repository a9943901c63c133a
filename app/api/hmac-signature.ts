// The canonical message of the X-Shopify-Hmac-Sha256 path (contract § Authentication 2).
// Shared by the server check and by its reference client, the CLI.
import { createHmac } from "node:crypto";

const EXCLUDED = new Set(["hmac", "signature"]);

/** Every query parameter except hmac/signature, decoded, sorted by key then value (code units). */
export function canonicalQuery(search: string | URLSearchParams): string {
  const params = typeof search === "string" ? new URLSearchParams(search) : search;
  const pairs: [string, string][] = [];
  for (const [key, value] of params) if (!EXCLUDED.has(key)) pairs.push([key, value]);
  pairs.sort(([ak, av], [bk, bv]) => (ak < bk ? -1 : ak > bk ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  return pairs.map(([k, v]) => `${k}=${v}`).join("&");
}

export function hmacMessage(method: string, pathname: string, search: string, body: Uint8Array): Buffer {
  const head = `${method.toUpperCase()}\n${pathname}\n${canonicalQuery(search)}\n`;
  return Buffer.concat([Buffer.from(head, "utf8"), body]);
}

export function signRequest(secret: string, method: string, pathname: string, search: string, body: Uint8Array): string {
  return createHmac("sha256", secret).update(hmacMessage(method, pathname, search, body)).digest("base64");
}
