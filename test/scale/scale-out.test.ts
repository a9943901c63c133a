// End-to-end scale-out: the production server on PostgreSQL with REDIS_URL set and blobs in S3
// (s3rver), plus one `npm run worker` process. The API server only enqueues; the worker runs
// the job; artifacts are S3 objects served through presigned S3 URLs.
import { randomBytes } from "node:crypto";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bearerFetch } from "../support/api-client";
import { SHOP } from "../support/constants";
import { validateResponse } from "../support/openapi";
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
  jobDetail,
  jobRow,
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
const prefix = `scale-${randomBytes(4).toString("hex")}`;

beforeAll(async () => {
  // STUDIO_WORKER is left at its default ("auto"): with REDIS_URL set the server must not run jobs.
  ({ database, s3, redis, appEnv, server } = await startScaleStack(cleanup, prefix));
});
afterAll(() => cleanup.run());

describe("scale-out: API server + npm run worker on PostgreSQL, Redis and S3", () => {
  const photo = { width: 800, height: 600 };
  let source: Buffer;
  let publicId: string;
  let worker: WorkerProcess | undefined;

  it("the API server only enqueues: with no worker running the job stays queued", async () => {
    source = await productPhoto(photo);
    const created = await createCatalogJob(server.url, source, { product_id: "gid://shopify/Product/1" }, server.output);
    await validateResponse("/v1/jobs", "post", 201, created);
    publicId = created.public_id;
    expect(created.status).toBe("queued");

    // A "run job N" message is waiting in Redis…
    const row = await jobRow(database, publicId);
    const counts = await redis.queue.getJobCounts("waiting", "active", "delayed", "prioritized");
    expect(counts.waiting + counts.prioritized + counts.delayed).toBeGreaterThanOrEqual(1);
    expect((await redis.queue.getJob(`job-${row.id}`))?.data).toEqual({ jobId: row.id });

    // …and nothing runs it (the embedded in-process worker would claim it within milliseconds).
    await new Promise((r) => setTimeout(r, 3000));
    const still = await jobRow(database, publicId);
    expect(still).toMatchObject({ status: "queued", attempts: 0, leaseOwner: null, startedAt: null });
    expect((await publicEvents(server.url, publicId)).events.map((e) => e.event_type)).toEqual(["queued"]);

    // The upload went to S3 under the prefix.
    const keys = await s3.listKeys(`${prefix}/`);
    expect(keys.length).toBe(1);
    expect((await s3.getObject(keys[0])).equals(source)).toBe(true);
  });

  it("a worker process runs it to succeeded", async () => {
    worker = await startWorker(appEnv);
    cleanup.add("stop worker", () => worker?.stop());
    const done = await waitFinished(server.url, publicId);
    expect(done.status, worker.output()).toBe("succeeded");
    await validateResponse("/v1/jobs/{public_id}", "get", 200, done);
    const body = await publicEvents(server.url, publicId);
    await validateResponse("/v1/jobs/{public_id}/events", "get", 200, body);
    expectWellFormedTimeline(body);
    await expectNoStageRunTwice(database, publicId);
    const row = await jobRow(database, publicId);
    expect(row.attempts).toBe(1);
    expect(row.leaseOwner).toBeNull();
  });

  it("final artifacts are presigned S3 URLs on s3rver that return the stored bytes", async () => {
    const done = await jobDetail(server.url, publicId);
    expect(done.final_artifacts.length).toBeGreaterThanOrEqual(2);
    for (const artifact of done.final_artifacts) {
      expect(artifact).toMatchObject({ kind: "catalog_image", role: "final" });
      const url = new URL(artifact.image_url);
      expect(url.origin).toBe(s3.endpoint);
      expect(url.pathname.startsWith(`/${s3.bucket}/${prefix}/`)).toBe(true);
      expect(url.searchParams.get("X-Amz-Algorithm")).toBe("AWS4-HMAC-SHA256");
      expect(url.searchParams.get("X-Amz-Signature")).toMatch(/^[0-9a-f]{64}$/);
      expect(url.searchParams.get("X-Amz-Credential")).toMatch(/^S3RVER\//);
      expect(Number(url.searchParams.get("X-Amz-Expires"))).toBe(900);

      const res = await fetch(url);
      expect(res.status).toBe(200);
      const bytes = Buffer.from(await res.arrayBuffer());
      const key = decodeURIComponent(url.pathname.slice(`/${s3.bucket}/`.length));
      expect(bytes.equals(await s3.getObject(key))).toBe(true);
      const meta = await sharp(bytes).metadata();
      expect([meta.width, meta.height]).toEqual([2048, 2048]);
      expect(artifact.meta).toMatchObject({ width: 2048, height: 2048, format: meta.format, bytes: bytes.length });
      expect(res.headers.get("content-type")).toBe(`image/${meta.format}`);
    }
    expect(new Set(done.final_artifacts.map((a: any) => a.meta.format))).toEqual(new Set(["jpeg", "webp"]));
    // The server does not proxy S3 blobs.
    const token = await bearerFetch(server.url, `/blobs/anything`);
    expect(token.status).toBeGreaterThanOrEqual(400);
  });

  it("the cutout is an RGBA PNG of the source's size, from S3", async () => {
    const { events } = await publicEvents(server.url, publicId);
    const segmentDone = events.find((e) => e.stage === "segment" && e.artifacts.some((a) => a.kind === "cutout"));
    expect(segmentDone).toBeDefined();
    const cutout = segmentDone!.artifacts.find((a) => a.kind === "cutout");
    expect(cutout.role).toBe("intermediate");
    const url = new URL(cutout.image_url);
    expect(url.origin).toBe(s3.endpoint);
    expect(url.searchParams.has("X-Amz-Signature")).toBe(true);
    const res = await fetch(url);
    expect(res.status).toBe(200);
    const png = Buffer.from(await res.arrayBuffer());
    const meta = await sharp(png).metadata();
    expect(meta).toMatchObject({ format: "png", width: photo.width, height: photo.height, channels: 4, hasAlpha: true });
    // The alpha channel is a mask: both transparent background and opaque subject.
    const alpha = await sharp(png).extractChannel(3).raw().toBuffer();
    expect(alpha.some((v) => v === 0)).toBe(true);
    expect(alpha.some((v) => v === 255)).toBe(true);

    // Every artifact is an S3 object under this run's prefix; no response names a key or bucket.
    const keys = await s3.listKeys(`${prefix}/`);
    expect(keys.length).toBeGreaterThanOrEqual(5); // upload, cutout, composite, jpeg, webp
    const detail = await (await bearerFetch(server.url, `/v1/jobs/${publicId}`)).json();
    const withoutUrls = JSON.stringify({ events, detail }, (k, v) => (k === "image_url" ? undefined : v));
    expect(withoutUrls).not.toContain(prefix);
    expect(withoutUrls).not.toContain(`/${s3.bucket}/`);
    expect(withoutUrls).not.toContain(`jobs/${SHOP}`);
    expect(withoutUrls).not.toContain("cutout.png");
  });
});
