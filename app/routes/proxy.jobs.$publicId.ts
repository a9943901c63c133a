import { apiRoute } from "~/api/handle.server";
import { jobNotFound, jsonResponse } from "~/api/errors.server";
import { authenticateProxy } from "~/storefront/proxy-auth.server";
import { publishedJob, STOREFRONT_CACHE } from "~/storefront/published-jobs.server";

const route = apiRoute({
  // GET /proxy/jobs/{public_id}: one published job; unpublished, unfinished, foreign and
  // unknown jobs are the same 404.
  GET: async ({ request, params }) => {
    const { shop } = await authenticateProxy(request);
    const job = await publishedJob(shop, params.publicId ?? "");
    if (!job) throw jobNotFound();
    return jsonResponse(200, job, STOREFRONT_CACHE);
  },
});
export const loader = route.loader;
export const action = route.action;
