import type { LoaderFunctionArgs } from "@remix-run/node";
import { handleApi } from "~/api/handle.server";
import { jobNotFound, jsonResponse, methodNotAllowed } from "~/api/errors.server";
import { authenticateProxy } from "~/storefront/proxy-auth.server";
import { publishedJob, STOREFRONT_CACHE } from "~/storefront/published-jobs.server";

// GET /proxy/jobs/{public_id}: one published job; unpublished, unfinished, foreign and
// unknown jobs are the same 404.
export const loader = ({ request, params }: LoaderFunctionArgs) =>
  handleApi(async () => {
    const { shop } = await authenticateProxy(request);
    const job = await publishedJob(shop, params.publicId ?? "");
    if (!job) throw jobNotFound();
    return jsonResponse(200, job, STOREFRONT_CACHE);
  });

export const action = () => handleApi(async () => { throw methodNotAllowed(); });
