// Run again: a new job with the same kind, options, product and source as one of the shop's
// jobs. The source is the one stored with the job (its upload, or its Shopify CDN URL), and
// the options go through the kind's validation again, exactly as a new request would.
import { ApiError } from "~/api/errors.server";
import { appBlobStore } from "~/storage/app-blob-store.server";
import { BlobNotFoundError } from "~/storage/blob-store.server";
import { pipelineFor } from "~/pipelines/index.server";
import { createJob, type JobSource } from "./create-job.server";
import { getOwnedJob } from "./find-job.server";
import { validateJobOptions } from "./job-options.server";
import { inspectSourceImage } from "./source-image.server";

export type RerunResult =
  | { ok: true; job: Awaited<ReturnType<typeof createJob>>["job"] }
  | { ok: false; reason: "not_found" | "unavailable" | "invalid_options" | "no_source"; message: string };

export async function rerunJob(shop: string, publicId: string, options: { idempotencyKey?: string | null } = {}): Promise<RerunResult> {
  const job = await getOwnedJob(shop, publicId);
  if (!job) return { ok: false, reason: "not_found", message: "Job not found" };
  const pipeline = pipelineFor(job.kind);
  if (!pipeline) return { ok: false, reason: "unavailable", message: "Jobs of this kind aren't available right now." };

  const checked = await validateJobOptions(pipeline, shop, JSON.parse(job.options) as Record<string, unknown>);
  if (!checked.options || checked.issues.length) {
    const detail = checked.issues.map((issue) => `${issue.path.join(".") || "options"}: ${issue.msg}`).join("; ");
    return { ok: false, reason: "invalid_options", message: `This job's options are no longer valid (${detail}). Create a new job instead.` };
  }

  let source: JobSource;
  if (job.sourceUrl) {
    source = { type: "url", url: job.sourceUrl, name: job.sourceName };
  } else if (job.sourceKey) {
    let bytes: Buffer;
    try {
      bytes = await appBlobStore().get(job.sourceKey);
    } catch (error) {
      if (error instanceof BlobNotFoundError) return { ok: false, reason: "no_source", message: "The original image is no longer stored. Upload it again in a new job." };
      throw error;
    }
    try {
      source = { type: "upload", bytes, info: await inspectSourceImage(bytes, ["body", "image"]), filename: job.sourceName };
    } catch (error) {
      if (error instanceof ApiError) return { ok: false, reason: "no_source", message: `The original image can't be used again: ${error.message}` };
      throw error;
    }
  } else {
    return { ok: false, reason: "no_source", message: "This job has no stored source image." };
  }

  try {
    const { job: created } = await createJob({
      shop,
      kind: job.kind,
      options: checked.options,
      productId: job.productId,
      source,
      idempotencyKey: options.idempotencyKey ?? null,
    });
    return { ok: true, job: created };
  } catch (error) {
    // (its model deleted between the check above and the new job's write)
    if (error instanceof ApiError && error.status === 422) {
      return { ok: false, reason: "invalid_options", message: "This job's model was just deleted. Create a new job instead." };
    }
    throw error;
  }
}
