// "Add to product": the job's JPEG final goes to its Shopify product through productUpdate,
// once, from a URL Shopify can still fetch after the page's URLs have expired.
import { beforeAll, describe, expect, it } from "vitest";
import { useUnitEnv } from "../../support/unit-env";
import { productPhoto } from "../../support/images";
import { API_SECRET } from "../../support/constants";

useUnitEnv();
const { db } = await import("~/db.server");
const { createJob } = await import("~/jobs/create-job.server");
const { inspectSourceImage } = await import("~/jobs/source-image.server");
const { runJob } = await import("~/engine/run-job.server");
const { addFinalToProduct, MEDIA_CLAIM_MS, MEDIA_SOURCE_TTL_SECONDS } = await import("~/jobs/product-media.server");
const { openBlobToken } = await import("~/storage/local-blob-store.server");
const { appBlobStore } = await import("~/storage/app-blob-store.server");

const SHOP = "product-media.myshopify.com";
const PRODUCT = "gid://shopify/Product/314";
type Call = { query: string; variables: Record<string, any> };

async function finishedJob(productId: string | null = PRODUCT, shop = SHOP) {
  const bytes = await productPhoto({ width: 320, height: 240 });
  const info = await inspectSourceImage(bytes, ["body", "image"]);
  const { job } = await createJob({ shop, kind: "catalog_image", options: { size: 256 }, productId, source: { type: "upload", bytes, info, filename: "mug.jpg" }, idempotencyKey: null });
  await runJob(job.id);
  return db().job.findUniqueOrThrow({ where: { id: job.id } });
}

function shopify(answer: (call: Call) => unknown, calls: Call[] = []) {
  return async (query: string, options?: { variables?: Record<string, unknown> }) => {
    const call = { query, variables: options?.variables ?? {} };
    calls.push(call);
    return new Response(JSON.stringify(answer(call)), { headers: { "Content-Type": "application/json" } });
  };
}
const created = (mediaId: string) => () => ({ data: { productUpdate: { product: { id: PRODUCT, media: { nodes: [{ id: mediaId }] } }, userErrors: [] } } });

let job: Awaited<ReturnType<typeof finishedJob>>;
beforeAll(async () => {
  job = await finishedJob();
  expect(job.status).toBe("succeeded");
}, 60_000);

