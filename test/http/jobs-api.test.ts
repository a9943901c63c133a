// Contract rules of /v1 against a real production server on SQLite (black box).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import sharp from "sharp";
import Ajv2020 from "ajv/dist/2020";
import { startServer, type TestServer } from "../support/test-server";
import { bearerFetch, hmacFetch, waitFor } from "../support/api-client";
import { encodeForm, multipart, productPhoto } from "../support/images";
import { OTHER_SHOP, SHOP } from "../support/constants";
import { validateResponse } from "../support/openapi";

let server: TestServer;

beforeAll(async () => {
  server = await startServer({ shops: [SHOP, OTHER_SHOP] });
});
afterAll(async () => {
  await server?.stop();
});

async function createJob(fields: Record<string, string> = {}, shop = SHOP, headers: HeadersInit = {}) {
  const photo = await productPhoto();
  const form = multipart({ kind: "catalog_image", image: { data: photo, filename: "mug.jpg", type: "image/jpeg" }, ...fields });
  return bearerFetch(server.url, "/v1/jobs", { method: "POST", body: form, shop, headers });
}

/** Waits for the job to end; it must be cancelled, its timeline ending with one failed/cancelled event. */
async function endedCancelled(publicId: string) {
  expect((await finished(publicId)).status).toBe("cancelled");
  const events = (await (await bearerFetch(server.url, `/v1/jobs/${publicId}/events`)).json()).events;
  const last = events[events.length - 1];
  expect(last.event_type).toBe("failed");
  expect(last.extra.error.code).toBe("cancelled");
  expect(events.filter((e: any) => ["succeeded", "failed"].includes(e.event_type))).toHaveLength(1);
  return events;
}

async function finished(publicId: string, shop = SHOP) {
  return waitFor(async () => {
    const res = await bearerFetch(server.url, `/v1/jobs/${publicId}`, { shop });
    const job = await res.json();
    return ["succeeded", "failed", "cancelled"].includes(job.status) ? job : null;
  }, 90_000, 200);
}

