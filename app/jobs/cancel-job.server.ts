// Cancel: a queued job ends at once; a running one is flagged and the engine stops it after
// its current stage; a finished one is a conflict. Conditional updates make each of these
// race-free against a worker claiming or finishing the job at the same moment.
import { db } from "~/db.server";
import { appendEventTx } from "~/timeline/append-event.server";
import { costOf } from "~/engine/run-job.server";
import { getOwnedJob } from "./find-job.server";

export type CancelOutcome = "cancelled" | "requested" | "finished";

export async function cancelJob(jobId: number): Promise<CancelOutcome> {
  const cancelledNow = await db().$transaction(async (tx) => {
    const { count } = await tx.job.updateMany({
      where: { id: jobId, status: "queued" },
      data: { status: "cancelled", cancelRequested: true, finishedAt: new Date(), stage: null },
    });
    if (count !== 1) return false;
    const job = await tx.job.findUniqueOrThrow({ where: { id: jobId }, select: { costUnits: true } });
    await appendEventTx(tx, jobId, {
      type: "failed",
      visibility: "public",
      message: "Cancelled",
      extra: {
        cost: costOf(job.costUnits),
        error: { code: "cancelled", message: "The job was cancelled before it started.", retryable: false },
      },
    });
    return true;
  });
  if (cancelledNow) return "cancelled";
  const { count } = await db().job.updateMany({ where: { id: jobId, status: "running" }, data: { cancelRequested: true } });
  return count === 1 ? "requested" : "finished";
}

export type CancelTally = Record<CancelOutcome | "not_found", number>;
const emptyTally = (): CancelTally => ({ cancelled: 0, requested: 0, finished: 0, not_found: 0 });

/** Cancels each of the shop's jobs by public id (foreign or unknown ids count as not found). */
export async function cancelOwnedJobs(shop: string, publicIds: readonly string[]): Promise<CancelTally> {
  const tally = emptyTally();
  for (const publicId of new Set(publicIds)) {
    const job = await getOwnedJob(shop, publicId);
    tally[job ? await cancelJob(job.id) : "not_found"]++;
  }
  return tally;
}

/** Cancels every queued or running job of a shop (the app was uninstalled: stop spending on it). */
export async function cancelUnfinishedJobs(shop: string): Promise<CancelTally> {
  const tally = emptyTally();
  // (the query already scopes to the shop: no second lookup by public id per job)
  const jobs = await db().job.findMany({ where: { shop, status: { in: ["queued", "running"] } }, select: { id: true } });
  for (const job of jobs) tally[await cancelJob(job.id)]++;
  return tally;
}
