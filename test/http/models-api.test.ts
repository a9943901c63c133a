// The model library (/v1/models) against a real production server: auth, shop isolation,
// validation with the contract's 4xx shapes, presigned pictures, delete rules.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import sharp from "sharp";
import { startServer, type TestServer } from "../support/test-server";
import { bearerFetch, hmacFetch } from "../support/api-client";
import { encodeForm, multipart, productPhoto } from "../support/images";
import { OTHER_SHOP, SHOP } from "../support/constants";
import { validateResponse } from "../support/openapi";
import { personPhoto, PERSON_ANCHORS } from "../fixtures/model-photos";

let server: TestServer;

beforeAll(async () => {
  server = await startServer({ shops: [SHOP, OTHER_SHOP], env: { STUDIO_WORKER: "off" } });
});
afterAll(async () => {
  await server?.stop();
});

async function addModel(fields: Record<string, string | { data: Uint8Array; filename: string; type: string }>, shop = SHOP) {
  return bearerFetch(server.url, "/v1/models", { method: "POST", body: multipart(fields), shop });
}

async function validModel(shop = SHOP, name = "Studio shoot, Anna") {
  const res = await addModel({ image: { data: await personPhoto(), filename: "anna.jpg", type: "image/jpeg" }, anchors: JSON.stringify(PERSON_ANCHORS), name }, shop);
  expect(res.status).toBe(201);
  return res.json();
}

describe("GET /v1/models", () => {
  it("needs a credential", async () => {
    const res = await fetch(`${server.url}/v1/models`);
    expect(res.status).toBe(401);
    expect(await res.json()).toHaveProperty("detail");
  });

  it("lists Studio's built-in dress forms first, with pictures that load and known anchors", async () => {
    const res = await bearerFetch(server.url, "/v1/models");
    expect(res.status).toBe(200);
    const body = await res.json();
    await validateResponse("/v1/models", "get", 200, body);
    const builtins = body.models.filter((m: any) => m.builtin);
    expect(builtins.length).toBeGreaterThanOrEqual(1);
    expect(body.models[0]).toMatchObject({ id: "builtin:mannequin-neutral", builtin: true, created_at: null });
    for (const model of builtins) {
      expect(model.id).toMatch(/^builtin:/);
      const picture = await fetch(model.image_url);
      expect(picture.status).toBe(200);
      const meta = await sharp(Buffer.from(await picture.arrayBuffer())).metadata();
      expect([meta.format, meta.width, meta.height]).toEqual(["png", model.width, model.height]);
      const { left_shoulder, right_shoulder, left_hip, right_hip } = model.anchors;
      expect(left_hip.y).toBeGreaterThan(left_shoulder.y);
      expect(right_hip.y).toBeGreaterThan(right_shoulder.y);
      for (const p of [left_shoulder, right_shoulder, left_hip, right_hip]) {
        expect(p.x).toBeGreaterThanOrEqual(0);
        expect(p.x).toBeLessThan(model.width);
      }
    }
  });
});

