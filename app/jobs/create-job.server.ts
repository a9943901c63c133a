// Creating a job: validate everything first, store the source, then write the job row and
// its `queued` event in one transaction. A refused request stores nothing; a repeated
// Idempotency-Key returns the job it created the first time.
import { monotonicFactory } from "ulid";
import { db } from "~/db.server";
import { appendEventTx } from "~/timeline/append-event.server";
import { appBlobStore } from "~/storage/app-blob-store.server";
import { jobBlobKey } from "~/storage/keys.server";
import { jobQueue } from "~/engine/job-queue.server";
import type { SourceImageInfo } from "./source-image.server";
import { BUILTIN_PREFIX, holdModel, UNKNOWN_MODEL } from "~/models/model-library.server";
import { validationFailed } from "~/api/errors.server";

const nextUlid = monotonicFactory();

export type JobSource =
  | { type: "upload"; bytes: Buffer; info: SourceImageInfo; filename: string | null }
  | { type: "url"; url: string; /** Shown instead of the URL's file name, e.g. the product's title. */ name?: string | null };

export interface CreateJobInput {
  shop: string;
  kind: string;
  /** Already validated and defaulted by the kind's options schema. */
  options: Record<string, unknown>;
  productId: string | null;
  source: JobSource;
  idempotencyKey: string | null;
}

export async function findByIdempotencyKey(shop: string, key: string) {
  return db().job.findUnique({ where: { shop_idempotencyKey: { shop, idempotencyKey: key } } });
}

export async function createJob(input: CreateJobInput) {
  if (input.idempotencyKey) {
    const existing = await findByIdempotencyKey(input.shop, input.idempotencyKey);
    if (existing) return { job: existing, created: false };
  }
  const publicId = nextUlid();
  let sourceKey: string | null = null;
  if (input.source.type === "upload") {
    sourceKey = jobBlobKey(input.shop, publicId, `upload.${input.source.info.format === "jpeg" ? "jpg" : input.source.info.format}`);
    await appBlobStore().put(sourceKey, input.source.bytes, { contentType: input.source.info.contentType });
  }
  const sourceName =
    input.source.type === "upload"
      ? input.source.filename
      : input.source.name || fileNameOf(input.source.url);
  try {
    const job = await db().$transaction(async (tx) => {
      // (a model deleted since the options were validated: refused as they would be now)
      const model = customModelOf(input);
      if (model && !(await holdModel(tx, input.shop, model))) {
        throw validationFailed([{ loc: ["body", "options", "model"], msg: UNKNOWN_MODEL, type: "value_error" }]);
      }
      const job = await tx.job.create({
        data: {
          publicId,
          shop: input.shop,
          kind: input.kind,
          options: JSON.stringify(input.options),
          productId: input.productId,
          sourceKey,
          sourceUrl: input.source.type === "url" ? input.source.url : null,
          sourceName: sourceName || null,
          idempotencyKey: input.idempotencyKey,
        },
      });
      const { seq } = await appendEventTx(tx, job.id, { type: "queued", visibility: "public", message: "Queued" });
      return { ...job, lastSeq: seq, latestPublicSeq: seq };
    });
    // Committed: from here on the source belongs to the job. If the enqueue fails, the
    // workers' sweep still finds the queued job.
    await (await jobQueue()).enqueue(job.id).catch((error) => console.error(`[jobs] enqueue of ${publicId} failed:`, error));
    return { job, created: true };
  } catch (error) {
    if (sourceKey) await appBlobStore().delete(sourceKey).catch(() => undefined);
    // Two requests with one Idempotency-Key raced: the loser returns the winner's job.
    if (input.idempotencyKey && (error as { code?: unknown } | null)?.code === "P2002") {
      const existing = await findByIdempotencyKey(input.shop, input.idempotencyKey);
      if (existing) return { job: existing, created: false };
    }
    throw error;
  }
}

/** The shop's own model an on_model_render job will use (built-ins cannot be deleted). */
function customModelOf(input: CreateJobInput): string | null {
  const model = input.options.model;
  return input.kind === "on_model_render" && typeof model === "string" && !model.startsWith(BUILTIN_PREFIX) ? model : null;
}

/** The URL's last path segment, decoded for display (as sent where its %-escapes are not UTF-8). */
function fileNameOf(url: string): string {
  const last = new URL(url).pathname.split("/").pop() ?? "";
  try {
    return decodeURIComponent(last);
  } catch {
    return last;
  }
}
