// on_model_render jobs end to end with the local renderer (no keys set: the embedded
// default), against a real production server.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import sharp from "sharp";
import { startServer, type TestServer } from "../support/test-server";
import { bearerFetch, waitFor } from "../support/api-client";
import { multipart } from "../support/images";
import { OTHER_SHOP, SHOP } from "../support/constants";
import { validateResponse } from "../support/openapi";
import { OUTPUT } from "../support/paths";
import { garmentPhoto } from "../fixtures/garments";
import { personPhoto, PERSON_ANCHORS } from "../fixtures/model-photos";

let server: TestServer;
const OUT = path.join(OUTPUT, "on-model");

beforeAll(async () => {
  mkdirSync(OUT, { recursive: true });
  server = await startServer({ shops: [SHOP, OTHER_SHOP] });
});
afterAll(async () => {
  await server?.stop();
});

async function createRender(options: Record<string, unknown> | null, shop = SHOP, garment: Parameters<typeof garmentPhoto>[0] = "tee-striped") {
  const fields: Record<string, any> = { kind: "on_model_render", image: { data: await garmentPhoto(garment), filename: `${garment}.jpg`, type: "image/jpeg" } };
  if (options) fields.options = JSON.stringify(options);
  return bearerFetch(server.url, "/v1/jobs", { method: "POST", body: multipart(fields), shop });
}

async function finished(publicId: string, shop = SHOP) {
  return waitFor(async () => {
    const job = await (await bearerFetch(server.url, `/v1/jobs/${publicId}`, { shop })).json();
    return ["succeeded", "failed", "cancelled"].includes(job.status) ? job : null;
  }, 150_000, 250);
}

async function timeline(publicId: string) {
  const body = await (await bearerFetch(server.url, `/v1/jobs/${publicId}/events`)).json();
  await validateResponse("/v1/jobs/{public_id}/events", "get", 200, body);
  return body.events as any[];
}

