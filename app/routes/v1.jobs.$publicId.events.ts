import { authenticateApi } from "~/api/auth.server";
import { apiRoute } from "~/api/handle.server";
import { IssueList, jobNotFound, jsonResponse } from "~/api/errors.server";
import { intParam, singleQuery } from "~/api/params.server";
import { getOwnedJobRef } from "~/jobs/find-job.server";
import { readPublicTimeline } from "~/timeline/read-events.server";

const route = apiRoute({
  // GET /v1/jobs/{public_id}/events?since=N — the public timeline (seed page).
  GET: async ({ request, params }) => {
    const { shop } = await authenticateApi(request);
    const issues = new IssueList();
    const since = intParam(singleQuery(new URL(request.url), "since", issues), "query", "since", issues, { ge: 0 });
    issues.throwIfAny();
    // Ownership first: a foreign or unknown job 404s before any event is read.
    const job = await getOwnedJobRef(shop, params.publicId ?? "");
    if (!job) throw jobNotFound();
    return jsonResponse(200, await readPublicTimeline(job, since));
  },
});
export const loader = route.loader;
export const action = route.action;
