// List thumbnails: the engine stores a small WebP preview beside the source and the first
// final, and the jobs list shows that instead of the full-size image.
import { describe, expect, it } from "vitest";
import sharp from "sharp";
import { useUnitEnv } from "../../support/unit-env";
import { productPhoto } from "../../support/images";
import { API_SECRET } from "../../support/constants";

useUnitEnv();
const { db } = await import("~/db.server");
const { createJob } = await import("~/jobs/create-job.server");
const { inspectSourceImage } = await import("~/jobs/source-image.server");
const { runJob } = await import("~/engine/run-job.server");
const { jobThumbnails } = await import("~/jobs/job-thumbnails.server");
const { PREVIEW_SIDE } = await import("~/imaging/preview.server");
const { openBlobToken } = await import("~/storage/local-blob-store.server");
const { appBlobStore } = await import("~/storage/app-blob-store.server");

const SHOP = "thumbnails.myshopify.com";

async function newJob() {
  const bytes = await productPhoto({ width: 640, height: 480 });
  const info = await inspectSourceImage(bytes, ["body", "image"]);
  const { job } = await createJob({ shop: SHOP, kind: "catalog_image", options: { size: 1024 }, productId: null, source: { type: "upload", bytes, info, filename: "mug.jpg" }, idempotencyKey: null });
  return job;
}

const withFinals = (id: number) => db().job.findUniqueOrThrow({ where: { id }, include: { artifacts: { where: { role: "final" }, orderBy: { id: "asc" } } } });

async function blobOf(url: string) {
  const opened = openBlobToken(new URL(url).pathname.split("/").pop()!, API_SECRET);
  if (!opened.ok) throw new Error(`bad URL: ${opened.reason}`);
  const body = await appBlobStore().get(opened.key);
  return { contentType: opened.contentType, body, meta: await sharp(body).metadata() };
}

describe("list thumbnails", () => {
  it("are a small WebP preview of the final, stored once per job stage", async () => {
    const job = await newJob();
    await runJob(job.id);
    const artifacts = await db().artifact.findMany({ where: { jobId: job.id }, orderBy: { id: "asc" } });
    // one preview for the source, one for the finals (the JPEG), none for cutouts or composites
    expect(artifacts.filter((a) => a.previewKey).map((a) => [a.kind, a.role, a.contentType])).toEqual([
      ["source", "intermediate", "image/png"],
      ["catalog_image", "final", "image/jpeg"],
    ]);
    const url = (await jobThumbnails([await withFinals(job.id)])).get(job.publicId)!;
    const preview = await blobOf(url);
    expect(preview.contentType).toBe("image/webp");
    expect(preview.meta.format).toBe("webp");
    expect(Math.max(preview.meta.width!, preview.meta.height!)).toBe(PREVIEW_SIDE);
    const finalBytes = artifacts.find((a) => a.role === "final" && a.contentType === "image/webp")!.bytes;
    expect(preview.body.length).toBeLessThan(finalBytes / 4);
  });

  it("fall back to the full image for artifacts stored before previews, and are null before any image", async () => {
    const queued = await newJob();
    const old = await newJob();
    await runJob(old.id);
    await db().artifact.updateMany({ where: { jobId: old.id }, data: { previewKey: null } });
    const thumbnails = await jobThumbnails([await withFinals(queued.id), await withFinals(old.id)]);
    expect(thumbnails.get(queued.publicId)).toBeNull();
    const full = await blobOf(thumbnails.get(old.publicId)!);
    // the smallest final: the 1024 px WebP
    expect([full.contentType, full.meta.width]).toEqual(["image/webp", 1024]);
  });
});
