// Runs one job through its pipeline: claim → stages (with retries, cancel checks, a time
// limit and a renewed lease) → exactly one terminal event. Safe to call on a job that a
// dead worker left half done: it resumes after the last finished stage.
import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { db } from "~/db.server";
import { env } from "~/env.server";
import { appendEvent, appendEventTx, appendInternal } from "~/timeline/append-event.server";
import type { CostExtra, ErrorExtra } from "~/timeline/event-types";
import { appBlobStore, deleteBlobs } from "~/storage/app-blob-store.server";
import { jobBlobKey } from "~/storage/keys.server";
import { makePreview } from "~/imaging/preview.server";
import { pipelineFor } from "~/pipelines/index.server";
import { StageError } from "~/pipelines/stage-error";
import { UNIT_PRICE_USD, type NewArtifact, type StageContext, type StageDefinition, type StageNote } from "~/pipelines/pipeline";
import { claimJob, renewLease } from "./lease.server";

type JobRow = NonNullable<Awaited<ReturnType<typeof loadJob>>>;

class LeaseLostError extends Error {}

function loadJob(jobId: number) {
  return db().job.findUnique({ where: { id: jobId } });
}

export function costOf(units: number): CostExtra {
  return { amount: Math.round(units * UNIT_PRICE_USD * 10_000) / 10_000, currency: "USD", units };
}

export interface RunOptions {
  workerId?: string;
}

/** Returns false when another worker holds the job (nothing was done). */
export async function runJob(jobId: number, options: RunOptions = {}): Promise<boolean> {
  const config = env();
  // Each claim gets its own lease token, so a run that stalled past its lease (and was
  // re-claimed, even by the same worker) fails every later lease check instead of racing on.
  const workerId = `${options.workerId ?? "worker"}:${randomUUID().slice(0, 8)}`;
  const leaseMs = config.JOB_LEASE_SECONDS * 1000;
  if (!(await claimJob(jobId, workerId, leaseMs))) return false;

  let job = (await loadJob(jobId))!;
  if (!job.startedAt) {
    job = await db().job.update({ where: { id: jobId }, data: { startedAt: new Date() } });
  }
  const pipeline = pipelineFor(job.kind);
  const run = new JobRun(job, workerId, leaseMs);
  try {
    if (job.attempts > 1) {
      await appendInternal(jobId, job.stage, `Resumed by ${workerId} (claim ${job.attempts}) after stage ${job.stagesDone}`);
    }
    if (!pipeline) {
      await run.finish("failed", "This kind of job is not available", null, {
        code: "unsupported_kind",
        message: `Jobs of kind ${job.kind} are not available on this server`,
        retryable: false,
      });
      return true;
    }
    await run.execute(pipeline.stages);
  } catch (error) {
    // (a job erased meanwhile, by shop/redact, has no timeline left to end)
    if (error instanceof LeaseLostError || !(await loadJob(jobId))) return true;
    // Bugs and infrastructure failures: the raw error stays internal, the merchant gets a clear line.
    await appendInternal(jobId, run.currentStage, "Unexpected error", { error: String(error), stack: (error as Error)?.stack });
    await run.finish("failed", "Processing failed unexpectedly", run.currentStage, {
      code: "internal_error",
      message: "Something went wrong on our side while processing this image. Run the job again; if it keeps failing, contact support.",
      retryable: true,
    });
  } finally {
    run.dispose();
  }
  return true;
}

class JobRun {
  currentStage: string | null = null;
  private readonly controller = new AbortController();
  private readonly heartbeat: NodeJS.Timeout;
  private readonly deadlineTimer: NodeJS.Timeout;
  private readonly memo = new Map<string, unknown>();
  private costUnits: number;
  /** A stage that stopped early for a cancel may say more (e.g. a provider may still bill). */
  private cancelMessage: string | undefined;

  constructor(
    private job: JobRow,
    private readonly workerId: string,
    private readonly leaseMs: number,
  ) {
    this.costUnits = job.costUnits;
    this.heartbeat = setInterval(() => {
      renewLease(job.id, workerId, leaseMs)
        .then((ok) => ok || this.controller.abort(new LeaseLostError("lease lost")))
        .catch(() => undefined);
    }, Math.max(250, leaseMs / 3));
    const deadline = job.startedAt!.getTime() + env().JOB_TIME_LIMIT_SECONDS * 1000;
    this.deadlineTimer = setTimeout(() => this.controller.abort(new DeadlineError()), Math.max(0, deadline - Date.now()));
  }

  dispose() {
    clearInterval(this.heartbeat);
    clearTimeout(this.deadlineTimer);
  }

