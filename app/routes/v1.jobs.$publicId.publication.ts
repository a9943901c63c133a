import { authenticateApi } from "~/api/auth.server";
import { apiRoute, type RouteArgs } from "~/api/handle.server";
import { conflict, jobNotFound, jsonResponse } from "~/api/errors.server";
import { readBody } from "~/api/read-body.server";
import { getOwnedJob } from "~/jobs/find-job.server";
import { serializePublication, setPublished } from "~/jobs/publication.server";

// PUT publishes (409 unless the job succeeded), DELETE unpublishes; both answer the Publication.
async function publish({ request, params }: RouteArgs) {
  const body = await readBody(request, 64 * 1024);
  const { shop } = await authenticateApi(request, body);
  const outcome = await setPublished(shop, params.publicId ?? "", request.method === "PUT");
  if (!outcome.ok && outcome.reason === "not_found") throw jobNotFound();
  if (!outcome.ok) throw conflict(`Only a succeeded job can be published (status ${outcome.status})`);
  return jsonResponse(200, serializePublication(outcome.job));
}

const route = apiRoute({
  // GET /v1/jobs/{public_id}/publication — whether the storefront shows the job's finals.
  GET: async ({ request, params }) => {
    const { shop } = await authenticateApi(request);
    const job = await getOwnedJob(shop, params.publicId ?? "");
    if (!job) throw jobNotFound();
    return jsonResponse(200, serializePublication(job));
  },
  PUT: publish,
  DELETE: publish,
});
export const loader = route.loader;
export const action = route.action;
