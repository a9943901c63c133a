import { authenticateApi } from "~/api/auth.server";
import { apiRoute } from "~/api/handle.server";
import { jobNotFound, jsonResponse } from "~/api/errors.server";
import { finalArtifacts, getOwnedJob } from "~/jobs/find-job.server";
import { serializeJob } from "~/jobs/serialize.server";

const route = apiRoute({
  // GET /v1/jobs/{public_id} — JobDetail.
  GET: async ({ request, params }) => {
    const { shop } = await authenticateApi(request);
    const job = await getOwnedJob(shop, params.publicId ?? "");
    if (!job) throw jobNotFound();
    return jsonResponse(200, await serializeJob(job, await finalArtifacts(job.id)));
  },
});
export const loader = route.loader;
export const action = route.action;
