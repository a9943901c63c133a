// The engine's lifecycle rules, with scripted stages (no image work).
import { describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { useUnitEnv } from "../../support/unit-env";

useUnitEnv({ JOB_MAX_STAGE_ATTEMPTS: "3", JOB_TIME_LIMIT_SECONDS: "2", JOB_LEASE_SECONDS: "1" });
const { db } = await import("~/db.server");
const { runJob } = await import("~/engine/run-job.server");
const { registerPipeline } = await import("~/pipelines/index.server");
const { StageError } = await import("~/pipelines/stage-error");
const { appendEvent } = await import("~/timeline/append-event.server");
const { cancelJob } = await import("~/jobs/cancel-job.server");
const { eraseShopData } = await import("~/privacy/erase-shop.server");
const { appBlobStore } = await import("~/storage/app-blob-store.server");
const { jobBlobKey } = await import("~/storage/keys.server");
import type { StageDefinition } from "~/pipelines/pipeline";

let counter = 0;
async function makeJob(kind: string) {
  counter++;
  const job = await db().job.create({
    data: { publicId: `01JENGINE${String(counter).padStart(17, "0")}`, shop: "e.myshopify.com", kind, options: "{}" },
  });
  await appendEvent(job.id, { type: "queued", visibility: "public", message: "Queued" });
  return job;
}

function stage(name: string, run: StageDefinition["run"], units = 1): StageDefinition {
  return { name, startMessage: `Running ${name}`, units, run };
}

function pipeline(kind: string, stages: StageDefinition[]) {
  registerPipeline({ kind, options: z.object({}).passthrough() as never, stages });
}

async function timeline(jobId: number) {
  return db().jobEvent.findMany({ where: { jobId }, orderBy: { seq: "asc" } });
}

function expectWellFormed(events: { eventType: string; visibility: string; seq: number }[]) {
  const pub = events.filter((e) => e.visibility === "public");
  expect(pub[0].eventType).toBe("queued");
  expect(pub.filter((e) => e.eventType === "queued")).toHaveLength(1);
  expect(pub.filter((e) => e.eventType === "succeeded" || e.eventType === "failed")).toHaveLength(1);
  expect(["succeeded", "failed"]).toContain(pub[pub.length - 1].eventType);
  for (let i = 1; i < events.length; i++) expect(events[i].seq).toBeGreaterThan(events[i - 1].seq);
}

describe("runJob", () => {
  it("runs stages in order, stores artifacts on the stage's event and sums the cost", async () => {
    pipeline("t_ok", [
      stage("one", async () => ({ message: "one done" }), 2),
      stage("two", async () => ({
        message: "two done",
        artifacts: [{ kind: "thing", role: "final", body: Buffer.from("png"), contentType: "image/png", name: "t.png", meta: { a: 1 } }],
      }), 3),
    ]);
    const job = await makeJob("t_ok");
    expect(await runJob(job.id)).toBe(true);
    const after = await db().job.findUniqueOrThrow({ where: { id: job.id }, include: { artifacts: true } });
    expect(after.status).toBe("succeeded");
    expect(after.costUnits).toBe(5);
    const events = await timeline(job.id);
    expectWellFormed(events);
    const last = events[events.length - 1];
    expect(JSON.parse(last.extra!).cost).toEqual({ amount: 0.01, currency: "USD", units: 5 });
    const done = events.find((e) => e.message === "two done")!;
    expect(after.artifacts[0].eventId).toBe(done.id);
    expect(events.filter((e) => e.visibility === "public" && e.eventType === "stage").map((e) => e.message)).toEqual([
      "Running one", "one done", "Running two", "two done",
    ]);
  });

  it("retries retryable errors with backoff, recording retries as internal events", async () => {
    let calls = 0;
    pipeline("t_retry", [
      stage("flaky", async () => {
        calls++;
        if (calls < 3) throw new StageError("provider_busy", "Busy", true, { provider_request_id: "req_123" });
        return { message: "ok" };
      }),
    ]);
    const job = await makeJob("t_retry");
    await runJob(job.id);
    expect((await db().job.findUniqueOrThrow({ where: { id: job.id } })).status).toBe("succeeded");
    const events = await timeline(job.id);
    expectWellFormed(events);
    const retries = events.filter((e) => e.message.startsWith("Retrying"));
    expect(retries).toHaveLength(2);
    expect(retries.every((e) => e.visibility === "internal")).toBe(true);
    expect(JSON.parse(retries[0].extra!)).toMatchObject({ code: "provider_busy", provider_request_id: "req_123" });
    expect(events.filter((e) => e.visibility === "public").some((e) => e.message.includes("req_123"))).toBe(false);
  });

  it("fails after the last attempt, and at once on a non-retryable error, with extra.error", async () => {
    pipeline("t_exhaust", [stage("s", async () => { throw new StageError("busy", "Still busy", true); })]);
    pipeline("t_fatal", [stage("s", async () => { throw new StageError("pose_error", "No person found", false); })]);
    const a = await makeJob("t_exhaust");
    await runJob(a.id);
    const aEvents = await timeline(a.id);
    expectWellFormed(aEvents);
    expect(aEvents.filter((e) => e.message.startsWith("Retrying"))).toHaveLength(2);
    expect(JSON.parse(aEvents[aEvents.length - 1].extra!).error).toEqual({ code: "busy", message: "Still busy", retryable: true });
    const b = await makeJob("t_fatal");
    await runJob(b.id);
    const bEvents = await timeline(b.id);
    expect(bEvents.filter((e) => e.message.startsWith("Retrying"))).toHaveLength(0);
    expect(JSON.parse(bEvents[bEvents.length - 1].extra!).error).toEqual({ code: "pose_error", message: "No person found", retryable: false });
    expect((await db().job.findUniqueOrThrow({ where: { id: b.id } })).status).toBe("failed");
  });

  it("turns an unexpected exception into internal_error, keeping the raw error internal", async () => {
    pipeline("t_bug", [stage("s", async () => { throw new TypeError("secret internals /srv/key"); })]);
    const job = await makeJob("t_bug");
    await runJob(job.id);
    const events = await timeline(job.id);
    expectWellFormed(events);
    const pub = events.filter((e) => e.visibility === "public");
    expect(JSON.parse(pub[pub.length - 1].extra!).error.code).toBe("internal_error");
    expect(pub.some((e) => (e.extra ?? "").includes("secret internals") || e.message.includes("secret internals"))).toBe(false);
    expect(events.some((e) => e.visibility === "internal" && (e.extra ?? "").includes("secret internals"))).toBe(true);
  });

  it("honours a cancel between stages", async () => {
    let jobId = 0;
    pipeline("t_cancel", [
      stage("first", async () => {
        expect(await cancelJob(jobId)).toBe("requested");
        return { message: "first done" };
      }),
      stage("second", async () => ({ message: "second done" })),
    ]);
    const job = await makeJob("t_cancel");
    jobId = job.id;
    await runJob(job.id);
    expect((await db().job.findUniqueOrThrow({ where: { id: job.id } })).status).toBe("cancelled");
    const events = await timeline(job.id);
    expectWellFormed(events);
    expect(events.some((e) => e.message === "second done")).toBe(false);
    expect(JSON.parse(events[events.length - 1].extra!).error.code).toBe("cancelled");
    // the terminal event names the stage that ran last, not the one that never started
    expect(events[events.length - 1].stage).toBe("first");
  });

  it("stops a job at its time limit", async () => {
    pipeline("t_slow", [stage("slow", () => new Promise(() => undefined))]);
    const job = await makeJob("t_slow");
    await runJob(job.id);
    const events = await timeline(job.id);
    expectWellFormed(events);
    expect(JSON.parse(events[events.length - 1].extra!).error).toMatchObject({ code: "timeout", retryable: true });
  });

  it("resumes a job whose worker died, after its lease expires, without repeating finished stages", async () => {
    const ran: string[] = [];
    pipeline("t_resume", [
      stage("one", async () => { ran.push("one"); return { message: "one done" }; }),
      stage("two", async () => { ran.push("two"); return { message: "two done" }; }),
    ]);
    const job = await makeJob("t_resume");
    // As a dead worker leaves it: stage one done, stage two started, lease stale.
    await appendEvent(job.id, { type: "stage", visibility: "public", stage: "one", message: "Running one" });
    await appendEvent(job.id, { type: "stage", visibility: "public", stage: "one", message: "one done" });
    await appendEvent(job.id, { type: "stage", visibility: "public", stage: "two", message: "Running two" });
    await db().job.update({
      where: { id: job.id },
      data: { status: "running", stage: "two", stagesDone: 1, attempts: 1, leaseOwner: "dead", leaseExpiresAt: new Date(Date.now() + 60_000), startedAt: new Date() },
    });
    expect(await runJob(job.id)).toBe(false); // lease still fresh: not ours
    await db().job.update({ where: { id: job.id }, data: { leaseExpiresAt: new Date(Date.now() - 1) } });
    expect(await runJob(job.id)).toBe(true);
    expect(ran).toEqual(["two"]);
    const events = await timeline(job.id);
    expectWellFormed(events);
    expect(events.filter((e) => e.message === "Running two")).toHaveLength(1);
    expect(events.some((e) => e.visibility === "internal" && e.message.startsWith("Resumed"))).toBe(true);
  });
  it("ignores a stale run of the same worker once the job was re-claimed (per-claim lease tokens)", async () => {
    let runs = 0;
    let jobId = 0;
    let second: Promise<boolean> | undefined;
    let secondStarted!: () => void;
    const secondIsRunning = new Promise<void>((resolve) => (secondStarted = resolve));
    let releaseSecond!: () => void;
    const secondMayFinish = new Promise<void>((resolve) => (releaseSecond = resolve));
    pipeline("t_stale", [
      stage("slow", async () => {
        runs++;
        if (runs === 1) {
          // This run stalls past its lease; the same worker re-claims the job meanwhile, and
          // the stale run tries to commit while the new run is still inside the stage.
          await db().job.update({ where: { id: jobId }, data: { leaseExpiresAt: new Date(Date.now() - 1) } });
          second = runJob(jobId, { workerId: "same-worker" });
          await secondIsRunning;
          return { message: "slow done (run 1)" };
        }
        secondStarted();
        await secondMayFinish;
        return { message: "slow done (run 2)" };
      }),
    ]);
    const job = await makeJob("t_stale");
    jobId = job.id;
    expect(await runJob(job.id, { workerId: "same-worker" })).toBe(true);
    releaseSecond();
    expect(await second).toBe(true);
    expect(runs).toBe(2);
    const events = await timeline(job.id);
    expectWellFormed(events);
    expect(events.filter((e) => e.message.startsWith("slow done")).map((e) => e.message)).toEqual(["slow done (run 2)"]);
    expect((await db().job.findUniqueOrThrow({ where: { id: job.id } })).costUnits).toBe(1);
  });

  it("ends quietly, leaving no blobs behind, when the shop's data is erased while its job runs", async () => {
    // shop/redact can arrive while a job of the shop runs: during a stage, or while the engine
    // stores the stage's blobs
    const shop = "erased.myshopify.com";
    const store = appBlobStore();
    const put = store.put.bind(store);
    for (const when of ["in the stage", "while storing"]) {
      const publicId = `01JENGINEERASED${when === "in the stage" ? "1" : "2"}0000000000`;
      pipeline("t_erased", [
        stage("make", async () => {
          if (when === "in the stage") await eraseShopData(shop);
          return { message: "made", artifacts: [{ kind: "thing", role: "final", body: Buffer.from("png"), contentType: "image/png", name: "t.png" }] };
        }),
      ]);
      const spy = vi.spyOn(store, "put").mockImplementationOnce(async (...args) => {
        if (when === "while storing") await eraseShopData(shop);
        return put(...args);
      });
      const job = await db().job.create({ data: { publicId, shop, kind: "t_erased", options: "{}" } });
      await appendEvent(job.id, { type: "queued", visibility: "public", message: "Queued" });
      expect(await runJob(job.id), when).toBe(true);
      spy.mockRestore();
      expect(await db().job.findUnique({ where: { id: job.id } }), when).toBeNull();
      expect(await db().jobEvent.count({ where: { jobId: job.id } }), when).toBe(0);
      const key = jobBlobKey(shop, publicId, "make/t.png");
      await expect(store.get(key), when).rejects.toThrow(/not found/);
      await expect(store.get(`${key}.preview.webp`), when).rejects.toThrow(/not found/);
    }
  });
});

describe("eraseShopData beside a running job", () => {
  it("erases the blobs of a stage that a running job committed while the erase was deleting", async () => {
    const shop = "late.myshopify.com";
    const publicId = "01JENGINELATE0000000000000";
    const store = appBlobStore();
    const job = await db().job.create({ data: { publicId, shop, kind: "t_ok", options: "{}" } });
    const stored = async (key: string) => {
      await store.put(key, Buffer.from("png"), { contentType: "image/png" });
      await db().artifact.create({ data: { jobId: job.id, kind: "thing", role: "intermediate", meta: "{}", storageKey: key, contentType: "image/png", bytes: 3 } });
    };
    const early = jobBlobKey(shop, publicId, "one/a.png");
    const late = jobBlobKey(shop, publicId, "two/b.png");
    await stored(early);
    const remove = store.delete.bind(store);
    const spy = vi.spyOn(store, "delete").mockImplementationOnce(async (key) => {
      await stored(late); // the stage commits while the erase deletes the blobs it read
      return remove(key);
    });
    const tally = await eraseShopData(shop);
    spy.mockRestore();
    expect(tally).toMatchObject({ jobs: 1, blobs: 2 });
    expect(await db().artifact.count({ where: { jobId: job.id } })).toBe(0);
    await expect(store.get(early)).rejects.toThrow(/not found/);
    await expect(store.get(late)).rejects.toThrow(/not found/);
  });
});