describe("on_model_render with the local renderer", () => {
  it("dresses the default built-in form: stages in order, a cutout, finals ≥ 1024 px as JPEG and WebP", async () => {
    const res = await createRender(null);
    expect(res.status).toBe(201);
    const job = await res.json();
    await validateResponse("/v1/jobs", "post", 201, job);
    // Defaults filled at creation: the first built-in model, the shop's default renderer (local without keys).
    expect(job.options).toEqual({ model: "builtin:mannequin-neutral", provider: "local", category: "auto", size: 1536 });

    const done = await finished(job.public_id);
    expect(done.status, JSON.stringify(await timeline(job.public_id))).toBe("succeeded");
    await validateResponse("/v1/jobs/{public_id}", "get", 200, done);
    const events = await timeline(job.public_id);
    expect(events[0].event_type).toBe("queued");
    expect(events.filter((e) => ["succeeded", "failed"].includes(e.event_type))).toHaveLength(1);
    expect(events[events.length - 1].event_type).toBe("succeeded");
    const stages = [...new Set(events.filter((e) => e.event_type === "stage").map((e) => e.stage))];
    expect(stages).toEqual(["fetch_source", "segment", "render", "finish", "export"]);

    // segment: the same cutout rule as catalog images (RGBA PNG, the source's exact size).
    const artifacts = events.flatMap((e) => e.artifacts.map((a: any) => ({ ...a, stage: e.stage })));
    const cutout = artifacts.find((a) => a.kind === "cutout");
    expect(cutout).toMatchObject({ role: "intermediate", stage: "segment" });
    const cutoutMeta = await sharp(Buffer.from(await (await fetch(cutout.image_url)).arrayBuffer())).metadata();
    expect(cutoutMeta).toMatchObject({ format: "png", width: 1400, height: 1300, channels: 4 });

    const render = artifacts.find((a) => a.kind === "render");
    expect(render).toMatchObject({ role: "intermediate", stage: "render" });
    expect(render.meta).toMatchObject({ renderer: "local-composite", provider: "local", model: "builtin:mannequin-neutral" });

    expect(done.final_artifacts.length).toBe(2);
    for (const artifact of done.final_artifacts) {
      expect(artifact).toMatchObject({ kind: "on_model_render", role: "final" });
      const fetched = await fetch(artifact.image_url);
      expect(fetched.status).toBe(200);
      const bytes = Buffer.from(await fetched.arrayBuffer());
      const meta = await sharp(bytes).metadata();
      expect(Math.min(meta.width!, meta.height!)).toBeGreaterThanOrEqual(1024);
      expect(artifact.meta).toMatchObject({ width: meta.width, height: meta.height, format: meta.format, bytes: bytes.length, renderer: "local-composite" });
      expect(fetched.headers.get("content-type")).toBe(`image/${meta.format}`);
      writeFileSync(path.join(OUT, `e2e-default-model.${meta.format === "jpeg" ? "jpg" : meta.format}`), bytes);
    }
    expect(new Set(done.final_artifacts.map((a: any) => a.meta.format))).toEqual(new Set(["jpeg", "webp"]));
    const terminal = events[events.length - 1];
    // fetch_source 1 + segment 4 + render 6 + finish 2 + export 3.
    expect(terminal.extra.cost).toEqual({ amount: 0.032, currency: "USD", units: 16 });
  });

  it("dresses the shop's own model photo, at the size asked for", async () => {
    const created = await bearerFetch(server.url, "/v1/models", {
      method: "POST",
      body: multipart({ image: { data: await personPhoto(), filename: "person.jpg", type: "image/jpeg" }, anchors: JSON.stringify(PERSON_ANCHORS) }),
    });
    const model = await created.json();
    const job = await (await createRender({ model: model.id, size: 1200 }, SHOP, "knit-green")).json();
    expect(job.options).toMatchObject({ model: model.id, provider: "local", size: 1200 });
    const done = await finished(job.public_id);
    expect(done.status).toBe("succeeded");
    const render = (await timeline(job.public_id)).flatMap((e) => e.artifacts).find((a: any) => a.kind === "render");
    expect(render.meta).toMatchObject({ renderer: "local-composite", model: model.id, width: 1200, height: 1600 });
    for (const artifact of done.final_artifacts) {
      expect(Math.min(artifact.meta.width, artifact.meta.height)).toBe(1200);
      expect(artifact.meta.height / artifact.meta.width).toBeCloseTo(4 / 3, 2);
    }
    const jpeg = done.final_artifacts.find((a: any) => a.meta.format === "jpeg");
    writeFileSync(path.join(OUT, "e2e-custom-model.jpg"), Buffer.from(await (await fetch(jpeg.image_url)).arrayBuffer()));
  });

  it("refuses unknown and foreign models, unknown providers and FASHN without a key (422 at creation)", async () => {
    const theirs = await (
      await bearerFetch(server.url, "/v1/models", {
        method: "POST",
        shop: OTHER_SHOP,
        body: multipart({ image: { data: await personPhoto(), filename: "p.jpg", type: "image/jpeg" }, anchors: JSON.stringify(PERSON_ANCHORS) }),
      })
    ).json();
    const before = (await (await bearerFetch(server.url, "/v1/jobs?limit=100")).json()).jobs.length;
    const cases: [Record<string, unknown>, (string | number)[]][] = [
      [{ model: "builtin:robot" }, ["body", "options", "model"]],
      [{ model: "01ARZ3NDEKTSV4RRFFQ69G5FAV" }, ["body", "options", "model"]],
      [{ model: theirs.id }, ["body", "options", "model"]],
      [{ provider: "fashn" }, ["body", "options", "provider"]],
      [{ provider: "dall-e" }, ["body", "options", "provider"]],
      [{ size: 512 }, ["body", "options", "size"]],
      [{ background: "#fff" }, ["body", "options", "background"]],
    ];
    for (const [options, loc] of cases) {
      const res = await createRender(options);
      expect(res.status, JSON.stringify(options)).toBe(422);
      const body = await res.json();
      await validateResponse("/v1/jobs", "post", 422, body);
      expect(body.detail.map((d: any) => JSON.stringify(d.loc))).toContain(JSON.stringify(loc));
    }
    const after = (await (await bearerFetch(server.url, "/v1/jobs?limit=100")).json()).jobs.length;
    expect(after).toBe(before);
  });
});