  async execute(stages: StageDefinition[]) {
    for (let index = this.job.stagesDone; index < stages.length; index++) {
      const stage = stages[index];
      // (a cancel between stages names the last stage that ran, not one that never started)
      if (await this.cancelRequested()) return this.finishCancelled();
      this.currentStage = stage.name;
      this.throwIfAborted();
      await this.startStage(stage);
      const output = await this.runWithRetries(stage);
      if (output === "cancelled") return this.finishCancelled();
      if (output === "failed") return;
      await this.commitStage(stage, index, output.message, output.artifacts ?? [], stage.units + (output.extraUnits ?? 0));
    }
    // A cancel that came during the last stage stops the job after it too (the contract's
    // rule): the success is written only if no cancel is pending, in the same update.
    if (!(await this.finish("succeeded", "Done: your images are ready", null))) await this.finishCancelled();
  }

  private throwIfAborted() {
    const reason = this.controller.signal.reason;
    if (reason instanceof LeaseLostError) throw reason;
  }

  private async cancelRequested(): Promise<boolean> {
    const row = await db().job.findUnique({ where: { id: this.job.id }, select: { cancelRequested: true } });
    return row?.cancelRequested ?? false;
  }

  /** The start line is written once, with the job's stage, even if a restart re-enters the stage. */
  private async startStage(stage: StageDefinition) {
    if (this.job.stage === stage.name) return;
    await db().$transaction(async (tx) => {
      const { count } = await tx.job.updateMany({
        where: { id: this.job.id, leaseOwner: this.workerId, status: "running" },
        data: { stage: stage.name },
      });
      if (count !== 1) throw new LeaseLostError("lease lost");
      await appendEventTx(tx, this.job.id, { type: "stage", visibility: "public", stage: stage.name, message: stage.startMessage });
    });
    this.job = { ...this.job, stage: stage.name };
  }

  private context(stage: StageDefinition): StageContext {
    const jobId = this.job.id;
    const store = appBlobStore();
    return {
      job: {
        publicId: this.job.publicId,
        shop: this.job.shop,
        kind: this.job.kind,
        options: JSON.parse(this.job.options),
        sourceUrl: this.job.sourceUrl,
      },
      source: async () => {
        if (!this.job.sourceKey) throw new StageError("no_source", "The job has no stored source image", false);
        return store.get(this.job.sourceKey);
      },
      artifact: async (kind) => {
        const artifact = await db().artifact.findFirst({ where: { jobId, kind }, orderBy: { id: "desc" } });
        if (!artifact) throw new Error(`artifact ${kind} missing for job ${jobId}`);
        return store.get(artifact.storageKey);
      },
      memo: this.memo,
      signal: this.controller.signal,
      note: async (message, extra) => {
        await appendInternal(jobId, stage.name, message, extra);
      },
      interruptedNotes: () => interruptedNotes(jobId, stage.name),
      progress: async (message, extra) => {
        await appendEvent(jobId, { type: "stage", visibility: "public", stage: stage.name, message, extra });
      },
      cancelRequested: () => this.cancelRequested(),
    };
  }

  private async runWithRetries(stage: StageDefinition) {
    const config = env();
    for (let attempt = 1; ; attempt++) {
      const started = Date.now();
      try {
        const output = await raceAbort(stage.run(this.context(stage)), this.controller.signal);
        await appendInternal(this.job.id, stage.name, "Stage finished", { attempt, ms: Date.now() - started, run_end: "finished" });
        return output;
      } catch (error) {
        if (error instanceof LeaseLostError) throw error;
        if (error instanceof DeadlineError) {
          const minutes = Math.round(config.JOB_TIME_LIMIT_SECONDS / 6) / 10;
          await this.finish("failed", "Stopped: the job ran past its time limit", stage.name, {
            code: "timeout",
            message: `The job took longer than its ${minutes}-minute limit and was stopped. Run it again; if it keeps timing out, try a smaller image.`,
            retryable: true,
          });
          return "failed" as const;
        }
        if (!(error instanceof StageError)) throw error;
        if (error.code === "cancelled") {
          await appendInternal(this.job.id, stage.name, "Stage stopped for a cancel", { ...error.internal, ms: Date.now() - started, run_end: "stopped" });
          this.cancelMessage = error.message;
          return "cancelled" as const;
        }
        const internal = { code: error.code, error: error.message, attempt, ms: Date.now() - started, ...error.internal };
        if (error.retryable && attempt < config.JOB_MAX_STAGE_ATTEMPTS) {
          const delay = Math.round(config.JOB_RETRY_BASE_MS * 2 ** (attempt - 1) * (0.75 + Math.random() * 0.5));
          await appendInternal(this.job.id, stage.name, `Retrying after a retryable error (attempt ${attempt + 1} of ${config.JOB_MAX_STAGE_ATTEMPTS})`, { ...internal, delay_ms: delay, run_end: "retrying" });
          await sleep(delay);
          this.throwIfAborted();
          if (await this.cancelRequested()) return "cancelled" as const;
          continue;
        }
        await appendInternal(this.job.id, stage.name, "Stage failed", { ...internal, run_end: "failed" });
        await this.finish("failed", `Failed while ${stage.startMessage.toLowerCase()}`, stage.name, {
          code: error.code,
          message: error.message,
          retryable: error.retryable,
        });
        return "failed" as const;
      }
    }
  }