describe("addFinalToProduct", () => {
  it("sends the JPEG final as product media from a long-lived URL and remembers the media id", async () => {
    const calls: Call[] = [];
    const outcome = await addFinalToProduct(shopify(created("gid://shopify/MediaImage/77"), calls), SHOP, job.publicId);
    expect(outcome).toMatchObject({ ok: true, added: true });
    expect(calls).toHaveLength(1);
    expect(calls[0].query).toMatch(/productUpdate\(product: \$product, media: \$media\)/);
    const { product, media } = calls[0].variables;
    expect(product).toEqual({ id: PRODUCT });
    // (an upload's file name is no alt text; a product job's title would be)
    expect(media).toEqual([{ originalSource: expect.any(String), mediaContentType: "IMAGE", alt: "" }]);

    // The URL opens the job's JPEG final, and outlives the 15-minute page URLs.
    const token = new URL(media[0].originalSource).pathname.split("/").pop()!;
    const opened = openBlobToken(token, API_SECRET);
    expect(opened.ok && opened.contentType).toBe("image/jpeg");
    if (!opened.ok) return;
    expect(opened.expiresAt).toBeGreaterThanOrEqual(Math.floor(Date.now() / 1000) + MEDIA_SOURCE_TTL_SECONDS - 60);
    const jpeg = await db().artifact.findFirstOrThrow({ where: { jobId: job.id, role: "final", contentType: "image/jpeg" } });
    expect(await appBlobStore().get(opened.key)).toEqual(await appBlobStore().get(jpeg.storageKey));
    expect((await db().job.findUniqueOrThrow({ where: { id: job.id } })).productMediaId).toBe("gid://shopify/MediaImage/77");

    // A second press adds nothing and asks Shopify nothing.
    const again = await addFinalToProduct(shopify(created("gid://shopify/MediaImage/78"), calls), SHOP, job.publicId);
    expect(again).toMatchObject({ ok: true, added: false });
    expect(calls).toHaveLength(1);
  });

  it("reports Shopify's user errors and a vanished product, and remembers nothing", async () => {
    const other = await finishedJob();
    const refused = await addFinalToProduct(shopify(() => ({ data: { productUpdate: { product: null, userErrors: [{ field: ["media"], message: "Image URL is invalid" }] } } })), SHOP, other.publicId);
    expect(refused).toEqual({ ok: false, reason: "shopify", message: "Shopify didn't add the image: Image URL is invalid" });
    const gone = await addFinalToProduct(shopify(() => ({ data: { productUpdate: { product: null, userErrors: [] } } })), SHOP, other.publicId);
    expect(gone).toMatchObject({ ok: false, message: "Shopify didn't add the image: the product no longer exists" });
    const down = await addFinalToProduct(async () => { throw new Error("ECONNRESET"); }, SHOP, other.publicId);
    expect(down).toMatchObject({ ok: false, reason: "shopify" });
    expect((await db().job.findUniqueOrThrow({ where: { id: other.id } })).productMediaId).toBeNull();
  });

  it("adds the image once when two requests race (two tabs, a double submit)", async () => {
    const racing = await finishedJob();
    const calls: Call[] = [];
    let answer!: () => void;
    const answered = new Promise<void>((resolve) => (answer = resolve));
    const slow = async (query: string, options?: { variables?: Record<string, unknown> }) => {
      await answered;
      return shopify(created("gid://shopify/MediaImage/90"), calls)(query, options);
    };
    const first = addFinalToProduct(slow, SHOP, racing.publicId);
    await expect.poll(async () => (await db().job.findUniqueOrThrow({ where: { id: racing.id } })).mediaClaimedAt).not.toBeNull();
    const second = await addFinalToProduct(shopify(created("gid://shopify/MediaImage/91"), calls), SHOP, racing.publicId);
    expect(second).toEqual({ ok: false, reason: "in_progress", message: "This image is being added to the product already" });
    answer();
    expect(await first).toMatchObject({ ok: true, added: true });
    expect(await addFinalToProduct(shopify(created("gid://shopify/MediaImage/92"), calls), SHOP, racing.publicId)).toMatchObject({ ok: true, added: false });
    expect(calls.map((c) => c.variables.product)).toEqual([{ id: PRODUCT }]);
    expect((await db().job.findUniqueOrThrow({ where: { id: racing.id } })).productMediaId).toBe("gid://shopify/MediaImage/90");
  });

  it("takes over a claim a crashed request left, and releases its own when Shopify throws", async () => {
    const stuck = await finishedJob();
    await db().job.update({ where: { id: stuck.id }, data: { mediaClaimedAt: new Date(Date.now() - MEDIA_CLAIM_MS - 1000) } });
    const reauth = new Response(null, { status: 401 });
    await expect(addFinalToProduct(async () => { throw reauth; }, SHOP, stuck.publicId)).rejects.toBe(reauth);
    expect((await db().job.findUniqueOrThrow({ where: { id: stuck.id } })).mediaClaimedAt).toBeNull();
    expect(await addFinalToProduct(shopify(created("gid://shopify/MediaImage/93")), SHOP, stuck.publicId)).toMatchObject({ ok: true, added: true });
  });

  it("refuses another shop's job, a job without a product and an unfinished job without asking Shopify", async () => {
    const calls: Call[] = [];
    const graphql = shopify(created("gid://shopify/MediaImage/1"), calls);
    expect(await addFinalToProduct(graphql, "elsewhere.myshopify.com", job.publicId)).toMatchObject({ ok: false, reason: "not_found" });
    const loose = await finishedJob(null);
    expect(await addFinalToProduct(graphql, SHOP, loose.publicId)).toMatchObject({ ok: false, reason: "no_product" });
    const bytes = await productPhoto({ width: 64, height: 64 });
    const { job: queued } = await createJob({ shop: SHOP, kind: "catalog_image", options: {}, productId: PRODUCT, source: { type: "upload", bytes, info: await inspectSourceImage(bytes, ["body", "image"]), filename: "q.jpg" }, idempotencyKey: null });
    expect(await addFinalToProduct(graphql, SHOP, queued.publicId)).toMatchObject({ ok: false, reason: "not_succeeded" });
    expect(calls).toHaveLength(0);
  });
});
