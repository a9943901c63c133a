// Domain pieces behind the admin pages: Run again, walking the job list backwards, products'
// featured images through the Admin API, and the new-job form's parsing.
import { describe, expect, it } from "vitest";
import { useUnitEnv } from "../../support/unit-env";
import { productPhoto } from "../../support/images";

useUnitEnv();
const { db } = await import("~/db.server");
const { createJob } = await import("~/jobs/create-job.server");
const { rerunJob } = await import("~/jobs/rerun-job.server");
const { listJobs } = await import("~/jobs/list-jobs.server");
const { fetchFeaturedImages } = await import("~/jobs/product-images.server");
const { inspectSourceImage } = await import("~/jobs/source-image.server");
const { appBlobStore } = await import("~/storage/app-blob-store.server");
const { parseNewJobs, kindChoices } = await import("~/admin/new-jobs.server");
const { pipelineFor } = await import("~/pipelines/index.server");

const SHOP = "admin-domain.myshopify.com";
const CDN = "https://cdn.shopify.com/s/files/1/0001/files/mug.jpg?v=1";

async function uploadJob(shop = SHOP, options: Record<string, unknown> = { background: "#f6f6f4", fill: 0.7, shadow: false, size: 1024 }) {
  const bytes = await productPhoto();
  const info = await inspectSourceImage(bytes, ["body", "image"]);
  const { job } = await createJob({ shop, kind: "catalog_image", options, productId: "gid://shopify/Product/7", source: { type: "upload", bytes, info, filename: "mug.jpg" }, idempotencyKey: null });
  return { job, bytes };
}

type Graphql = (query: string, options?: { variables?: Record<string, unknown> }) => Promise<Response>;
const graphqlAnswering = (nodes: (ids: string[]) => unknown[], calls: string[][] = []): Graphql => async (_query, options) => {
  const ids = options?.variables?.ids as string[];
  calls.push(ids);
  return new Response(JSON.stringify({ data: { nodes: nodes(ids) } }), { headers: { "Content-Type": "application/json" } });
};
const product = (id: string, title: string, url?: string) => ({ id, title, featuredMedia: url ? { image: { url } } : null });

describe("rerunJob", () => {
  it("creates a new job with the same kind, options, product and stored upload", async () => {
    const { job, bytes } = await uploadJob();
    const result = await rerunJob(SHOP, job.publicId);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const again = result.job;
    expect(again.publicId).not.toBe(job.publicId);
    expect(again).toMatchObject({ shop: SHOP, kind: "catalog_image", productId: "gid://shopify/Product/7", sourceName: "mug.jpg", status: "queued" });
    expect(JSON.parse(again.options)).toEqual(JSON.parse(job.options));
    expect(again.sourceKey).not.toBe(job.sourceKey);
    expect(await appBlobStore().get(again.sourceKey!)).toEqual(bytes);
    const events = await db().jobEvent.findMany({ where: { jobId: again.id } });
    expect(events.map((e) => e.eventType)).toEqual(["queued"]);
  });

  it("reuses a product job's Shopify CDN URL and name", async () => {
    const { job } = await createJob({ shop: SHOP, kind: "catalog_image", options: { background: "#ffffff", fill: 0.85, shadow: true, size: 2048 }, productId: "gid://shopify/Product/8", source: { type: "url", url: CDN, name: "Ceramic mug" }, idempotencyKey: null });
    expect(job.sourceName).toBe("Ceramic mug");
    const result = await rerunJob(SHOP, job.publicId);
    expect(result.ok && result.job).toMatchObject({ sourceUrl: CDN, sourceName: "Ceramic mug", sourceKey: null, productId: "gid://shopify/Product/8" });
  });

  it("only reruns the shop's own jobs, and an Idempotency-Key makes a double click one job", async () => {
    const { job } = await uploadJob();
    expect(await rerunJob("someone-else.myshopify.com", job.publicId)).toMatchObject({ ok: false, reason: "not_found" });
    expect(await rerunJob(SHOP, "not-a-ulid")).toMatchObject({ ok: false, reason: "not_found" });
    const first = await rerunJob(SHOP, job.publicId, { idempotencyKey: "admin-rerun-test-1" });
    const second = await rerunJob(SHOP, job.publicId, { idempotencyKey: "admin-rerun-test-1" });
    expect(first.ok && second.ok && first.job.publicId === second.job.publicId).toBe(true);
  });

  it("explains when the stored source is gone", async () => {
    const { job } = await uploadJob();
    await appBlobStore().delete(job.sourceKey!);
    expect(await rerunJob(SHOP, job.publicId)).toMatchObject({ ok: false, reason: "no_source" });
  });
});

