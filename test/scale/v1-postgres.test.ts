// The /v1 contract basics on PostgreSQL (a small test/http/jobs-api.test.ts), to catch what
// differs between providers: boolean/int binding in append-event's raw UPDATE … RETURNING,
// DateTime round trips (the servers run with a non-UTC TZ), unique-violation mapping for
// Idempotency-Key races, cursor pagination and cancel's conditional updates.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import sharp from "sharp";
import { bearerFetch } from "../support/api-client";
import { multipart } from "../support/images";
import { OTHER_SHOP, SHOP } from "../support/constants";
import { validateResponse } from "../support/openapi";
import { createTestDatabase, type TestDatabase } from "../support/postgres";
import type { TestServer } from "../support/test-server";
import { Cleanup, startScaleServer, createCatalogJob, expectWellFormedTimeline, jobRow, productPhoto, publicEvents, waitFinished } from "./support/harness";

const cleanup = new Cleanup();
// A: runs jobs (the embedded in-process worker, on PostgreSQL). B: STUDIO_WORKER=off, jobs stay queued.
let dbA: TestDatabase;
let dbB: TestDatabase;
let a: TestServer;
let b: TestServer;
const TZ = "Asia/Kolkata"; // UTC+05:30: a timestamp written or read in local time shows up as 5.5 h off

beforeAll(async () => {
  [dbA, dbB] = await Promise.all([createTestDatabase(), createTestDatabase()]);
  cleanup.add("drop database A", () => dbA.drop());
  cleanup.add("drop database B", () => dbB.drop());
  const shops = [SHOP, OTHER_SHOP];
  [a, b] = await Promise.all([
    startScaleServer({ databaseUrl: dbA.url, shops, env: { TZ } }),
    startScaleServer({ databaseUrl: dbB.url, shops, env: { TZ, STUDIO_WORKER: "off" } }),
  ]);
  cleanup.add("stop server A", () => a.stop());
  cleanup.add("stop server B", () => b.stop());
});
afterAll(() => cleanup.run());

function expectRecent(iso: string, slackMs = 120_000) {
  expect(iso).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);
  expect(Math.abs(Date.parse(iso) - Date.now())).toBeLessThan(slackMs);
}

