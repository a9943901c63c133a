import { authenticateApi } from "~/api/auth.server";
import { apiRoute } from "~/api/handle.server";
import { conflict, jobNotFound, jsonResponse } from "~/api/errors.server";
import { readBody } from "~/api/read-body.server";
import { cancelJob } from "~/jobs/cancel-job.server";
import { finalArtifacts, getOwnedJob } from "~/jobs/find-job.server";
import { serializeJob } from "~/jobs/serialize.server";
import { db } from "~/db.server";

const route = apiRoute({
  // POST /v1/jobs/{public_id}/cancel — 202 with the job as it is now; 409 once finished.
  POST: async ({ request, params }) => {
    const body = await readBody(request, 64 * 1024);
    const { shop } = await authenticateApi(request, body);
    const job = await getOwnedJob(shop, params.publicId ?? "");
    if (!job) throw jobNotFound();
    const outcome = await cancelJob(job.id);
    if (outcome === "finished") throw conflict(`Job already finished (status ${(await db().job.findUnique({ where: { id: job.id } }))?.status})`);
    const now = await db().job.findUniqueOrThrow({ where: { id: job.id } });
    return jsonResponse(202, await serializeJob(now, await finalArtifacts(job.id)));
  },
});
export const loader = route.loader;
export const action = route.action;
