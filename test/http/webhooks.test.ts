// Webhooks against a real server, signed as Shopify signs them. Compliance: shop/redact erases
// everything Studio holds for that shop (jobs, their images, model photos, sessions) and
// nothing of any other shop; the customer topics are acknowledged; a badly signed webhook
// changes nothing. app/uninstalled ends the shop's sessions.
import { readdirSync, existsSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getHmac } from "@shopify/shopify-api/test-helpers";
import { startServer, type TestServer } from "../support/test-server";
import { bearerFetch, hmacFetch, waitFor } from "../support/api-client";
import { multipart, productPhoto } from "../support/images";
import { API_SECRET, OTHER_SHOP, SHOP } from "../support/constants";
import { personPhoto, PERSON_ANCHORS } from "../fixtures/model-photos";

let server: TestServer;

function webhook(topic: string, shop: string, payload: object, secret = API_SECRET, uri = "/webhooks/compliance", base = server.url) {
  const body = JSON.stringify(payload);
  return fetch(`${base}${uri}`, {
    method: "POST",
    body,
    headers: {
      "Content-Type": "application/json",
      "X-Shopify-Topic": topic,
      "X-Shopify-Shop-Domain": shop,
      "X-Shopify-API-Version": "2025-10",
      "X-Shopify-Webhook-Id": crypto.randomUUID(),
      "X-Shopify-Hmac-Sha256": getHmac(body, secret),
    },
  });
}

async function finishedJob(shop: string) {
  const form = multipart({ kind: "catalog_image", image: { data: await productPhoto({ width: 320, height: 240 }), filename: "mug.jpg", type: "image/jpeg" }, options: JSON.stringify({ size: 256 }) });
  const job = await (await bearerFetch(server.url, "/v1/jobs", { method: "POST", body: form, shop })).json();
  return waitFor(async () => {
    const now = await (await bearerFetch(server.url, `/v1/jobs/${job.public_id}`, { shop })).json();
    return now.status === "succeeded" ? now : null;
  }, 90_000, 200);
}

/** Blob files under a shop's folders (jobs/{shop}/…, models/{shop}/…). */
function blobsOf(shop: string): string[] {
  return ["jobs", "models"].flatMap((kind) => {
    const dir = path.join(server.blobDir, kind, shop);
    return existsSync(dir) ? readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => e.name) : [];
  });
}

const jobsOf = async (shop: string) => (await (await hmacFetch(server.url, "/v1/jobs?limit=100", { shop })).json()).jobs as { public_id: string }[];
const ownModelsOf = async (shop: string) => ((await (await hmacFetch(server.url, "/v1/models", { shop })).json()).models as { builtin: boolean }[]).filter((m) => !m.builtin);

beforeAll(async () => {
  server = await startServer({ shops: [SHOP, OTHER_SHOP] });
}, 60_000);
afterAll(async () => {
  await server?.stop();
});

