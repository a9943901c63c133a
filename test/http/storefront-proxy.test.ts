// Publishing and the storefront's app proxy (contract § App proxy) against a real server:
// a merchant publishes a succeeded job through /v1; the proxy, signed as Shopify signs it,
// shows only published jobs of its own shop, and refuses anything unsigned, badly signed or stale.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import sharp from "sharp";
import { startServer, type TestServer } from "../support/test-server";
import { bearerFetch, hmacFetch, waitFor } from "../support/api-client";
import { multipart, productPhoto } from "../support/images";
import { OTHER_SHOP, SHOP } from "../support/constants";
import { validateResponse } from "../support/openapi";
import { proxyUrl } from "../support/app-proxy";

const PRODUCT = "gid://shopify/Product/7001";
let server: TestServer;
let published: string;
let unpublished: string;
let failed: string;
let foreign: string;

async function createJob(image: Uint8Array, shop = SHOP, productId = PRODUCT) {
  const form = multipart({ kind: "catalog_image", product_id: productId, image: { data: image, filename: "p.jpg", type: "image/jpeg" }, options: JSON.stringify({ size: 512 }) });
  const res = await bearerFetch(server.url, "/v1/jobs", { method: "POST", body: form, shop });
  expect(res.status).toBe(201);
  return (await res.json()).public_id as string;
}

async function finished(publicId: string, shop = SHOP) {
  return waitFor(async () => {
    const job = await (await bearerFetch(server.url, `/v1/jobs/${publicId}`, { shop })).json();
    return ["succeeded", "failed", "cancelled"].includes(job.status) ? job : null;
  }, 90_000, 200);
}

const publish = (publicId: string, shop = SHOP) => bearerFetch(server.url, `/v1/jobs/${publicId}/publication`, { method: "PUT", shop });
const storefront = (path: string, signing = {}) => fetch(proxyUrl(server.url, path, signing));

beforeAll(async () => {
  server = await startServer({ shops: [SHOP, OTHER_SHOP] });
  const photo = await productPhoto({ width: 480, height: 480 });
  const blank = await sharp({ create: { width: 320, height: 320, channels: 3, background: "#ffffff" } }).jpeg().toBuffer();
  [published, unpublished, failed, foreign] = await Promise.all([createJob(photo), createJob(photo), createJob(blank), createJob(photo, OTHER_SHOP)]);
  expect((await finished(published)).status).toBe("succeeded");
  expect((await finished(unpublished)).status).toBe("succeeded");
  expect((await finished(failed)).status).toBe("failed");
  expect((await finished(foreign, OTHER_SHOP)).status).toBe("succeeded");
}, 180_000);
afterAll(async () => {
  await server?.stop();
});

describe("/v1/jobs/{id}/publication", () => {
  it("publishes a succeeded job, keeps the first date when published again, and unpublishes", async () => {
    const before = await (await bearerFetch(server.url, `/v1/jobs/${published}/publication`)).json();
    await validateResponse("/v1/jobs/{public_id}/publication", "get", 200, before);
    expect(before).toEqual({ public_id: published, published: false, published_at: null });

    const res = await publish(published);
    expect(res.status).toBe(200);
    const first = await res.json();
    await validateResponse("/v1/jobs/{public_id}/publication", "put", 200, first);
    expect(first).toMatchObject({ public_id: published, published: true });
    // Through the HMAC path too; a second PUT changes nothing.
    const again = await (await hmacFetch(server.url, `/v1/jobs/${published}/publication`, { method: "PUT" })).json();
    expect(again.published_at).toBe(first.published_at);

    const off = await bearerFetch(server.url, `/v1/jobs/${published}/publication`, { method: "DELETE" });
    expect(off.status).toBe(200);
    expect(await off.json()).toEqual({ public_id: published, published: false, published_at: null });
    expect((await publish(published)).status).toBe(200);
  });

  it("refuses to publish a job that did not succeed (409) and leaves it unpublished", async () => {
    const res = await publish(failed);
    expect(res.status).toBe(409);
    const body = await res.json();
    await validateResponse("/v1/jobs/{public_id}/publication", "put", 409, body);
    expect(body.detail).toMatch(/succeeded/);
    expect((await (await bearerFetch(server.url, `/v1/jobs/${failed}/publication`)).json()).published).toBe(false);
  });

  it("answers another shop's job, an unknown and a malformed id with the same 404", async () => {
    const bodies = [];
    for (const id of [foreign, "01ARZ3NDEKTSV4RRFFQ69G5FAV", "nope"]) {
      for (const method of ["GET", "PUT", "DELETE"]) {
        const res = await bearerFetch(server.url, `/v1/jobs/${id}/publication`, { method });
        expect(res.status).toBe(404);
        bodies.push(await res.text());
      }
    }
    expect(new Set(bodies)).toEqual(new Set(['{"detail":"Job not found"}']));
    expect((await (await bearerFetch(server.url, `/v1/jobs/${foreign}/publication`, { shop: OTHER_SHOP })).json()).published).toBe(false);
  });

  it("needs a credential", async () => {
    const res = await fetch(`${server.url}/v1/jobs/${published}/publication`, { method: "PUT" });
    expect(res.status).toBe(401);
  });
});

