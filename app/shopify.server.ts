import "@shopify/shopify-app-remix/adapters/node";
import { ApiVersion, AppDistribution, shopifyApp } from "@shopify/shopify-app-remix/server";
import { PrismaSessionStorage } from "@shopify/shopify-app-session-storage-prisma";
import { db } from "./db.server";
import { env } from "./env.server";
import { startBackgroundServices } from "./engine/background.server";
import { authenticatedOrRefused, verifiedWebhookOrRefused } from "./admin/auth-refusals.server";

const config = env();

export const apiVersion = ApiVersion.October25;

const shopify = shopifyApp({
  apiKey: config.SHOPIFY_API_KEY,
  apiSecretKey: config.SHOPIFY_API_SECRET,
  apiVersion,
  scopes: config.SCOPES.split(",").map((s) => s.trim()).filter(Boolean),
  appUrl: config.SHOPIFY_APP_URL,
  authPathPrefix: "/auth",
  sessionStorage: new PrismaSessionStorage(db()),
  distribution: AppDistribution.AppStore,
  future: { unstable_newEmbeddedAuthStrategy: true, expiringOfflineAccessTokens: true },
  ...(config.SHOP_CUSTOM_DOMAIN ? { customShopDomains: [config.SHOP_CUSTOM_DOMAIN] } : {}),
});

// The embedded default runs jobs in this process; scale-out runs `npm run worker` instead.
startBackgroundServices();

export default shopify;
export const addDocumentResponseHeaders = shopify.addDocumentResponseHeaders;
// (what the library throws instead of answering becomes a 4xx/503, not a 500)
export const authenticate = {
  ...shopify.authenticate,
  admin: ((request: Request) => authenticatedOrRefused(() => shopify.authenticate.admin(request))) as typeof shopify.authenticate.admin,
  webhook: ((request: Request) => verifiedWebhookOrRefused(() => shopify.authenticate.webhook(request))) as typeof shopify.authenticate.webhook,
};
export const unauthenticated = shopify.unauthenticated;
export const login = shopify.login;
export const registerWebhooks = shopify.registerWebhooks;
export const sessionStorage = shopify.sessionStorage;