describe("listJobs", () => {
  it("walks back with `before` to exactly the previous page", async () => {
    const shop = "paging.myshopify.com";
    for (let i = 0; i < 7; i++) {
      await db().job.create({ data: { publicId: `01JPAGE${String(i).padStart(19, "0")}`, shop, kind: "catalog_image", status: "succeeded", options: "{}" } });
    }
    const first = await listJobs({ shop, limit: 3 });
    expect(first.previousCursor).toBeNull();
    const second = await listJobs({ shop, limit: 3, cursor: first.nextCursor! });
    expect(second.previousCursor).toBe(second.jobs[0].publicId);
    const back = await listJobs({ shop, limit: 3, before: second.previousCursor! });
    expect(back.jobs.map((j) => j.publicId)).toEqual(first.jobs.map((j) => j.publicId));
    expect(back.previousCursor).toBeNull();
    expect(back.nextCursor).toBe(first.nextCursor);
    const third = await listJobs({ shop, limit: 3, cursor: second.nextCursor! });
    expect(third.jobs).toHaveLength(1);
    expect(third.nextCursor).toBeNull();
    const backToSecond = await listJobs({ shop, limit: 3, before: third.previousCursor! });
    expect(backToSecond.jobs.map((j) => j.publicId)).toEqual(second.jobs.map((j) => j.publicId));
    expect(backToSecond.previousCursor).toBe(second.jobs[0].publicId);
  });
});

describe("fetchFeaturedImages", () => {
  it("reads each product's featured image URL in one query", async () => {
    const calls: string[][] = [];
    const images = await fetchFeaturedImages(
      graphqlAnswering(
        () => [
          product("gid://shopify/Product/1", "Mug", CDN),
          product("gid://shopify/Product/2", "Tote"),
          product("gid://shopify/Product/3", "Lamp", "https://evil.example.com/lamp.jpg"),
          null,
        ],
        calls,
      ),
      ["gid://shopify/Product/1", "gid://shopify/Product/2", "gid://shopify/Product/3", "gid://shopify/Product/4", "not-a-product"],
    );
    expect(calls).toHaveLength(1);
    expect(calls[0]).toHaveLength(4);
    expect(images.get("gid://shopify/Product/1")).toEqual({ ok: true, title: "Mug", url: CDN });
    expect(images.get("gid://shopify/Product/2")).toMatchObject({ ok: false, message: expect.stringContaining("no featured image") });
    expect(images.get("gid://shopify/Product/3")).toMatchObject({ ok: false, message: expect.stringContaining("isn't on Shopify's CDN") });
    expect(images.get("gid://shopify/Product/4")).toMatchObject({ ok: false, message: "This product no longer exists." });
    expect(images.get("not-a-product")).toMatchObject({ ok: false });
  });

  it("batches by 250 and survives a failing request", async () => {
    const calls: string[][] = [];
    const ids = Array.from({ length: 260 }, (_, i) => `gid://shopify/Product/${i + 1}`);
    const images = await fetchFeaturedImages(graphqlAnswering((batch) => batch.map((id) => product(id, id, CDN)), calls), ids);
    expect(calls.map((c) => c.length)).toEqual([250, 10]);
    expect([...images.values()].every((image) => image.ok)).toBe(true);
    const failing = await fetchFeaturedImages(async () => {
      throw new Error("network down");
    }, ["gid://shopify/Product/1"]);
    expect(failing.get("gid://shopify/Product/1")).toMatchObject({ ok: false, message: expect.stringContaining("Try again") });
  });
});