describe("POST /v1/models", () => {
  it("adds a model photo (201 ModelResponse), listed for its shop only, over either auth path", async () => {
    const model = await validModel();
    await validateResponse("/v1/models", "post", 201, model);
    expect(model.id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(model).toMatchObject({ name: "Studio shoot, Anna", builtin: false, width: 1200, height: 1600 });
    expect(model.anchors).toEqual({ ...PERSON_ANCHORS });
    const picture = await fetch(model.image_url);
    expect(picture.status).toBe(200);
    expect(picture.headers.get("content-type")).toBe("image/jpeg");

    const mine = await (await bearerFetch(server.url, "/v1/models")).json();
    expect(mine.models.map((m: any) => m.id)).toContain(model.id);
    const theirs = await (await bearerFetch(server.url, "/v1/models", { shop: OTHER_SHOP })).json();
    expect(theirs.models.map((m: any) => m.id)).not.toContain(model.id);
    const one = await bearerFetch(server.url, `/v1/models/${model.id}`);
    expect(one.status).toBe(200);
    await validateResponse("/v1/models/{model_id}", "get", 200, await one.json());

    // HMAC: the signature covers the exact multipart bytes.
    const { body, contentType } = await encodeForm(
      multipart({ image: { data: await personPhoto("png"), filename: "ben.png", type: "image/png" }, anchors: JSON.stringify(PERSON_ANCHORS) }),
    );
    const signed = await hmacFetch(server.url, "/v1/models", { method: "POST", body, headers: { "Content-Type": contentType } });
    expect(signed.status).toBe(201);
    expect(await signed.json()).toMatchObject({ name: "ben", builtin: false });
  });

  it("never leaks storage keys or paths", async () => {
    const model = await validModel();
    const texts = [await (await bearerFetch(server.url, "/v1/models")).text(), await (await bearerFetch(server.url, `/v1/models/${model.id}`)).text()];
    for (const text of texts) {
      expect(text).not.toContain(server.blobDir);
      expect(text).not.toContain("models/studio-test");
      expect(text).not.toContain("photo.jpg");
      expect(text).not.toContain("_builtin");
    }
  });

  it("refuses bad input with the contract's 4xx shapes and stores nothing", async () => {
    const before = (await (await bearerFetch(server.url, "/v1/models")).json()).models.length;
    const photo = { data: await personPhoto(), filename: "p.jpg", type: "image/jpeg" };
    const anchors = JSON.stringify(PERSON_ANCHORS);
    const gif = Buffer.from("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7", "base64");
    const cases: [Record<string, any>, number, (string | number)[]?][] = [
      [{ anchors }, 422, ["body", "image"]],
      [{ image: photo }, 422, ["body", "anchors"]],
      [{ image: photo, anchors: "{not json" }, 422, ["body", "anchors"]],
      [{ image: photo, anchors: JSON.stringify({ ...PERSON_ANCHORS, left_hip: undefined }) }, 422, ["body", "anchors", "left_hip"]],
      [{ image: photo, anchors: JSON.stringify({ ...PERSON_ANCHORS, right_shoulder: { x: "a", y: 1 } }) }, 422, ["body", "anchors", "right_shoulder", "x"]],
      [{ image: photo, anchors: JSON.stringify({ ...PERSON_ANCHORS, left_hip: { x: 700, y: 1600 } }) }, 422, ["body", "anchors", "left_hip", "y"]],
      [{ image: photo, anchors: JSON.stringify({ ...PERSON_ANCHORS, right_shoulder: { x: -3, y: 400 } }) }, 422, ["body", "anchors", "right_shoulder", "x"]],
      [{ image: photo, anchors: JSON.stringify({ ...PERSON_ANCHORS, neck: { x: 1200, y: 10 } }) }, 422, ["body", "anchors", "neck", "x"]],
      [{ image: photo, anchors: JSON.stringify({ ...PERSON_ANCHORS, left_hip: { x: 738, y: 300 }, right_hip: { x: 462, y: 300 } }) }, 422, ["body", "anchors"]],
      [{ image: photo, anchors: JSON.stringify({ ...PERSON_ANCHORS, elbow: { x: 1, y: 1 } }) }, 422, ["body", "anchors", "elbow"]],
      [{ image: photo, anchors, name: "x".repeat(81) }, 422, ["body", "name"]],
      [{ image: { data: await productPhoto({ width: 200, height: 150 }), filename: "s.jpg", type: "image/jpeg" }, anchors: JSON.stringify({ left_shoulder: { x: 120, y: 20 }, right_shoulder: { x: 60, y: 20 }, left_hip: { x: 110, y: 120 }, right_hip: { x: 70, y: 120 } }) }, 422, ["body", "image"]],
      [{ image: { data: gif, filename: "p.png", type: "image/png" }, anchors }, 415],
      [{ image: { data: Buffer.from("not an image"), filename: "p.jpg", type: "image/jpeg" }, anchors }, 415],
      [{ image: { data: Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0, 1, 2]), filename: "p.jpg", type: "image/jpeg" }, anchors }, 422, ["body", "image"]],
    ];
    for (const [fields, status, loc] of cases) {
      const res = await addModel(fields);
      expect(res.status, JSON.stringify(loc)).toBe(status);
      const json = await res.json();
      if (status === 422) {
        await validateResponse("/v1/models", "post", 422, json);
        expect(json.detail.map((d: any) => JSON.stringify(d.loc)), JSON.stringify(json)).toContain(JSON.stringify(loc));
      } else expect(typeof json.detail).toBe("string");
    }
    // A 42 MP photo and a 21 MB body: 413.
    const huge = await sharp({ create: { width: 7000, height: 6000, channels: 3, background: "#ffffff" } }).png().toBuffer();
    expect((await addModel({ image: { data: huge, filename: "big.png", type: "image/png" }, anchors })).status).toBe(413);
    const big = Buffer.alloc(21 * 1024 * 1024, 1);
    big.set([0xff, 0xd8, 0xff, 0xe0]);
    expect((await addModel({ image: { data: big, filename: "big.jpg", type: "image/jpeg" }, anchors })).status).toBe(413);
    // Not multipart: 415; unparseable multipart: 400.
    const json = await bearerFetch(server.url, "/v1/models", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ anchors: PERSON_ANCHORS }) });
    expect(json.status).toBe(415);
    const broken = await bearerFetch(server.url, "/v1/models", { method: "POST", headers: { "Content-Type": "multipart/form-data; boundary=zzz" }, body: "garbage" });
    expect(broken.status).toBe(400);
    // Unauthenticated: 401 before anything is read.
    expect((await fetch(`${server.url}/v1/models`, { method: "POST", body: multipart({ image: photo, anchors }) })).status).toBe(401);

    const after = (await (await bearerFetch(server.url, "/v1/models")).json()).models.length;
    expect(after).toBe(before);
  });
});