  /** Stores the stage's blobs, then records artifacts, progress and the done event in one transaction. */
  private async commitStage(stage: StageDefinition, index: number, message: string, artifacts: NewArtifact[], units: number) {
    const store = appBlobStore();
    // Lists show the source until a final exists, then a final: one preview each (the
    // finals of a stage are the same picture in several formats).
    const previewed = artifacts.find((artifact) => artifact.role === "final") ?? artifacts.find((artifact) => artifact.kind === "source");
    const stored = await Promise.all(
      artifacts.map(async (artifact) => {
        const key = jobBlobKey(this.job.shop, this.job.publicId, `${stage.name}/${artifact.name}`);
        await store.put(key, artifact.body, { contentType: artifact.contentType });
        const preview = artifact === previewed ? await makePreview(artifact.body) : null;
        const previewKey = preview ? `${key}.preview.webp` : null;
        if (preview && previewKey) await store.put(previewKey, preview, { contentType: "image/webp" });
        return { artifact, key, previewKey };
      }),
    );
    try {
      await this.recordStage(stage, index, message, stored, units);
    } catch (error) {
      // A job erased meanwhile (shop/redact) takes no rows: its blobs would be orphans. (After
      // a lost lease they stay: the new holder writes the same keys.)
      if (!(await loadJob(this.job.id)))
        await deleteBlobs(stored.flatMap(({ key, previewKey }) => (previewKey ? [key, previewKey] : [key])));
      throw error;
    }
    this.costUnits += units;
  }

  private async recordStage(stage: StageDefinition, index: number, message: string, stored: { artifact: NewArtifact; key: string; previewKey: string | null }[], units: number) {
    await db().$transaction(async (tx) => {
      const { count } = await tx.job.updateMany({
        where: { id: this.job.id, leaseOwner: this.workerId, status: "running" },
        data: { stagesDone: index + 1, costUnits: { increment: units } },
      });
      if (count !== 1) throw new LeaseLostError("lease lost");
      const ids: number[] = [];
      for (const { artifact, key, previewKey } of stored) {
        const row = await tx.artifact.create({
          data: {
            jobId: this.job.id,
            kind: artifact.kind,
            role: artifact.role,
            label: artifact.label ?? null,
            meta: JSON.stringify(artifact.meta ?? {}),
            storageKey: key,
            previewKey,
            contentType: artifact.contentType,
            bytes: artifact.body.length,
          },
          select: { id: true },
        });
        ids.push(row.id);
      }
      await appendEventTx(tx, this.job.id, { type: "stage", visibility: "public", stage: stage.name, message, artifactIds: ids });
    });
  }

  private finishCancelled() {
    return this.finish("cancelled", "Cancelled", this.currentStage, {
      code: "cancelled",
      message: this.cancelMessage ?? "The job was cancelled before it finished.",
      retryable: false,
    });
  }

  /**
   * Exactly one terminal event: only the lease holder of a running job can write it, and a
   * success only while no cancel is pending. False if nothing was written.
   */
  async finish(status: "succeeded" | "failed" | "cancelled", message: string, stage: string | null, error?: ErrorExtra): Promise<boolean> {
    const cost = costOf(this.costUnits);
    return db().$transaction(async (tx) => {
      const { count } = await tx.job.updateMany({
        where: { id: this.job.id, status: "running", leaseOwner: this.workerId, ...(status === "succeeded" ? { cancelRequested: false } : {}) },
        data: { status, stage: null, finishedAt: new Date(), leaseOwner: null, leaseExpiresAt: null },
      });
      if (count !== 1) return false;
      await appendEventTx(tx, this.job.id, {
        type: status === "succeeded" ? "succeeded" : "failed",
        visibility: "public",
        stage,
        message,
        extra: error ? { cost, error } : { cost },
      });
      return true;
    });
  }
}

class DeadlineError extends Error {}

function raceAbort<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

/**
 * The internal events of a stage since the last run of it that ended (each end is marked
 * `run_end` by runWithRetries): non-empty only when that run was cut short by a crash or a
 * lost lease, since the current run has not noted anything when it asks.
 */
async function interruptedNotes(jobId: number, stage: string): Promise<StageNote[]> {
  const events = await db().jobEvent.findMany({
    where: { jobId, stage, visibility: "internal" },
    orderBy: { seq: "asc" },
    select: { message: true, extra: true },
  });
  const notes: StageNote[] = [];
  for (const event of events) {
    const extra = event.extra ? (JSON.parse(event.extra) as Record<string, unknown>) : {};
    if ("run_end" in extra) notes.length = 0;
    else notes.push({ message: event.message, extra });
  }
  return notes;
}