describe("POST /v1/jobs", () => {
  it("creates a catalog job (201 JobDetail with defaults) whose timeline starts with queued", async () => {
    const res = await createJob({ product_id: "gid://shopify/Product/42", options: JSON.stringify({ background: "#f0f0f0" }) });
    expect(res.status).toBe(201);
    const job = await res.json();
    await validateResponse("/v1/jobs", "post", 201, job);
    expect(job.public_id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(job).toMatchObject({ kind: "catalog_image", product_id: "gid://shopify/Product/42" });
    expect(["queued", "running"]).toContain(job.status);
    expect(job.options).toEqual({ background: "#f0f0f0", fill: 0.85, shadow: true, size: 2048 });
    const events = await (await bearerFetch(server.url, `/v1/jobs/${job.public_id}/events`)).json();
    expect(events.events[0]).toMatchObject({ event_type: "queued", visibility: "public" });
  });

  it("runs the catalog pipeline to succeeded with a well-formed public timeline", async () => {
    const job = await (await createJob()).json();
    const done = await finished(job.public_id);
    expect(done.status).toBe("succeeded");
    expect(done.stage).toBeNull();
    await validateResponse("/v1/jobs/{public_id}", "get", 200, done);

    const res = await bearerFetch(server.url, `/v1/jobs/${job.public_id}/events`);
    const body = await res.json();
    await validateResponse("/v1/jobs/{public_id}/events", "get", 200, body);
    const events = body.events as any[];
    expect(events.filter((e) => e.event_type === "queued")).toHaveLength(1);
    expect(events.filter((e) => ["succeeded", "failed"].includes(e.event_type))).toHaveLength(1);
    expect(events[events.length - 1].event_type).toBe("succeeded");
    for (let i = 1; i < events.length; i++) expect(events[i].seq).toBeGreaterThan(events[i - 1].seq);
    expect(body.latest_seq).toBe(events[events.length - 1].seq);
    expect(events.every((e) => e.visibility === "public")).toBe(true);

    // Stages in contract order.
    const stages = [...new Set(events.filter((e) => e.event_type === "stage").map((e) => e.stage))];
    expect(stages).toEqual(["fetch_source", "segment", "compose", "export"]);

    // The cutout: RGBA PNG with the source's exact size.
    const cutout = events.flatMap((e) => e.artifacts).find((a: any) => a.kind === "cutout");
    expect(cutout.role).toBe("intermediate");
    expect(events.find((e) => e.artifacts.includes(cutout)) ?? events.find((e) => e.artifacts.some((a: any) => a.kind === "cutout"))).toMatchObject({ stage: "segment" });
    const png = Buffer.from(await (await fetch(cutout.image_url)).arrayBuffer());
    const meta = await sharp(png).metadata();
    expect(meta).toMatchObject({ format: "png", width: 640, height: 480, channels: 4 });

    // Finals: catalog_image, final, 2048² JPEG and WebP with meta.
    expect(done.final_artifacts.length).toBeGreaterThanOrEqual(2);
    for (const artifact of done.final_artifacts) {
      expect(artifact).toMatchObject({ kind: "catalog_image", role: "final" });
      const fetched = await fetch(artifact.image_url);
      expect(fetched.status).toBe(200);
      const bytes = Buffer.from(await fetched.arrayBuffer());
      const m = await sharp(bytes).metadata();
      expect([m.width, m.height]).toEqual([2048, 2048]);
      expect(artifact.meta).toMatchObject({ width: 2048, height: 2048, format: m.format, bytes: bytes.length });
      expect(fetched.headers.get("content-type")).toBe(`image/${m.format}`);
    }
    expect(new Set(done.final_artifacts.map((a: any) => a.meta.format))).toEqual(new Set(["jpeg", "webp"]));

    // Cost on the terminal event.
    const terminal = events[events.length - 1];
    expect(terminal.extra.cost).toMatchObject({ currency: "USD" });
    expect(Number.isInteger(terminal.extra.cost.units)).toBe(true);
    expect(terminal.extra.cost.units).toBeGreaterThan(0);
    expect(typeof terminal.extra.cost.amount).toBe("number");
  });

  it("returns the same job for a repeated Idempotency-Key from the same shop, a new one for another shop", async () => {
    const first = await (await createJob({}, SHOP, { "Idempotency-Key": "order-1001" })).json();
    const again = await createJob({}, SHOP, { "Idempotency-Key": "order-1001" });
    expect(again.status).toBe(201);
    expect((await again.json()).public_id).toBe(first.public_id);
    const other = await (await createJob({}, OTHER_SHOP, { "Idempotency-Key": "order-1001" })).json();
    expect(other.public_id).not.toBe(first.public_id);
  });

  it("accepts a JSON body with a cdn.shopify.com source_url and refuses any other host", async () => {
    const ok = await bearerFetch(server.url, "/v1/jobs", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ kind: "catalog_image", source_url: "https://cdn.shopify.com/s/files/1/0001/products/mug.jpg" }),
    });
    expect(ok.status).toBe(201);
    // (a file name whose %-escapes are not UTF-8 is still a name: shown as sent, not a 500)
    const oddName = await bearerFetch(server.url, "/v1/jobs", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ kind: "catalog_image", source_url: "https://cdn.shopify.com/s/files/%E0%A4%A" }),
    });
    expect(oddName.status).toBe(201);
    for (const url of ["http://cdn.shopify.com/x.jpg", "https://cdn.shopify.com.evil.test/x.jpg", "https://127.0.0.1/x.jpg", "https://evil.test/cdn.shopify.com/x.jpg"]) {
      const res = await bearerFetch(server.url, "/v1/jobs", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ kind: "catalog_image", source_url: url }),
      });
      expect(res.status).toBe(422);
      expect((await res.json()).detail[0].loc).toEqual(["body", "source_url"]);
    }
  });

  it("refuses bad input with the contract's 4xx shapes and stores nothing", async () => {
    const before = await (await bearerFetch(server.url, "/v1/jobs?limit=100")).json();
    const gif = Buffer.from("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7", "base64");
    const cases: [FormData | string, number, string?][] = [
      [multipart({ kind: "catalog_image", image: { data: gif, filename: "photo.png", type: "image/png" } }), 415],
      [multipart({ kind: "catalog_image", image: { data: Buffer.from("not an image"), filename: "a.jpg", type: "image/jpeg" } }), 415],
      [multipart({ kind: "catalog_image", image: { data: Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0, 1, 2]), filename: "a.jpg", type: "image/jpeg" } }), 422],
      [multipart({ kind: "poster", image: { data: await productPhoto(), filename: "a.jpg", type: "image/jpeg" } }), 422, "kind"],
      [multipart({ image: { data: await productPhoto(), filename: "a.jpg", type: "image/jpeg" } }), 422, "kind"],
      [multipart({ kind: "catalog_image" }), 422, "image"],
      [multipart({ kind: "catalog_image", options: "{not json", image: { data: await productPhoto(), filename: "a.jpg", type: "image/jpeg" } }), 422, "options"],
      [multipart({ kind: "catalog_image", options: '{"fill": 7}', image: { data: await productPhoto(), filename: "a.jpg", type: "image/jpeg" } }), 422, "options"],
      [multipart({ kind: "catalog_image", options: '{"colour": "red"}', image: { data: await productPhoto(), filename: "a.jpg", type: "image/jpeg" } }), 422, "options"],
      [multipart({ kind: "catalog_image", product_id: "42", image: { data: await productPhoto(), filename: "a.jpg", type: "image/jpeg" } }), 422, "product_id"],
      [multipart({ kind: "", image: { data: await productPhoto(), filename: "a.jpg", type: "image/jpeg" } }), 422, "kind"],
      // cut off in transit: the header reads, the pixels do not (refused here, not failed later)
      [multipart({ kind: "catalog_image", image: { data: (await productPhoto()).subarray(0, 3000), filename: "a.jpg", type: "image/jpeg" } }), 422, "image"],
      [multipart({ kind: "catalog_image", image: { data: (await productPhoto({ format: "png" })).subarray(0, 3000), filename: "a.png", type: "image/png" } }), 422, "image"],
      [multipart({ kind: "catalog_image", image: { data: (await productPhoto({ format: "webp" })).subarray(0, 1500), filename: "a.webp", type: "image/webp" } }), 422, "image"],
      [JSON.stringify({ kind: "", source_url: "https://cdn.shopify.com/x.png" }), 422, "kind"],
    ];
    for (const [body, status, field] of cases) {
      const headers: Record<string, string> = typeof body === "string" ? { "Content-Type": "application/json" } : {};
      const res = await bearerFetch(server.url, "/v1/jobs", { method: "POST", body: body as FormData, headers });
      expect(res.status, `${field} → ${status}`).toBe(status);
      const json = await res.json();
      expect(json).toHaveProperty("detail");
      if (status === 422) {
        expect(json.detail[0].loc.slice(0, 2)).toEqual(["body", field ?? "image"]);
        expect(typeof json.detail[0].msg).toBe("string");
        expect(typeof json.detail[0].type).toBe("string");
      } else expect(typeof json.detail).toBe("string");
    }
    const broken = await bearerFetch(server.url, "/v1/jobs", { method: "POST", headers: { "Content-Type": "application/json" }, body: "{oops" });
    expect(broken.status).toBe(400);
    const badBoundary = await bearerFetch(server.url, "/v1/jobs", { method: "POST", headers: { "Content-Type": "multipart/form-data; boundary=zzz" }, body: "garbage" });
    expect(badBoundary.status).toBe(400);
    const after = await (await bearerFetch(server.url, "/v1/jobs?limit=100")).json();
    expect(after.jobs.length).toBe(before.jobs.length);
  });

  it("refuses an image over 40 megapixels (413) and a body over 20 MB (413)", async () => {
    // A 7000×6000 PNG of one colour compresses to a few hundred KB but is 42 MP.
    const huge = await sharp({ create: { width: 7000, height: 6000, channels: 3, background: "#ffffff" } }).png().toBuffer();
    const res = await bearerFetch(server.url, "/v1/jobs", {
      method: "POST",
      body: multipart({ kind: "catalog_image", image: { data: huge, filename: "big.png", type: "image/png" } }),
    });
    expect(res.status).toBe(413);
    const big = Buffer.alloc(21 * 1024 * 1024, 1);
    big.set([0xff, 0xd8, 0xff, 0xe0]);
    const res2 = await bearerFetch(server.url, "/v1/jobs", {
      method: "POST",
      body: multipart({ kind: "catalog_image", image: { data: big, filename: "big.jpg", type: "image/jpeg" } }),
    });
    expect(res2.status).toBe(413);
    // (the documented image limit, not the cap with room for the multipart framing)
    expect((await res2.json()).detail).toBe("Request body is larger than 20 MB");
  });
});