describe("DELETE /v1/models/{id}", () => {
  it("answers foreign, unknown and malformed ids with identical 404s, and deletes the shop's own", async () => {
    const model = await validModel();
    const bodies: string[] = [];
    for (const [id, shop] of [
      [model.id, OTHER_SHOP],
      ["01ARZ3NDEKTSV4RRFFQ69G5FAV", SHOP],
      ["not-a-model", SHOP],
      ["builtin:nope", SHOP],
    ] as const) {
      for (const method of ["GET", "DELETE"]) {
        const res = await bearerFetch(server.url, `/v1/models/${id}`, { method, shop });
        expect(res.status).toBe(404);
        bodies.push(await res.text());
      }
    }
    expect(new Set(bodies)).toEqual(new Set(['{"detail":"Model not found"}']));
    // The other shop's attempt changed nothing.
    expect((await bearerFetch(server.url, `/v1/models/${model.id}`)).status).toBe(200);

    const picture = await fetch(model.image_url);
    expect(picture.status).toBe(200);
    const res = await bearerFetch(server.url, `/v1/models/${model.id}`, { method: "DELETE" });
    expect(res.status).toBe(204);
    expect((await bearerFetch(server.url, `/v1/models/${model.id}`)).status).toBe(404);
    expect((await bearerFetch(server.url, `/v1/models/${model.id}`, { method: "DELETE" })).status).toBe(404);
    const list = await (await bearerFetch(server.url, "/v1/models")).json();
    expect(list.models.map((m: any) => m.id)).not.toContain(model.id);
    expect((await fetch(model.image_url)).status).toBe(404);
  });

  it("keeps built-ins (409) and a model an unfinished job uses (409 until the job ends)", async () => {
    const builtin = await bearerFetch(server.url, "/v1/models/builtin:mannequin-neutral", { method: "DELETE" });
    expect(builtin.status).toBe(409);
    expect(typeof (await builtin.json()).detail).toBe("string");

    const model = await validModel();
    // The worker is off here: the job stays queued.
    const job = await (
      await bearerFetch(server.url, "/v1/jobs", {
        method: "POST",
        body: multipart({ kind: "on_model_render", image: { data: await productPhoto(), filename: "tee.jpg", type: "image/jpeg" }, options: JSON.stringify({ model: model.id, provider: "local" }) }),
      })
    ).json();
    expect(job.options.model).toBe(model.id);
    const busy = await bearerFetch(server.url, `/v1/models/${model.id}`, { method: "DELETE" });
    expect(busy.status).toBe(409);
    expect((await busy.json()).detail).toContain(job.public_id);
    expect((await bearerFetch(server.url, `/v1/jobs/${job.public_id}/cancel`, { method: "POST" })).status).toBe(202);
    expect((await bearerFetch(server.url, `/v1/models/${model.id}`, { method: "DELETE" })).status).toBe(204);
  });

  it("never deletes a model that a job created at the same moment will use", async () => {
    // (the worker is off: a job created before the delete stays queued, so the delete must 409)
    const photo = await productPhoto();
    // the delete lands at a range of moments after the creates start: before their checks,
    // between a check and its job's write, after
    for (const [round, delay] of [0, 3, 6, 10, 15, 20, 30, 45].entries()) {
      const model = await validModel();
      const create = () =>
        bearerFetch(server.url, "/v1/jobs", {
          method: "POST",
          body: multipart({ kind: "on_model_render", image: { data: photo, filename: "tee.jpg", type: "image/jpeg" }, options: JSON.stringify({ model: model.id, provider: "local" }) }),
        });
      const pending = [create(), create(), create(), create()];
      await new Promise((resolve) => setTimeout(resolve, delay));
      const remove = await bearerFetch(server.url, `/v1/models/${model.id}`, { method: "DELETE" });
      const creates = await Promise.all(pending);
      const made = creates.filter((res) => res.status === 201).length;
      expect([204, 409], `round ${round}`).toContain(remove.status);
      for (const res of creates) expect([201, 422], `round ${round}`).toContain(res.status);
      if (remove.status === 204) expect(made, `round ${round}: deleted, yet jobs were created for it`).toBe(0);
      else expect(made, `round ${round}`).toBeGreaterThan(0);
    }
  });
});

