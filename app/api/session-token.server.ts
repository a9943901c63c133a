// Shopify's own session-token verification (HS256 only, exp/nbf with Shopify's clock
// tolerance, aud = our API key). shopifyApp() does not expose its inner API object, so
// the /v1 surface keeps a small shopify-api instance configured the same way.
// The web-api adapter, like shopifyApp()'s own: adapters are process-wide, and the node one
// would make the library read Remix's Fetch requests as Node requests (no headers at all),
// so every webhook would fail its HMAC check.
import "@shopify/shopify-api/adapters/web-api";
import { LogSeverity, shopifyApi } from "@shopify/shopify-api";
import { env } from "~/env.server";
import { apiVersion } from "~/shopify.server";

const config = env();

const api = shopifyApi({
  apiKey: config.SHOPIFY_API_KEY,
  apiSecretKey: config.SHOPIFY_API_SECRET,
  apiVersion,
  hostName: new URL(config.SHOPIFY_APP_URL).host,
  hostScheme: new URL(config.SHOPIFY_APP_URL).protocol === "http:" ? "http" : "https",
  isEmbeddedApp: true,
  logger: { level: LogSeverity.Error },
});

export const decodeSessionToken = (token: string) => api.session.decodeSessionToken(token);
export const offlineSessionId = (shop: string) => api.session.getOfflineId(shop);