describe("app proxy /proxy/*", () => {
  it("lists a product's published jobs only, with final images that load", async () => {
    await publish(published);
    // The other shop publishes a job for the same product id: it must not show up here.
    expect((await publish(foreign, OTHER_SHOP)).status).toBe(200);
    for (const path of ["/proxy/products/7001", `/proxy/products/${encodeURIComponent(PRODUCT)}`]) {
      const res = await storefront(path);
      expect(res.status).toBe(200);
      const body = await res.json();
      await validateResponse("/proxy/products/{product_id}", "get", 200, body);
      expect(body.product_id).toBe(PRODUCT);
      expect(body.jobs.map((job: { public_id: string }) => job.public_id)).toEqual([published]);
      const [job] = body.jobs;
      expect(job.images.map((image: { role: string; meta: { format: string } }) => [image.role, image.meta.format]).sort()).toEqual([
        ["final", "jpeg"],
        ["final", "webp"],
      ]);
      const image = await fetch(job.images[0].image_url);
      expect(image.status).toBe(200);
      expect((await sharp(Buffer.from(await image.arrayBuffer())).metadata()).width).toBe(512);
    }
    const other = await (await storefront("/proxy/products/7001", { shop: OTHER_SHOP })).json();
    expect(other.jobs.map((job: { public_id: string }) => job.public_id)).toEqual([foreign]);
  });

  it("shows one published job; an unpublished, failed, foreign or unknown one is the same 404", async () => {
    await publish(published);
    const res = await storefront(`/proxy/jobs/${published}`);
    expect(res.status).toBe(200);
    const job = await res.json();
    await validateResponse("/proxy/jobs/{public_id}", "get", 200, job);
    expect(job).toMatchObject({ public_id: published, kind: "catalog_image", product_id: PRODUCT });
    const bodies = [];
    for (const id of [unpublished, failed, foreign, "01ARZ3NDEKTSV4RRFFQ69G5FAV", "nope"]) {
      const miss = await storefront(`/proxy/jobs/${id}`);
      expect(miss.status).toBe(404);
      bodies.push(await miss.text());
    }
    expect(new Set(bodies)).toEqual(new Set(['{"detail":"Job not found"}']));
  });

  it("stops showing a job once it is unpublished", async () => {
    await publish(published);
    await bearerFetch(server.url, `/v1/jobs/${published}/publication`, { method: "DELETE" });
    expect((await storefront(`/proxy/jobs/${published}`)).status).toBe(404);
    expect((await (await storefront("/proxy/products/7001")).json()).jobs).toEqual([]);
    await publish(published);
  });

  it("refuses unsigned, badly signed, stale and uninstalled-shop requests with 401", async () => {
    await publish(published);
    const path = `/proxy/jobs/${published}`;
    const signed = proxyUrl(server.url, path);
    const tampered = new URL(signed);
    tampered.searchParams.set("logged_in_customer_id", "42");
    const unsigned = new URL(signed);
    unsigned.searchParams.delete("signature");
    const cases: Array<[string, URL]> = [
      ["unsigned", unsigned],
      ["tampered", tampered],
      ["wrong secret", proxyUrl(server.url, path, { secret: "not-the-secret" })],
      ["stale", proxyUrl(server.url, path, { timestamp: Math.floor(Date.now() / 1000) - 600 })],
      ["future", proxyUrl(server.url, path, { timestamp: Math.floor(Date.now() / 1000) + 600 })],
      ["not installed", proxyUrl(server.url, path, { shop: "stranger.myshopify.com" })],
      ["bare", new URL(server.url + path)],
    ];
    for (const [name, url] of cases) {
      const res = await fetch(url);
      expect(res.status, name).toBe(401);
      expect(await res.json(), name).toEqual({ detail: expect.any(String) });
    }
    // Signed as Shopify signs it, the same request is served.
    expect((await fetch(signed)).status).toBe(200);
  });

  it("answers other proxy paths and methods without reading anything unless signed", async () => {
    expect((await storefront("/proxy/elsewhere")).status).toBe(404);
    expect((await fetch(`${server.url}/proxy/elsewhere`)).status).toBe(401);
    expect((await storefront("/proxy/products/not-a-product")).status).toBe(422);
    expect((await fetch(proxyUrl(server.url, "/proxy/products/7001"), { method: "POST" })).status).toBe(405);
  });

  it("is in the OpenAPI document", async () => {
    const doc = await (await fetch(`${server.url}/v1/openapi.json`)).json();
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(["/v1/jobs/{public_id}/publication", "/proxy/products/{product_id}", "/proxy/jobs/{public_id}"]));
  });
});
