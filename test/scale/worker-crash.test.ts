// A worker dies mid-job (SIGKILL while `segment` runs on a large photo). With a short lease
// a new worker's sweeper finds the abandoned job, claims it and resumes after the last
// committed stage: the job succeeds with a clean public timeline.
//
// JOB_LEASE_SECONDS is 3, not lower: segment blocks the worker's event loop for up to ~0.5 s
// at a time (more on a loaded machine), and a lease shorter than a few heartbeats would
// expire under a live worker.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bearerFetch, waitFor } from "../support/api-client";
import type { TestDatabase } from "../support/postgres";
import type { LocalS3 } from "../support/s3rver";
import type { TestServer } from "../support/test-server";
import { startWorker, type WorkerProcess } from "../support/worker-process";
import {
  Cleanup,
  startScaleStack,
  createCatalogJob,
  expectNoStageRunTwice,
  expectWellFormedTimeline,
  internalEvents,
  jobRow,
  productPhoto,
  publicEvents,
  waitFinished,
} from "./support/harness";
import type { ClaimedRedis } from "./support/redis";

const LEASE_SECONDS = 3;
const cleanup = new Cleanup();
let database: TestDatabase;
let s3: LocalS3;
let redis: ClaimedRedis;
let server: TestServer;
let workerEnv: Record<string, string>;
let bigPhoto: Buffer;
const workers = new Set<WorkerProcess>();

/**
 * A worker that is already consuming the queue (so a new job's own message reaches it before its
 * sweeper can also enqueue the job), one job at a time (so that if both messages arrive, the
 * API's is the one that runs and the sweep's waits). Which message the dead worker holds matters:
 * see the second test.
 */
async function worker() {
  const before = await redis.queue.getWorkersCount();
  const w = await startWorker({ ...workerEnv, WORKER_CONCURRENCY: "1" });
  workers.add(w);
  await waitFor(async () => (await redis.queue.getWorkersCount()) > before, 30_000, 50);
  return w;
}

async function stopAllWorkers() {
  await Promise.all([...workers].map((w) => w.kill()));
  workers.clear();
}