describe("GET /v1/jobs/{id}/events", () => {
  it("cursors with since (exclusive) and keeps latest_seq whatever since is", async () => {
    const job = await (await createJob()).json();
    await finished(job.public_id);
    const all = await (await bearerFetch(server.url, `/v1/jobs/${job.public_id}/events`)).json();
    const seqs = all.events.map((e: any) => e.seq);
    const mid = seqs[2];
    const after = await (await bearerFetch(server.url, `/v1/jobs/${job.public_id}/events?since=${mid}`)).json();
    expect(after.events.map((e: any) => e.seq)).toEqual(seqs.filter((s: number) => s > mid));
    expect(after.latest_seq).toBe(all.latest_seq);
    const none = await (await bearerFetch(server.url, `/v1/jobs/${job.public_id}/events?since=${all.latest_seq}`)).json();
    expect(none).toEqual({ public_id: job.public_id, events: [], latest_seq: all.latest_seq });
    const beyond = await (await bearerFetch(server.url, `/v1/jobs/${job.public_id}/events?since=999999`)).json();
    expect(beyond.events).toEqual([]);
    const zero = await (await bearerFetch(server.url, `/v1/jobs/${job.public_id}/events?since=0`)).json();
    expect(zero.events.length).toBe(all.events.length);
  });

  it("validates since like FastAPI (422 int_parsing / greater_than_equal)", async () => {
    const job = await (await createJob()).json();
    const abc = await bearerFetch(server.url, `/v1/jobs/${job.public_id}/events?since=abc`);
    expect(abc.status).toBe(422);
    const body = await abc.json();
    expect(body.detail[0]).toMatchObject({ loc: ["query", "since"], type: "int_parsing" });
    await validateResponse("/v1/jobs/{public_id}/events", "get", 422, body);
    const neg = await bearerFetch(server.url, `/v1/jobs/${job.public_id}/events?since=-1`);
    expect(neg.status).toBe(422);
    expect((await neg.json()).detail[0]).toMatchObject({ loc: ["query", "since"], type: "greater_than_equal" });
    for (const bad of ["1.5", "", "1e3"]) {
      expect((await bearerFetch(server.url, `/v1/jobs/${job.public_id}/events?since=${bad}`)).status).toBe(422);
    }
  });

  it("answers foreign, unknown and malformed ids with byte-identical 404s", async () => {
    const mine = await (await createJob()).json();
    const bodies: string[] = [];
    for (const [path, shop] of [
      [`/v1/jobs/${mine.public_id}/events`, OTHER_SHOP],
      [`/v1/jobs/01ARZ3NDEKTSV4RRFFQ69G5FAV/events`, SHOP],
      [`/v1/jobs/not-a-ulid/events`, SHOP],
      [`/v1/jobs/${mine.public_id}`, OTHER_SHOP],
      [`/v1/jobs/%00%ff`, SHOP],
    ] as const) {
      const res = await bearerFetch(server.url, path, { shop });
      expect(res.status).toBe(404);
      expect(res.headers.get("content-type")).toMatch(/^application\/json\b/);
      bodies.push(await res.text());
    }
    expect(new Set(bodies)).toEqual(new Set(['{"detail":"Job not found"}']));
    const cancel = await bearerFetch(server.url, `/v1/jobs/${mine.public_id}/cancel`, { method: "POST", shop: OTHER_SHOP });
    expect(cancel.status).toBe(404);
  });

  it("never leaks storage keys, buckets or paths", async () => {
    const job = await (await createJob()).json();
    await finished(job.public_id);
    const text = await (await bearerFetch(server.url, `/v1/jobs/${job.public_id}/events`)).text();
    const detail = await (await bearerFetch(server.url, `/v1/jobs/${job.public_id}`)).text();
    for (const body of [text, detail]) {
      expect(body).not.toContain(server.blobDir);
      expect(body).not.toContain("jobs/studio-test");
      expect(body).not.toContain("upload.jpg");
      expect(body).not.toContain("cutout.png");
    }
  });
});

