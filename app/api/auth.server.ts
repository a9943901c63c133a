// Resolves a /v1 request to exactly one shop, by Bearer session token or by
// X-Shopify-Hmac-Sha256 (contract § Authentication). Everything downstream is scoped to it.
import { createHmac, timingSafeEqual } from "node:crypto";
import { sessionStorage } from "~/shopify.server";
import { decodeSessionToken, offlineSessionId } from "./session-token.server";
import { env } from "~/env.server";
import { unauthorized } from "./errors.server";
import { hmacMessage } from "./hmac-signature";
import { normalizeShopDomain } from "./shop-domain";

export type ApiPrincipal = { shop: string; via: "session_token" | "hmac" };

const HMAC_MAX_SKEW_SECONDS = 90;
const INSTALLED_CACHE_MS = 30_000;
const installedUntil = new Map<string, number>();

/**
 * `rawBody` is the exact request body (empty for GET); the HMAC covers it byte for byte,
 * so routes read the body once, before parsing, and pass it here.
 */
export async function authenticateApi(request: Request, rawBody: Uint8Array = new Uint8Array()): Promise<ApiPrincipal> {
  const authorization = request.headers.get("authorization");
  if (authorization !== null) return bySessionToken(authorization);
  const signature = request.headers.get("x-shopify-hmac-sha256");
  if (signature !== null) return byHmac(request, signature, rawBody);
  throw unauthorized("Not authenticated: send Authorization: Bearer <session token> or X-Shopify-Hmac-Sha256");
}

async function bySessionToken(authorization: string): Promise<ApiPrincipal> {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  if (!match) throw unauthorized("Invalid Authorization header: expected 'Bearer <session token>'");
  let payload: { dest?: unknown; exp?: unknown };
  try {
    // HS256 only, exp/nbf checked (10 s clock tolerance), aud must be our API key.
    payload = await decodeSessionToken(match[1]);
  } catch {
    throw unauthorized("Invalid session token");
  }
  // The library checks exp only when present; a token without one would never expire.
  if (typeof payload.exp !== "number") throw unauthorized("Invalid session token: no expiry");
  let shop: string | null = null;
  try {
    shop = normalizeShopDomain(new URL(String(payload.dest)).hostname);
  } catch {
    shop = null;
  }
  if (!shop) throw unauthorized("Invalid session token: dest is not a shop");
  if (!(await isInstalled(shop))) throw unauthorized("Studio is not installed on this shop");
  return { shop, via: "session_token" };
}

/** A shop with a stored offline session has installed the app; cached briefly to keep polls cheap. */
async function isInstalled(shop: string): Promise<boolean> {
  const now = Date.now();
  if ((installedUntil.get(shop) ?? 0) > now) return true;
  const session = await sessionStorage.loadSession(offlineSessionId(shop));
  if (!session) return false;
  installedUntil.set(shop, now + INSTALLED_CACHE_MS);
  return true;
}

/** Called by the app/uninstalled webhook so an uninstalled shop's tokens stop working at once. */
export function forgetInstalledShop(shop: string) {
  installedUntil.delete(shop);
}

function byHmac(request: Request, signature: string, rawBody: Uint8Array): ApiPrincipal {
  const url = new URL(request.url);
  const shops = url.searchParams.getAll("shop");
  const timestamps = url.searchParams.getAll("timestamp");
  if (shops.length !== 1 || timestamps.length !== 1) {
    throw unauthorized("HMAC requests need exactly one shop and one timestamp query parameter");
  }
  const shop = normalizeShopDomain(shops[0]);
  if (!shop || shop !== shops[0]) throw unauthorized("Invalid shop: expected a *.myshopify.com domain");
  const timestamp = Number(timestamps[0]);
  if (!/^\d+$/.test(timestamps[0]) || Math.abs(Date.now() / 1000 - timestamp) > HMAC_MAX_SKEW_SECONDS) {
    throw unauthorized("Stale or invalid timestamp");
  }
  const expected = createHmac("sha256", env().SHOPIFY_API_SECRET)
    .update(hmacMessage(request.method, url.pathname, url.search, rawBody))
    .digest();
  const given = Buffer.from(signature.trim(), "base64");
  // Length differs only for garbage; timingSafeEqual needs equal lengths.
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw unauthorized("Invalid HMAC signature");
  }
  return { shop, via: "hmac" };
}