describe("parseNewJobs (the admin's new-job form)", () => {
  async function submit(fields: Record<string, string | string[]>, files: { name: string; data: Uint8Array; type: string }[] = [], graphql: Graphql = graphqlAnswering(() => []), productsUnavailable?: string) {
    const form = new FormData();
    for (const [name, value] of Object.entries(fields)) for (const v of [value].flat()) form.append(name, v);
    for (const file of files) form.append("image", new Blob([new Uint8Array(file.data)], { type: file.type }), file.name);
    const request = new Request("http://local/app/jobs/new", { method: "POST", body: form });
    return parseNewJobs({ request, shop: SHOP, graphql, productsUnavailable });
  }

  it("makes one job per uploaded image and per product, with the kind's defaults and per-submission keys", async () => {
    const photo = await productPhoto();
    const result = await submit(
      { kind: "catalog_image", options: JSON.stringify({ background: "#eeeeee" }), submission: "a1b2c3d4e5", product: JSON.stringify({ id: "gid://shopify/Product/1", title: "Mug" }) },
      [{ name: "one.jpg", data: photo, type: "image/jpeg" }, { name: "two.jpg", data: photo, type: "image/jpeg" }],
      graphqlAnswering(() => [product("gid://shopify/Product/1", "Ceramic mug", CDN)]),
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.inputs).toHaveLength(3);
    expect(result.inputs.map((i) => i.idempotencyKey)).toEqual(["admin-new-a1b2c3d4e5-0", "admin-new-a1b2c3d4e5-1", "admin-new-a1b2c3d4e5-2"]);
    expect(result.inputs[0].options).toEqual({ background: "#eeeeee", fill: 0.85, shadow: true, size: 2048 });
    expect(result.inputs[2]).toMatchObject({ productId: "gid://shopify/Product/1", source: { type: "url", url: CDN, name: "Ceramic mug" } });
  });

  it("reports every problem by field, and creates nothing", async () => {
    const result = await submit({ kind: "catalog_image", options: JSON.stringify({ fill: 5, background: "white" }) }, [
      { name: "notes.txt", data: new TextEncoder().encode("not an image"), type: "text/plain" },
    ]);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.options.fill).toMatch(/less than or equal to 1/);
    expect(result.errors.options.background).toMatch(/hex colour/);
    expect(result.errors.images[0]).toMatch(/PNG, JPEG or WebP/);
  });

  it("asks for images, refuses an unknown kind, and explains products the preview can't fetch", async () => {
    const empty = await submit({ kind: "catalog_image", options: "{}" });
    expect(!empty.ok && empty.errors.sources).toMatch(/Choose products or upload images/);
    const unknown = await submit({ kind: "portrait", options: "{}" }, [{ name: "a.jpg", data: await productPhoto(), type: "image/jpeg" }]);
    expect(!unknown.ok && unknown.errors.kind).toBe("Choose a job type.");
    const preview = await submit(
      { kind: "catalog_image", options: "{}", product: JSON.stringify({ id: "gid://shopify/Product/9", title: "Desk lamp" }) },
      [],
      async () => {
        throw new Error("must not be called");
      },
      "not in the preview.",
    );
    expect(!preview.ok && preview.errors.products["gid://shopify/Product/9"]).toBe("“Desk lamp”: not in the preview.");
  });

  it("reports a product id that is no product, whatever its name, and creates nothing", async () => {
    // (the form's JSON is the client's: "__proto__" as a key of a plain object set its
    // prototype, so the error vanished and the submission made no job and said nothing)
    for (const id of ["__proto__", "constructor", "gid://shopify/Collection/1"]) {
      const result = await submit({ kind: "catalog_image", options: "{}", product: JSON.stringify({ id, title: "Odd" }) });
      expect(result.ok, id).toBe(false);
      expect(!result.ok && Object.entries(result.errors.products), id).toEqual([[id, "This isn't a Shopify product."]]);
    }
  });
});

describe("kindChoices", () => {
  it("offers catalog images with the schema's defaults and base price", () => {
    const catalog = kindChoices().find((k) => k.kind === "catalog_image")!;
    expect(catalog).toMatchObject({ available: true, defaults: { background: "#ffffff", fill: 0.85, shadow: true, size: 2048 }, baseCost: 0.02 });
    expect(catalog.fields.map((f) => f.name)).toEqual(["background", "fill", "shadow", "size"]);
  });

  it("offers on-model renders with their options exactly when the server has that pipeline", () => {
    const onModel = kindChoices().find((k) => k.kind === "on_model_render")!;
    expect(onModel.available).toBe(pipelineFor("on_model_render") !== undefined);
    if (onModel.available) expect(onModel.fields.map((f) => f.name)).toEqual(expect.arrayContaining(["model", "provider"]));
    else expect(onModel.fields).toEqual([]);
  });
});