describe("artifact URLs", () => {
  it("are refused when tampered (403)", async () => {
    const job = await (await createJob()).json();
    const done = await finished(job.public_id);
    const url = new URL(done.final_artifacts[0].image_url);
    expect((await fetch(url)).status).toBe(200);
    const token = url.pathname.split("/").pop()!;
    const flipped = token.slice(0, 10) + (token[10] === "A" ? "B" : "A") + token.slice(11);
    url.pathname = url.pathname.replace(token, flipped);
    const res = await fetch(url);
    expect(res.status).toBe(403);
    expect(await res.json()).toHaveProperty("detail");
  });
});

describe("GET /v1/jobs", () => {
  it("lists newest first with cursor pages, filters, and shop isolation", async () => {
    const s = await startServer({ shops: [SHOP, OTHER_SHOP], env: { STUDIO_WORKER: "off" } });
    try {
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        const photo = await productPhoto({ width: 64, height: 64 });
        const res = await bearerFetch(s.url, "/v1/jobs", {
          method: "POST",
          body: multipart({ kind: "catalog_image", product_id: `gid://shopify/Product/${i % 2 ? 7 : 8}`, image: { data: photo, filename: `${i}.jpg`, type: "image/jpeg" } }),
        });
        ids.push((await res.json()).public_id);
      }
      await bearerFetch(s.url, "/v1/jobs", {
        method: "POST",
        shop: OTHER_SHOP,
        body: multipart({ kind: "catalog_image", image: { data: await productPhoto({ width: 64, height: 64 }), filename: "x.jpg", type: "image/jpeg" } }),
      });
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const res = await bearerFetch(s.url, `/v1/jobs?limit=2${cursor ? `&cursor=${cursor}` : ""}`);
        const page = await res.json();
        await validateResponse("/v1/jobs", "get", 200, page);
        expect(page.jobs.length).toBeLessThanOrEqual(2);
        seen.push(...page.jobs.map((j: any) => j.public_id));
        cursor = page.next_cursor;
      } while (cursor);
      expect(seen).toEqual([...ids].reverse());
      const sevens = await (await bearerFetch(s.url, `/v1/jobs?product_id=gid://shopify/Product/7`)).json();
      expect(sevens.jobs.map((j: any) => j.public_id)).toEqual([ids[3], ids[1]]);
      const queued = await (await bearerFetch(s.url, `/v1/jobs?status=queued&kind=catalog_image`)).json();
      expect(queued.jobs).toHaveLength(5);
      const bad = await bearerFetch(s.url, `/v1/jobs?status=done&limit=0&cursor=zzz`);
      expect(bad.status).toBe(422);
      const locs = (await bad.json()).detail.map((d: any) => d.loc.join("."));
      expect(locs).toEqual(expect.arrayContaining(["query.status", "query.limit", "query.cursor"]));
    } finally {
      await s.stop();
    }
  });
});