describe("hostile input", () => {
  it("answers malformed model requests on every path and method with a 4xx JSON detail, storing nothing", async () => {
    const before = (await (await bearerFetch(server.url, "/v1/models")).json()).models.length;
    const paths = ["/v1/models", "/v1/models/builtin:mannequin-neutral", "/v1/models/builtin:%00", "/v1/models/%E0%A4%A", "/v1/models/..%2F..%2Fetc%2Fpasswd", `/v1/models/${"A".repeat(5000)}`];
    const bodies: [string, string][] = [
      ["application/json", '{"image": "x", "anchors": {}}'],
      ["multipart/form-data; boundary=abc", '--abc\r\nContent-Disposition: form-data; name="anchors"\r\n\r\n{"left_shoulder": {"x": 1e309, "y": null}, "__proto__": {"x": 1}}\r\n--abc\r\nContent-Disposition: form-data; name="image"; filename="x.png"\r\nContent-Type: image/png\r\n\r\n\u0089PNG\r\n--abc--\r\n'],
      ["multipart/form-data; boundary=abc", '--abc\r\nContent-Disposition: form-data; name="anchors"\r\n\r\n[1,2]\r\n--abc\r\nContent-Disposition: form-data; name="name"\r\n\r\n\r\n--abc--\r\n'],
      ["multipart/form-data", "--x\r\n"],
      ["text/plain", "anchors=1"],
    ];
    for (const path of paths) {
      for (const method of ["GET", "POST", "PUT", "DELETE", "PATCH"]) {
        for (const [type, body] of method === "GET" ? [["", ""] as [string, string]] : bodies) {
          const res = await bearerFetch(server.url, path, { method, headers: type ? { "Content-Type": type } : {}, body: method === "GET" ? undefined : body });
          const text = await res.text();
          expect(res.status, `${method} ${path} (${type}) -> ${text.slice(0, 200)}`).toBeLessThan(500);
          if (res.status >= 400) expect(JSON.parse(text)).toHaveProperty("detail");
        }
      }
    }
    expect((await (await bearerFetch(server.url, "/v1/models")).json()).models.length).toBe(before);
  });
});

describe("OpenAPI", () => {
  it("documents the model library", async () => {
    const doc = await (await fetch(`${server.url}/v1/openapi.json`)).json();
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(["/v1/models", "/v1/models/{model_id}"]));
    expect(Object.keys(doc.paths["/v1/models"])).toEqual(expect.arrayContaining(["get", "post"]));
    expect(Object.keys(doc.paths["/v1/models/{model_id}"])).toEqual(expect.arrayContaining(["get", "delete"]));
    expect(Object.keys(doc.components.schemas)).toEqual(expect.arrayContaining(["ModelResponse", "ModelList", "ModelAnchors", "OnModelRenderOptions"]));
  });
});
