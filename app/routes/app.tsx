import type { HeadersFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, Outlet, useLoaderData, useRouteError } from "@remix-run/react";
import { boundary } from "@shopify/shopify-app-remix/server";
import { AppProvider } from "@shopify/shopify-app-remix/react";
import { NavMenu } from "@shopify/app-bridge-react";
import polarisStyles from "@shopify/polaris/build/esm/styles.css?url";
import studioStyles from "~/components/studio.css?url";
import { authenticate } from "~/shopify.server";
import { DEMO_APP_BRIDGE_PATH, isDemoMode } from "~/demo/demo-mode.server";

export const links = () => [
  { rel: "stylesheet", href: polarisStyles },
  { rel: "stylesheet", href: studioStyles },
];

export const meta: MetaFunction = () => [{ title: "Studio" }];

export const loader = async ({ request }: LoaderFunctionArgs) => {
  await authenticate.admin(request);
  // The local preview (`npm run demo`) loads a stand-in for App Bridge; everywhere else, Shopify's.
  return { apiKey: process.env.SHOPIFY_API_KEY || "", appBridgeUrl: isDemoMode() ? DEMO_APP_BRIDGE_PATH : undefined };
};

export default function App() {
  const { apiKey, appBridgeUrl } = useLoaderData<typeof loader>();
  return (
    <AppProvider isEmbeddedApp apiKey={apiKey} {...(appBridgeUrl ? { __APP_BRIDGE_URL: appBridgeUrl } : {})}>
      <NavMenu>
        <Link to="/app" rel="home">
          Jobs
        </Link>
        <Link to="/app/jobs/new">New job</Link>
      </NavMenu>
      <Outlet />
    </AppProvider>
  );
}

// Shopify needs Remix to catch some thrown responses so that their headers are included.
export function ErrorBoundary() {
  return boundary.error(useRouteError());
}

export const headers: HeadersFunction = (headersArgs) => boundary.headers(headersArgs);
