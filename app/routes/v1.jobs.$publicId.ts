import type { LoaderFunctionArgs } from "@remix-run/node";
import { authenticateApi } from "~/api/auth.server";
import { handleApi } from "~/api/handle.server";
import { jobNotFound, jsonResponse, methodNotAllowed } from "~/api/errors.server";
import { finalArtifacts, getOwnedJob } from "~/jobs/find-job.server";
import { serializeJob } from "~/jobs/serialize.server";

// GET /v1/jobs/{public_id} — JobDetail.
export const loader = ({ request, params }: LoaderFunctionArgs) =>
  handleApi(async () => {
    const { shop } = await authenticateApi(request);
    const job = await getOwnedJob(shop, params.publicId ?? "");
    if (!job) throw jobNotFound();
    return jsonResponse(200, await serializeJob(job, await finalArtifacts(job.id)));
  });

export const action = () => handleApi(async () => { throw methodNotAllowed(); });