describe("POST /v1/jobs/{id}/cancel", () => {
  it("cancels a queued job at once: status cancelled, timeline ends with failed/cancelled; then 409", async () => {
    const s = await startServer({ env: { STUDIO_WORKER: "off" } });
    try {
      const photo = await productPhoto({ width: 64, height: 64 });
      const job = await (await bearerFetch(s.url, "/v1/jobs", { method: "POST", body: multipart({ kind: "catalog_image", image: { data: photo, filename: "a.jpg", type: "image/jpeg" } }) })).json();
      const res = await bearerFetch(s.url, `/v1/jobs/${job.public_id}/cancel`, { method: "POST" });
      expect(res.status).toBe(202);
      const body = await res.json();
      await validateResponse("/v1/jobs/{public_id}/cancel", "post", 202, body);
      expect(body.status).toBe("cancelled");
      const events = (await (await bearerFetch(s.url, `/v1/jobs/${job.public_id}/events`)).json()).events;
      expect(events.map((e: any) => e.event_type)).toEqual(["queued", "failed"]);
      expect(events[1].extra.error).toEqual({ code: "cancelled", message: expect.any(String), retryable: false });
      expect(events[1].extra.cost).toMatchObject({ currency: "USD", units: 0 });
      const again = await bearerFetch(s.url, `/v1/jobs/${job.public_id}/cancel`, { method: "POST" });
      expect(again.status).toBe(409);
      expect(await again.json()).toHaveProperty("detail");
    } finally {
      await s.stop();
    }
  });

  it("cancels a running job after its current stage", async () => {
    // A large photo keeps each stage busy long enough to cancel mid-run.
    const photo = await productPhoto({ width: 3000, height: 2400 });
    const job = await (await bearerFetch(server.url, "/v1/jobs", { method: "POST", body: multipart({ kind: "catalog_image", image: { data: photo, filename: "a.jpg", type: "image/jpeg" } }) })).json();
    await waitFor(async () => (await (await bearerFetch(server.url, `/v1/jobs/${job.public_id}`)).json()).status === "running", 30_000, 20);
    const res = await bearerFetch(server.url, `/v1/jobs/${job.public_id}/cancel`, { method: "POST" });
    expect(res.status).toBe(202);
    const events = await endedCancelled(job.public_id);
    expect(events.some((e: any) => e.stage === "export" && e.artifacts.length > 0)).toBe(false);
  });

  it("cancels a job during its last stage: it ends cancelled, not succeeded", async () => {
    // (a 4096 px export keeps the last stage busy for a while)
    const form = multipart({ kind: "catalog_image", options: '{"size": 4096}', image: { data: await productPhoto(), filename: "a.jpg", type: "image/jpeg" } });
    const job = await (await bearerFetch(server.url, "/v1/jobs", { method: "POST", body: form })).json();
    await waitFor(async () => (await (await bearerFetch(server.url, `/v1/jobs/${job.public_id}`)).json()).stage === "export", 60_000, 10);
    const res = await bearerFetch(server.url, `/v1/jobs/${job.public_id}/cancel`, { method: "POST" });
    expect(res.status).toBe(202);
    await endedCancelled(job.public_id);
  });
});