describe("/v1 on PostgreSQL", () => {
  it("creates a job (201 JobDetail) and runs it to succeeded with a well-formed timeline", async () => {
    const created = await createCatalogJob(a.url, await productPhoto(), {
      product_id: "gid://shopify/Product/42",
      options: JSON.stringify({ background: "#f0f0f0" }),
    });
    await validateResponse("/v1/jobs", "post", 201, created);
    expect(created).toMatchObject({ kind: "catalog_image", product_id: "gid://shopify/Product/42" });
    expect(created.options).toEqual({ background: "#f0f0f0", fill: 0.85, shadow: true, size: 2048 });
    expect(created.latest_seq).toBe(1);
    expectRecent(created.created_at);

    const done = await waitFinished(a.url, created.public_id);
    expect(done.status, a.output()).toBe("succeeded");
    await validateResponse("/v1/jobs/{public_id}", "get", 200, done);
    expect(done.created_at).toBe(created.created_at);
    expect(Date.parse(done.updated_at)).toBeGreaterThanOrEqual(Date.parse(done.created_at));
    expectRecent(done.updated_at);

    const body = await publicEvents(a.url, created.public_id);
    await validateResponse("/v1/jobs/{public_id}/events", "get", 200, body);
    expectWellFormedTimeline(body);
    expect(done.latest_seq).toBe(body.latest_seq);
    // Internal events share the sequence: the public seqs have gaps.
    const row = await jobRow(dbA, created.public_id);
    expect(row.lastSeq).toBeGreaterThan(body.events.length);
    expect(row.latestPublicSeq).toBe(body.latest_seq);
    for (const e of body.events as any[]) expectRecent(e.created_at);
    // Timestamps are stored as UTC: the database agrees with the API.
    const [{ created_ms }] = await dbA.query(`SELECT extract(epoch from "createdAt") * 1000 AS created_ms FROM "Job" WHERE "publicId" = $1`, [created.public_id]);
    expect(Number(created_ms)).toBe(Date.parse(created.created_at));

    const terminal = body.events[body.events.length - 1];
    expect(terminal.extra.cost).toMatchObject({ currency: "USD" });
    expect(terminal.extra.cost.units).toBeGreaterThan(0);
    const cutout = body.events.flatMap((e) => e.artifacts).find((x: any) => x.kind === "cutout");
    const png = Buffer.from(await (await fetch(cutout.image_url)).arrayBuffer());
    expect(await sharp(png).metadata()).toMatchObject({ format: "png", width: 640, height: 480, channels: 4 });
    expect(done.final_artifacts.map((x: any) => x.meta.format).sort()).toEqual(["jpeg", "webp"]);
  });

  it("cursors events with since (exclusive) and keeps latest_seq whatever since is", async () => {
    const job = await createCatalogJob(a.url, await productPhoto({ width: 320, height: 240 }));
    await waitFinished(a.url, job.public_id);
    const all = await publicEvents(a.url, job.public_id);
    const seqs = all.events.map((e) => e.seq);
    const mid = seqs[2];
    const after = await publicEvents(a.url, job.public_id, mid);
    expect(after.events.map((e) => e.seq)).toEqual(seqs.filter((s) => s > mid));
    expect(after.latest_seq).toBe(all.latest_seq);
    const none = await publicEvents(a.url, job.public_id, all.latest_seq!);
    expect(none).toEqual({ public_id: job.public_id, events: [], latest_seq: all.latest_seq });
    expect((await publicEvents(a.url, job.public_id, 0)).events).toHaveLength(all.events.length);
    const bad = await bearerFetch(a.url, `/v1/jobs/${job.public_id}/events?since=-1`);
    expect(bad.status).toBe(422);
  });

  it("returns one job for concurrent requests with the same Idempotency-Key (unique violation mapped)", async () => {
    const photo = await productPhoto({ width: 64, height: 64 });
    const send = (shop: string) =>
      bearerFetch(b.url, "/v1/jobs", {
        method: "POST",
        shop,
        headers: { "Idempotency-Key": "order-pg-1" },
        body: multipart({ kind: "catalog_image", image: { data: photo, filename: "a.jpg", type: "image/jpeg" } }),
      });
    const responses = await Promise.all(Array.from({ length: 6 }, () => send(SHOP)));
    const bodies = await Promise.all(responses.map((r) => r.json()));
    expect(responses.map((r) => r.status), b.output().slice(-3000)).toEqual(Array(6).fill(201));
    expect(new Set(bodies.map((x) => x.public_id)).size).toBe(1);
    const other = await (await send(OTHER_SHOP)).json();
    expect(other.public_id).not.toBe(bodies[0].public_id);
    const rows = await dbB.query(`SELECT count(*)::int AS n FROM "Job" WHERE "idempotencyKey" = 'order-pg-1'`);
    expect(rows[0].n).toBe(2);
  });

  it("lists newest first with cursor pages and filters, per shop", async () => {
    const before = await (await bearerFetch(b.url, "/v1/jobs?limit=100")).json();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const job = await createCatalogJob(b.url, await productPhoto({ width: 64, height: 64 }), { product_id: `gid://shopify/Product/${i % 2 ? 7 : 8}` });
      ids.push(job.public_id);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await bearerFetch(b.url, `/v1/jobs?limit=2${cursor ? `&cursor=${cursor}` : ""}`);
      expect(res.status).toBe(200);
      const page = await res.json();
      await validateResponse("/v1/jobs", "get", 200, page);
      expect(page.jobs.length).toBeLessThanOrEqual(2);
      for (const j of page.jobs) expectRecent(j.created_at);
      seen.push(...page.jobs.map((j: any) => j.public_id));
      cursor = page.next_cursor;
      pages++;
    } while (cursor && pages < 20);
    expect(seen.slice(0, 5)).toEqual([...ids].reverse());
    expect(seen).toHaveLength(5 + before.jobs.length);
    const sevens = await (await bearerFetch(b.url, `/v1/jobs?product_id=gid://shopify/Product/7`)).json();
    expect(sevens.jobs.map((j: any) => j.public_id)).toEqual([ids[3], ids[1]]);
    const queued = await (await bearerFetch(b.url, `/v1/jobs?status=queued&kind=catalog_image&limit=100`)).json();
    expect(queued.jobs.map((j: any) => j.public_id)).toEqual(expect.arrayContaining(ids));
    const otherShop = await (await bearerFetch(b.url, `/v1/jobs?limit=100`, { shop: OTHER_SHOP })).json();
    expect(otherShop.jobs.map((j: any) => j.public_id)).not.toEqual(expect.arrayContaining([ids[0]]));
  });

  it("cancels a queued job at once (202, timeline ends failed/cancelled); a second cancel is 409", async () => {
    const job = await createCatalogJob(b.url, await productPhoto({ width: 64, height: 64 }));
    const res = await bearerFetch(b.url, `/v1/jobs/${job.public_id}/cancel`, { method: "POST" });
    expect(res.status).toBe(202);
    const body = await res.json();
    await validateResponse("/v1/jobs/{public_id}/cancel", "post", 202, body);
    expect(body.status).toBe("cancelled");
    const { events, latest_seq } = await publicEvents(b.url, job.public_id);
    expect(events.map((e) => e.event_type)).toEqual(["queued", "failed"]);
    expect(events[1].extra.error).toEqual({ code: "cancelled", message: expect.any(String), retryable: false });
    expect(events[1].extra.cost).toMatchObject({ currency: "USD", units: 0 });
    expect(latest_seq).toBe(events[1].seq);
    const row = await jobRow(dbB, job.public_id);
    expect(row).toMatchObject({ status: "cancelled", cancelRequested: true });
    expect(row.finishedAt).not.toBeNull();

    const again = await bearerFetch(b.url, `/v1/jobs/${job.public_id}/cancel`, { method: "POST" });
    expect(again.status).toBe(409);
    expect(await again.json()).toHaveProperty("detail");
    const foreign = await bearerFetch(b.url, `/v1/jobs/${job.public_id}/cancel`, { method: "POST", shop: OTHER_SHOP });
    expect(foreign.status).toBe(404);
  });
});
