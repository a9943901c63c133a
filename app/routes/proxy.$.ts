import type { LoaderFunctionArgs } from "@remix-run/node";
import { handleApi } from "~/api/handle.server";
import { notFound } from "~/api/errors.server";
import { authenticateProxy } from "~/storefront/proxy-auth.server";

// Any other /proxy path: refused unless signed (like every proxy route), then a JSON 404.
export const loader = ({ request }: LoaderFunctionArgs) =>
  handleApi(async () => {
    await authenticateProxy(request);
    throw notFound();
  });
export const action = loader;