describe("service routes", () => {
  it("/healthz is 200 {ok:true} without auth", async () => {
    const res = await fetch(`${server.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
  });

  it("/v1/openapi.json is an OpenAPI 3.1 document covering every endpoint, without auth", async () => {
    const doc = await (await fetch(`${server.url}/v1/openapi.json`)).json();
    expect(doc.openapi).toMatch(/^3\.1\./);
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(["/v1/jobs", "/v1/jobs/{public_id}", "/v1/jobs/{public_id}/events", "/v1/jobs/{public_id}/cancel", "/v1/openapi.json", "/healthz"]),
    );
    expect(Object.keys(doc.components.schemas)).toEqual(expect.arrayContaining(["JobEventsResponse", "JobEventResponse", "ArtifactResponse", "HTTPValidationError", "JobDetail"]));
    // every component is a valid JSON Schema 2020-12 (OpenAPI 3.1's dialect), e.g. no $id with a fragment
    const ajv = new Ajv2020({ strict: false });
    for (const [name, schema] of Object.entries(doc.components.schemas)) {
      expect(ajv.validateSchema(schema as object), `${name}: ${ajv.errorsText(ajv.errors)}`).toBe(true);
    }
  });

  it("unknown /v1 paths answer JSON 404", async () => {
    const res = await hmacFetch(server.url, "/v1/nothing-here");
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ detail: "Not Found" });
    // ... and so do API paths behind an empty first segment (a base URL ending in "/"), which
    // match no route at all
    for (const path of ["//v1/jobs", "///v1/jobs/01J00000000000000000000000/events", "//healthz"]) {
      const res = await fetch(server.url.replace(/\/$/, "") + path); // (not new URL(path, …): "//v1" would be a host)
      expect(res.status, path).toBe(404);
      expect(res.headers.get("content-type"), path).toMatch(/^application\/json/);
      expect(await res.json(), path).toEqual({ detail: "Not Found" });
    }
  });
});