describe("compliance webhooks", () => {
  it("refuses a signed payload the library cannot read with a 400, not a 500", async () => {
    const notJson = "{not json";
    const res = await fetch(`${server.url}/webhooks/app/scopes_update`, {
      method: "POST",
      body: notJson,
      headers: {
        "Content-Type": "application/json",
        "X-Shopify-Topic": "app/scopes_update",
        "X-Shopify-Shop-Domain": SHOP,
        "X-Shopify-API-Version": "2025-10",
        "X-Shopify-Webhook-Id": crypto.randomUUID(),
        "X-Shopify-Hmac-Sha256": getHmac(notJson, API_SECRET),
      },
    });
    expect(res.status).toBe(400);
    expect((await webhook("shop/redact", "evil.com", { shop_domain: "evil.com" })).status).toBe(400);
  });

  it("shop/redact erases that shop's jobs, images, models and sessions, and only that shop's", async () => {
    const [mine, theirs] = await Promise.all([finishedJob(SHOP), finishedJob(OTHER_SHOP)]);
    const model = await bearerFetch(server.url, "/v1/models", { method: "POST", body: multipart({ image: { data: await personPhoto(), filename: "anna.jpg", type: "image/jpeg" }, anchors: JSON.stringify(PERSON_ANCHORS) }) });
    expect(model.status).toBe(201);
    expect(blobsOf(SHOP).length).toBeGreaterThan(3);
    const myImage = mine.final_artifacts[0].image_url as string;
    expect((await fetch(myImage)).status).toBe(200);

    // Badly signed: refused, nothing erased.
    expect((await webhook("shop/redact", SHOP, { shop_domain: SHOP }, "not-the-secret")).status).toBe(401);
    expect(await jobsOf(SHOP)).toHaveLength(1);

    const res = await webhook("shop/redact", SHOP, { shop_id: 1, shop_domain: SHOP });
    expect(res.status).toBe(200);
    expect(await jobsOf(SHOP)).toEqual([]);
    expect(await ownModelsOf(SHOP)).toEqual([]);
    expect(blobsOf(SHOP)).toEqual([]);
    expect((await fetch(myImage)).status).toBe(404);
    // Its sessions are gone: the admin's tokens no longer work.
    expect((await bearerFetch(server.url, "/v1/jobs")).status).toBe(401);

    // The other shop keeps everything.
    expect((await jobsOf(OTHER_SHOP)).map((job) => job.public_id)).toEqual([theirs.public_id]);
    expect((await fetch(theirs.final_artifacts[0].image_url)).status).toBe(200);
    expect((await bearerFetch(server.url, "/v1/jobs", { shop: OTHER_SHOP })).status).toBe(200);

    // Shopify may deliver it again.
    expect((await webhook("shop/redact", SHOP, { shop_id: 1, shop_domain: SHOP })).status).toBe(200);
  }, 180_000);

  it("acknowledges the customer topics (Studio keeps no customer data)", async () => {
    const customer = { shop_id: 2, shop_domain: OTHER_SHOP, customer: { id: 7, email: "a@example.com" }, orders_requested: [1] };
    expect((await webhook("customers/data_request", OTHER_SHOP, customer)).status).toBe(200);
    expect((await webhook("customers/redact", OTHER_SHOP, { ...customer, orders_to_redact: [1] })).status).toBe(200);
    expect(await jobsOf(OTHER_SHOP)).toHaveLength(1);
  });

  it("app/uninstalled ends the shop's sessions at once and keeps its jobs for a reinstall", async () => {
    expect((await bearerFetch(server.url, "/v1/jobs", { shop: OTHER_SHOP })).status).toBe(200);
    const res = await webhook("app/uninstalled", OTHER_SHOP, { domain: OTHER_SHOP }, API_SECRET, "/webhooks/app/uninstalled");
    expect(res.status).toBe(200);
    expect((await bearerFetch(server.url, "/v1/jobs", { shop: OTHER_SHOP })).status).toBe(401);
    expect(await jobsOf(OTHER_SHOP)).toHaveLength(1);
  });

  it("app/uninstalled cancels the shop's unfinished jobs", async () => {
    const s = await startServer({ env: { STUDIO_WORKER: "off" }, shops: [SHOP, OTHER_SHOP] });
    try {
      const create = async (shop: string) => {
        const form = multipart({ kind: "catalog_image", image: { data: await productPhoto({ width: 64, height: 64 }), filename: "a.jpg", type: "image/jpeg" } });
        return (await (await bearerFetch(s.url, "/v1/jobs", { method: "POST", body: form, shop })).json()).public_id as string;
      };
      const [mine, theirs] = [await create(SHOP), await create(OTHER_SHOP)];
      const res = await webhook("app/uninstalled", SHOP, { domain: SHOP }, API_SECRET, "/webhooks/app/uninstalled", s.url);
      expect(res.status).toBe(200);
      const status = async (id: string, shop: string) => (await (await hmacFetch(s.url, `/v1/jobs/${id}`, { shop })).json()).status;
      expect(await status(mine, SHOP)).toBe("cancelled");
      expect(await status(theirs, OTHER_SHOP)).toBe("queued");
    } finally {
      await s.stop();
    }
  });
});
