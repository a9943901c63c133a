// Shared pieces of the scale-out tests: cleanup that survives failures, polling the /v1 API,
// and the timeline rules every finished job must satisfy.
import { existsSync } from "node:fs";
import { expect } from "vitest";
import { bearerFetch, waitFor } from "../../support/api-client";
import { multipart, productPhoto } from "../../support/images";
import { createTestDatabase, type TestDatabase } from "../../support/postgres";
import { startS3rver } from "../../support/s3rver";
import { claimRedisDatabase } from "./redis";
import { startServer } from "../../support/test-server";

/** The production server, run from the suite's private build snapshot (see global-setup.ts). */
export function startScaleServer(options: Omit<Parameters<typeof startServer>[0] & object, "serverScript">) {
  const script = process.env.STUDIO_SCALE_SERVER_SCRIPT;
  // If someone cleaned test-output/ meanwhile, fall back to the shared build.
  return startServer({ ...options, serverScript: script && existsSync(script) ? script : undefined });
}

/** Registered teardown steps, run in reverse order; one failing step does not skip the others. */
export class Cleanup {
  private readonly steps: { name: string; fn: () => unknown }[] = [];

  add(name: string, fn: () => unknown) {
    this.steps.push({ name, fn });
  }

  async run() {
    const errors: string[] = [];
    while (this.steps.length) {
      const { name, fn } = this.steps.pop()!;
      try {
        await fn();
      } catch (error) {
        errors.push(`${name}: ${(error as Error)?.stack ?? error}`);
      }
    }
    if (errors.length) throw new Error(`cleanup failed:\n${errors.join("\n")}`);
  }
}

/** The scale-out stack: a fresh PostgreSQL database, s3rver, a claimed Redis database and the API server on them, each torn down by `cleanup`. */
export async function startScaleStack(cleanup: Cleanup, blobPrefix: string) {
  const database = await createTestDatabase();
  cleanup.add("drop database", () => database.drop());
  const s3 = await startS3rver();
  cleanup.add("stop s3rver", () => s3.stop());
  const redis = await claimRedisDatabase();
  cleanup.add("release redis", () => redis.release());
  const appEnv = { DATABASE_URL: database.url, REDIS_URL: redis.url, ...s3.appEnv(blobPrefix) };
  const server = await startScaleServer({ databaseUrl: database.url, env: appEnv });
  cleanup.add("stop server", () => server.stop());
  return { database, s3, redis, appEnv, server };
}

export const CATALOG_STAGES = ["fetch_source", "segment", "compose", "export"];
export const TERMINAL = ["succeeded", "failed"];

export interface PublicEvent {
  seq: number;
  event_type: string;
  stage: string | null;
  message: string;
  visibility: string;
  extra: any;
  artifacts: any[];
}

export async function createCatalogJob(base: string, photo: Buffer, fields: Record<string, string> = {}, serverLog?: () => string) {
  const res = await bearerFetch(base, "/v1/jobs", {
    method: "POST",
    body: multipart({ kind: "catalog_image", image: { data: photo, filename: "photo.jpg", type: "image/jpeg" }, ...fields }),
  });
  const body = await res.json();
  expect(res.status, `${JSON.stringify(body)}\n${serverLog?.().slice(-3000) ?? ""}`).toBe(201);
  return body as { public_id: string; status: string; [k: string]: any };
}

export async function jobDetail(base: string, publicId: string) {
  const res = await bearerFetch(base, `/v1/jobs/${publicId}`);
  expect(res.status).toBe(200);
  return res.json();
}

export async function publicEvents(base: string, publicId: string, since?: number) {
  const res = await bearerFetch(base, `/v1/jobs/${publicId}/events${since === undefined ? "" : `?since=${since}`}`);
  expect(res.status).toBe(200);
  return (await res.json()) as { public_id: string; events: PublicEvent[]; latest_seq: number | null };
}

export async function waitFinished(base: string, publicId: string, timeoutMs = 90_000) {
  return waitFor(
    async () => {
      const job = await jobDetail(base, publicId);
      return ["succeeded", "failed", "cancelled"].includes(job.status) ? job : null;
    },
    timeoutMs,
    200,
  );
}

/**
 * The contract's rules for a finished job's public timeline: one `queued` first, exactly one
 * terminal last, seqs strictly increasing, latest_seq = last seq; for the catalog pipeline each
 * stage has exactly one start line and one done line, in order (a duplicated done line means a
 * stage was committed twice).
 */
export function expectWellFormedTimeline(body: { events: PublicEvent[]; latest_seq: number | null }, terminal = "succeeded") {
  const events = body.events;
  expect(events.every((e) => e.visibility === "public")).toBe(true);
  expect(events[0].event_type).toBe("queued");
  expect(events.filter((e) => e.event_type === "queued")).toHaveLength(1);
  expect(events.filter((e) => TERMINAL.includes(e.event_type))).toHaveLength(1);
  expect(events[events.length - 1].event_type).toBe(terminal);
  for (let i = 1; i < events.length; i++) expect(events[i].seq).toBeGreaterThan(events[i - 1].seq);
  expect(body.latest_seq).toBe(events[events.length - 1].seq);
  if (terminal === "succeeded") {
    const stageLines = events.filter((e) => e.event_type === "stage");
    expect([...new Set(stageLines.map((e) => e.stage))]).toEqual(CATALOG_STAGES);
    for (const stage of CATALOG_STAGES) {
      const lines = stageLines.filter((e) => e.stage === stage);
      expect(lines.map((e) => e.message), `${stage}: one start line and one done line`).toHaveLength(2);
      expect(lines[0].message).not.toBe(lines[1].message);
    }
  }
}

/** Internal events are never served: read them from the database. */
export async function internalEvents(database: TestDatabase, publicId: string) {
  return database.query<{ seq: number; stage: string | null; message: string; extra: string | null }>(
    `SELECT e.seq, e.stage, e.message, e.extra FROM "JobEvent" e JOIN "Job" j ON j.id = e."jobId"
     WHERE j."publicId" = $1 AND e.visibility = 'internal' ORDER BY e.seq`,
    [publicId],
  );
}

/**
 * No stage ran twice: at most one internal "Stage finished" per stage, unless the job records why
 * a second run was legitimate (a retry of that stage, or a resume after a lost lease).
 */
export async function expectNoStageRunTwice(database: TestDatabase, publicId: string) {
  const internal = await internalEvents(database, publicId);
  for (const stage of CATALOG_STAGES) {
    const finished = internal.filter((e) => e.stage === stage && e.message === "Stage finished");
    if (finished.length <= 1) continue;
    const excused = internal.some((e) => (e.stage === stage && e.message.startsWith("Retrying")) || e.message.startsWith("Resumed by"));
    expect(excused, `${publicId}: stage ${stage} finished ${finished.length} times without a recorded retry/resume:\n${JSON.stringify(internal, null, 1)}`).toBe(true);
  }
  return internal;
}

export async function jobRow(database: TestDatabase, publicId: string) {
  const [row] = await database.query(`SELECT * FROM "Job" WHERE "publicId" = $1`, [publicId]);
  return row;
}

export { productPhoto };
