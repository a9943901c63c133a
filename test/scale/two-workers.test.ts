// Two worker processes on one queue and one database: each job is run exactly once (one claim,
// one terminal event, no stage run twice), and the work really is shared between them.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestDatabase } from "../support/postgres";
import type { LocalS3 } from "../support/s3rver";
import type { TestServer } from "../support/test-server";
import { startWorker } from "../support/worker-process";
import {
  Cleanup,
  startScaleStack,
  createCatalogJob,
  expectNoStageRunTwice,
  expectWellFormedTimeline,
  productPhoto,
  publicEvents,
  waitFinished,
} from "./support/harness";
import type { ClaimedRedis } from "./support/redis";

const cleanup = new Cleanup();
let database: TestDatabase;
let s3: LocalS3;
let redis: ClaimedRedis;
let server: TestServer;
let appEnv: Record<string, string>;

beforeAll(async () => {
  ({ database, s3, redis, appEnv, server } = await startScaleStack(cleanup, `two-${randomBytes(4).toString("hex")}`));
});
afterAll(() => cleanup.run());

describe("two workers at once", () => {
  it("process 6 jobs: each succeeds exactly once, no stage runs twice, both workers take part", async () => {
    // One job at a time per worker: if two jobs ever overlap, both workers were working.
    const workers = await Promise.all([0, 1].map(() => startWorker({ ...appEnv, WORKER_CONCURRENCY: "1" })));
    workers.forEach((w, i) => cleanup.add(`stop worker ${i}`, () => w.stop()));

    const photos = await Promise.all(Array.from({ length: 6 }, (_, i) => productPhoto({ width: 480 + 16 * i, height: 360 })));
    // Small outputs keep the six jobs quick; what matters here is who runs what, not the pixels.
    const jobs = await Promise.all(photos.map((photo) => createCatalogJob(server.url, photo, { options: JSON.stringify({ size: 512 }) }, server.output)));
    expect(new Set(jobs.map((j) => j.public_id)).size).toBe(6);

    const done = await Promise.all(jobs.map((j) => waitFinished(server.url, j.public_id, 150_000)));
    for (const d of done) expect(d.status, workers.map((w) => w.output()).join("\n")).toBe("succeeded");

    for (const job of jobs) {
      const body = await publicEvents(server.url, job.public_id);
      expectWellFormedTimeline(body); // exactly one queued and one terminal; one start + one done line per stage
      await expectNoStageRunTwice(database, job.public_id);
    }

    const rows = await database.query(
      `SELECT "publicId", attempts, "stagesDone", status, "leaseOwner",
              extract(epoch from "startedAt") * 1000 AS started, extract(epoch from "finishedAt") * 1000 AS finished
       FROM "Job" ORDER BY id`,
    );
    expect(rows).toHaveLength(6);
    for (const row of rows) {
      // Claimed once: no worker ever took a job another one held.
      expect(row).toMatchObject({ attempts: 1, stagesDone: 4, status: "succeeded", leaseOwner: null });
    }
    // Internal timelines show no resume or lease trouble either.
    const resumes = await database.query(`SELECT message FROM "JobEvent" WHERE message LIKE 'Resumed by%'`);
    expect(resumes).toEqual([]);

    // With concurrency 1 each, at most two jobs run at once — and at some point two did.
    const points = rows.flatMap((r) => [
      { t: Number(r.started), d: 1 },
      { t: Number(r.finished), d: -1 },
    ]);
    points.sort((a, b) => a.t - b.t || a.d - b.d);
    let running = 0;
    let peak = 0;
    for (const p of points) {
      running += p.d;
      peak = Math.max(peak, running);
    }
    expect(peak).toBe(2);
    for (const w of workers) expect(w.alive()).toBe(true);
  });
});
