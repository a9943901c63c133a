import { authenticateApi } from "~/api/auth.server";
import { apiRoute } from "~/api/handle.server";
import { IssueList, jsonResponse } from "~/api/errors.server";
import { enumParam, intParam, patternParam, singleQuery } from "~/api/params.server";
import { readBody } from "~/api/read-body.server";
import { MAX_CREATE_BODY_BYTES, parseCreateJobRequest } from "~/api/create-job-request.server";
import { createJob } from "~/jobs/create-job.server";
import { listJobs } from "~/jobs/list-jobs.server";
import { JOB_KINDS, JOB_STATUSES, PRODUCT_GID, ULID_PATTERN } from "~/jobs/job-kinds";
import { serializeJob } from "~/jobs/serialize.server";
import { finalArtifacts } from "~/jobs/find-job.server";
import { MAX_SOURCE_SIZE } from "~/jobs/source-image.server";

const route = apiRoute({
  // GET /v1/jobs — the shop's jobs, newest first, cursor-paginated.
  GET: async ({ request }) => {
    const { shop } = await authenticateApi(request);
    const url = new URL(request.url);
    const issues = new IssueList();
    const status = enumParam(singleQuery(url, "status", issues), "query", "status", JOB_STATUSES, issues);
    const kind = enumParam(singleQuery(url, "kind", issues), "query", "kind", JOB_KINDS, issues);
    const productId = patternParam(singleQuery(url, "product_id", issues), "query", "product_id", PRODUCT_GID, issues);
    const cursor = patternParam(singleQuery(url, "cursor", issues), "query", "cursor", ULID_PATTERN, issues);
    const limit = intParam(singleQuery(url, "limit", issues), "query", "limit", issues, { ge: 1, le: 100 }) ?? 20;
    issues.throwIfAny();
    const page = await listJobs({ shop, status, kind, productId, cursor, limit });
    const jobs = await Promise.all(page.jobs.map((job) => serializeJob(job, job.artifacts)));
    return jsonResponse(200, { jobs, next_cursor: page.nextCursor });
  },
  // POST /v1/jobs — create a job from an upload or an allowlisted Shopify CDN URL.
  POST: async ({ request }) => {
    const body = await readBody(request, MAX_CREATE_BODY_BYTES, MAX_SOURCE_SIZE);
    const { shop } = await authenticateApi(request, body);
    const input = await parseCreateJobRequest(request, body, shop);
    const { job, created } = await createJob(input);
    return jsonResponse(201, await serializeJob(job, await finalArtifacts(job.id)), created ? {} : { "Idempotent-Replayed": "true" });
  },
});
export const loader = route.loader;
export const action = route.action;
