import { apiRoute } from "~/api/handle.server";
import { jsonResponse, validationFailed } from "~/api/errors.server";
import { authenticateProxy } from "~/storefront/proxy-auth.server";
import { publishedJobsForProduct, STOREFRONT_CACHE } from "~/storefront/published-jobs.server";
import { PRODUCT_GID } from "~/jobs/job-kinds";

const route = apiRoute({
  // GET /proxy/products/{product_id} (the storefront's /apps/studio/products/{id}): the
  // product's published jobs. {product_id} is the numeric id Liquid prints, or the full gid.
  GET: async ({ request, params }) => {
    const { shop } = await authenticateProxy(request);
    const raw = params.productId ?? "";
    const productId = /^\d+$/.test(raw) ? `gid://shopify/Product/${raw}` : raw;
    if (!PRODUCT_GID.test(productId)) {
      throw validationFailed([{ loc: ["path", "product_id"], msg: "Expected a product id (N or gid://shopify/Product/N)", type: "value_error", input: raw }]);
    }
    const jobs = await publishedJobsForProduct(shop, productId);
    return jsonResponse(200, { product_id: productId, jobs }, STOREFRONT_CACHE);
  },
});
export const loader = route.loader;
export const action = route.action;