/** Polls until the segment stage has started, then SIGKILLs the worker. */
async function killDuringSegment(victim: WorkerProcess, publicId: string) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const { events } = await publicEvents(server.url, publicId);
    if (events.some((e) => e.stage === "segment")) break;
    if (events.some((e) => e.event_type === "succeeded" || e.event_type === "failed")) throw new Error(`finished before segment was seen: ${JSON.stringify(events)}`);
    if (Date.now() > deadline) throw new Error(`segment never started:\n${victim.output()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  await victim.kill();
  const atKill = await jobRow(database, publicId);
  expect(atKill).toMatchObject({ status: "running", stage: "segment", leaseOwner: expect.stringMatching(new RegExp(`^${victim.workerId}:[0-9a-f]{8}$`)), attempts: 1 });
  // Killed mid-segment: fetch_source committed, segment not.
  expect(atKill.stagesDone).toBe(1);
}

/** Nobody else is running: after the lease runs out the job is still abandoned, nothing resumed it. */
async function expectAbandoned(publicId: string, owner: string) {
  await new Promise((r) => setTimeout(r, LEASE_SECONDS * 1000 + 500));
  const row = await jobRow(database, publicId);
  expect(row).toMatchObject({ status: "running", leaseOwner: expect.stringMatching(new RegExp(`^${owner}:[0-9a-f]{8}$`)), stagesDone: 1 });
  const [{ expired }] = await database.query(`SELECT "leaseExpiresAt" < timezone('utc', now()) AS expired FROM "Job" WHERE "publicId" = $1`, [publicId]);
  expect(expired).toBe(true);
}

async function expectResumedCleanly(publicId: string, by: WorkerProcess) {
  const done = await waitFinished(server.url, publicId, 90_000);
  expect(done.status, by.output()).toBe("succeeded");
  const body = await publicEvents(server.url, publicId);
  expectWellFormedTimeline(body); // one queued, one terminal, increasing seqs, no duplicated stage lines

  const row = await jobRow(database, publicId);
  expect(row).toMatchObject({ status: "succeeded", attempts: 2, stagesDone: 4, leaseOwner: null });
  const internal = await expectNoStageRunTwice(database, publicId);
  expect(internal.filter((e) => e.message.startsWith("Resumed by"))).toEqual([
    // The lease owner is the worker id plus a per-claim token.
    expect.objectContaining({ message: expect.stringMatching(new RegExp(`^Resumed by ${by.workerId}:[0-9a-f]{8} \\(claim 2\\) after stage 1`)) }),
  ]);
  // Stages committed before the crash were not redone.
  expect(internal.filter((e) => e.stage === "fetch_source" && e.message === "Stage finished")).toHaveLength(1);
  // One set of artifacts: a single cutout and the two finals, each on its event.
  const artifacts = await database.query(`SELECT a.kind, a.role, a."eventId" FROM "Artifact" a JOIN "Job" j ON j.id = a."jobId" WHERE j."publicId" = $1`, [publicId]);
  expect(artifacts.filter((a) => a.kind === "cutout")).toHaveLength(1);
  expect(artifacts.filter((a) => a.role === "final")).toHaveLength(2);
  expect(artifacts.every((a) => a.eventId !== null)).toBe(true);
  expect(done.final_artifacts).toHaveLength(2);
  expect((await fetch(done.final_artifacts[0].image_url)).status).toBe(200);
}

beforeAll(async () => {
  let appEnv: Record<string, string>;
  ({ database, s3, redis, appEnv, server } = await startScaleStack(cleanup, `crash-${randomBytes(4).toString("hex")}`));
  cleanup.add("kill workers", () => stopAllWorkers());
  workerEnv = { ...appEnv, JOB_LEASE_SECONDS: String(LEASE_SECONDS) };
  // Large enough that segment takes a while (well under the 40 MP limit); small outputs.
  bigPhoto = await productPhoto({ width: 4000, height: 3000 });
  // Warm the server's queue connection (it is opened on the first enqueue): afterwards a new
  // job's message reaches the worker before the worker's own sweeper can notice the job.
  const warm = await createCatalogJob(server.url, await productPhoto({ width: 64, height: 64 }), {}, server.output);
  expect((await bearerFetch(server.url, `/v1/jobs/${warm.public_id}/cancel`, { method: "POST" })).status).toBe(202);
});
afterAll(() => cleanup.run());

describe("worker crash mid-job", () => {
  it("a second worker reclaims the job after the lease expires and finishes it once", async () => {
    const first = await worker();
    const job = await createCatalogJob(server.url, bigPhoto, { options: JSON.stringify({ size: 512 }) }, server.output);
    await killDuringSegment(first, job.public_id);
    await expectAbandoned(job.public_id, first.workerId);
    const second = await worker();
    await expectResumedCleanly(job.public_id, second);
    await stopAllWorkers();
  });

  it("recovers as fast when the dead worker had taken the job from the sweeper (its message was lost)", async () => {
    // Redis lost the API's "run job N" message: only a worker's sweeper can enqueue the job,
    // as `sweep-N`, and the worker that takes that message then dies holding it.
    const job = await createCatalogJob(server.url, bigPhoto, { options: JSON.stringify({ size: 512 }) }, server.output);
    const { id } = await jobRow(database, job.public_id);
    await (await redis.queue.getJob(`job-${id}`))?.remove();
    const first = await worker();
    await killDuringSegment(first, job.public_id);
    // (The first test's dead worker may still hold its own, older message.)
    const held = (await redis.queue.getJobs(["active"])).filter((m) => m.data.jobId === id).map((m) => m.id);
    expect(held).toHaveLength(1);
    expect(held[0]).not.toBe(`job-${id}`);
    await expectAbandoned(job.public_id, first.workerId);

    // A new worker's sweeper must enqueue the abandoned job again within a sweep or two. If the
    // sweep message reuses the dead worker's message id, BullMQ ignores it as a duplicate and the
    // job waits for BullMQ's stalled-job check instead (lock 30 s + check interval 30 s).
    const second = await worker();
    const resumedWithin = 15_000;
    const resumed = await waitFor(
      async () => (await internalEvents(database, job.public_id)).some((e) => e.message.startsWith("Resumed by")),
      resumedWithin,
      100,
    ).catch(() => false);
    expect(
      resumed,
      `not resumed ${resumedWithin / 1000} s after a new worker started (lease ${LEASE_SECONDS} s); its messages in Redis (active or waiting): ` +
        JSON.stringify((await redis.queue.getJobs(["active", "waiting"])).map((m) => m.id)),
    ).toBe(true);
    await expectResumedCleanly(job.public_id, second);
    await stopAllWorkers();
  });
});
