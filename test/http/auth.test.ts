// Both auth paths and their negative matrix, against a real server.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SignJWT } from "jose";
import { startServer, type TestServer } from "../support/test-server";
import { hmacFetch, sessionToken } from "../support/api-client";
import { encodeForm, multipart, productPhoto } from "../support/images";
import { API_KEY, API_SECRET, SHOP } from "../support/constants";
import { signRequest } from "~/api/hmac-signature";

let server: TestServer;
let jobId: string;
const path = () => `/v1/jobs/${jobId}`;

beforeAll(async () => {
  server = await startServer({ env: { STUDIO_WORKER: "off" } });
  const form = await encodeForm(multipart({ kind: "catalog_image", image: { data: await productPhoto({ width: 64, height: 64 }), filename: "a.jpg", type: "image/jpeg" } }));
  const res = await hmacFetch(server.url, "/v1/jobs", { method: "POST", body: form.body, headers: { "Content-Type": form.contentType } });
  expect(res.status).toBe(201);
  jobId = (await res.json()).public_id;
});
afterAll(async () => server?.stop());

const withBearer = (token: string, p = path()) => fetch(server.url + p, { headers: { Authorization: `Bearer ${token}` } });

async function jwt(overrides: Record<string, unknown>, secret = API_SECRET, alg = "HS256") {
  const now = Math.floor(Date.now() / 1000);
  // Claims are written in full here (no SignJWT setters), so an override really replaces them.
  const claims = { iss: `https://${SHOP}/admin`, dest: `https://${SHOP}`, aud: API_KEY, sub: "1", sid: "s", jti: String(Math.random()), iat: now, nbf: now - 5, exp: now + 60, ...overrides };
  return new SignJWT(claims).setProtectedHeader({ alg }).sign(new TextEncoder().encode(secret));
}

describe("Bearer session token", () => {
  it("accepts a valid token for a shop with a stored session", async () => {
    const res = await withBearer(await sessionToken());
    expect(res.status).toBe(200);
    expect((await res.json()).public_id).toBe(jobId);
    // The hand-made tokens below differ from this one only by the claim under test.
    expect((await withBearer(await jwt({}))).status).toBe(200);
  });

  it.each([
    ["expired", () => jwt({ exp: Math.floor(Date.now() / 1000) - 120 })],
    ["not yet valid", () => jwt({ nbf: Math.floor(Date.now() / 1000) + 120 })],
    ["missing exp", () => jwt({ exp: undefined })],
    ["wrong audience", () => jwt({ aud: "someone-else" })],
    ["wrong secret", () => jwt({}, "not-the-secret-not-the-secret-123")],
    ["dest not a shop", () => jwt({ dest: "https://evil.example.com" })],
    ["uninstalled shop", () => jwt({ dest: "https://never-installed.myshopify.com" })],
  ])("refuses a token that is %s (401)", async (_name, make) => {
    const res = await withBearer(await make());
    expect(res.status).toBe(401);
    expect(typeof (await res.json()).detail).toBe("string");
  });

  it("refuses alg none and HS512-signed tokens", async () => {
    const header = Buffer.from(JSON.stringify({ alg: "none", typ: "JWT" })).toString("base64url");
    const now = Math.floor(Date.now() / 1000);
    const payload = Buffer.from(JSON.stringify({ dest: `https://${SHOP}`, aud: API_KEY, exp: now + 60, nbf: now - 5 })).toString("base64url");
    expect((await withBearer(`${header}.${payload}.`)).status).toBe(401);
    expect((await withBearer(await jwt({}, API_SECRET, "HS512"))).status).toBe(401);
  });

  it("refuses missing, malformed and empty credentials (401)", async () => {
    expect((await fetch(server.url + path())).status).toBe(401);
    for (const value of ["Bearer", "Basic abc", "Bearer a.b.c", "Bearer  "]) {
      const res = await fetch(server.url + path(), { headers: { Authorization: value } });
      expect(res.status, value).toBe(401);
    }
  });

  it("uses the Bearer token when both credentials are present", async () => {
    const both = await fetch(`${server.url}${path()}?shop=${SHOP}&timestamp=${Math.floor(Date.now() / 1000)}`, {
      headers: { Authorization: `Bearer ${await sessionToken()}`, "X-Shopify-Hmac-Sha256": "bogus" },
    });
    expect(both.status).toBe(200);
    const ts = String(Math.floor(Date.now() / 1000));
    const good = signRequest(API_SECRET, "GET", path(), `?shop=${SHOP}&timestamp=${ts}`, new Uint8Array());
    const badBearer = await fetch(`${server.url}${path()}?shop=${SHOP}&timestamp=${ts}`, {
      headers: { Authorization: "Bearer nope", "X-Shopify-Hmac-Sha256": good },
    });
    expect(badBearer.status).toBe(401);
  });
});

describe("X-Shopify-Hmac-Sha256", () => {
  const ts = () => Math.floor(Date.now() / 1000);
  const signed = (query: string, { method = "GET", body = "", secret = API_SECRET, p = path() } = {}) => ({
    url: `${server.url}${p}?${query}`,
    hmac: signRequest(secret, method, p, `?${query}`, new TextEncoder().encode(body)),
  });

  it("accepts a correctly signed GET, with extra params in any order", async () => {
    const { url, hmac } = signed(`timestamp=${ts()}&b=2&shop=${SHOP}&a=1&a=0`);
    const res = await fetch(url, { headers: { "X-Shopify-Hmac-Sha256": hmac } });
    expect(res.status).toBe(200);
  });

  it("accepts a signed multipart POST (the signature covers the raw body)", async () => {
    const form = await encodeForm(multipart({ kind: "catalog_image", image: { data: await productPhoto({ width: 32, height: 32 }), filename: "b.png", type: "image/png" } }));
    const res = await hmacFetch(server.url, "/v1/jobs", { method: "POST", body: form.body, headers: { "Content-Type": form.contentType } });
    expect(res.status).toBe(201);
  });

  it("refuses a tampered body, query, path, method, secret, stale or future timestamp (401)", async () => {
    const t = ts();
    const cases: [string, () => Promise<Response>][] = [
      ["tampered query", async () => {
        const { hmac } = signed(`shop=${SHOP}&timestamp=${t}`);
        return fetch(`${server.url}${path()}?shop=${SHOP}&timestamp=${t}&extra=1`, { headers: { "X-Shopify-Hmac-Sha256": hmac } });
      }],
      ["tampered path", async () => {
        const { hmac } = signed(`shop=${SHOP}&timestamp=${t}`);
        return fetch(`${server.url}${path()}/events?shop=${SHOP}&timestamp=${t}`, { headers: { "X-Shopify-Hmac-Sha256": hmac } });
      }],
      ["tampered body", async () => {
        const p = `/v1/jobs/${jobId}/cancel`;
        const { url, hmac } = signed(`shop=${SHOP}&timestamp=${t}`, { method: "POST", body: "", p });
        return fetch(url, { method: "POST", body: "x", headers: { "X-Shopify-Hmac-Sha256": hmac } });
      }],
      ["other method", async () => {
        const p = `/v1/jobs/${jobId}/cancel`;
        const { url, hmac } = signed(`shop=${SHOP}&timestamp=${t}`, { method: "GET", p });
        return fetch(url, { method: "POST", headers: { "X-Shopify-Hmac-Sha256": hmac } });
      }],
      ["wrong secret", async () => {
        const { url, hmac } = signed(`shop=${SHOP}&timestamp=${t}`, { secret: "wrong-secret" });
        return fetch(url, { headers: { "X-Shopify-Hmac-Sha256": hmac } });
      }],
      ["stale timestamp", async () => {
        const { url, hmac } = signed(`shop=${SHOP}&timestamp=${t - 91}`);
        return fetch(url, { headers: { "X-Shopify-Hmac-Sha256": hmac } });
      }],
      ["future timestamp", async () => {
        const { url, hmac } = signed(`shop=${SHOP}&timestamp=${t + 120}`);
        return fetch(url, { headers: { "X-Shopify-Hmac-Sha256": hmac } });
      }],
      ["repeated shop", async () => {
        const { url, hmac } = signed(`shop=${SHOP}&shop=${SHOP}&timestamp=${t}`);
        return fetch(url, { headers: { "X-Shopify-Hmac-Sha256": hmac } });
      }],
      ["repeated timestamp", async () => {
        const { url, hmac } = signed(`shop=${SHOP}&timestamp=${t}&timestamp=${t}`);
        return fetch(url, { headers: { "X-Shopify-Hmac-Sha256": hmac } });
      }],
      ["no shop", async () => {
        const { url, hmac } = signed(`timestamp=${t}`);
        return fetch(url, { headers: { "X-Shopify-Hmac-Sha256": hmac } });
      }],
      ["not a shop domain", async () => {
        const { url, hmac } = signed(`shop=evil.example.com&timestamp=${t}`);
        return fetch(url, { headers: { "X-Shopify-Hmac-Sha256": hmac } });
      }],
      ["garbage signature", async () => fetch(`${server.url}${path()}?shop=${SHOP}&timestamp=${t}`, { headers: { "X-Shopify-Hmac-Sha256": "%%%" } })],
    ];
    for (const [name, run] of cases) {
      const res = await run();
      expect(res.status, name).toBe(401);
      expect(typeof (await res.json()).detail, name).toBe("string");
    }
  });

  it("excludes hmac and signature params from the message", async () => {
    const t = ts();
    const { hmac } = signed(`shop=${SHOP}&timestamp=${t}`);
    const res = await fetch(`${server.url}${path()}?shop=${SHOP}&timestamp=${t}&signature=zz&hmac=yy`, { headers: { "X-Shopify-Hmac-Sha256": hmac } });
    expect(res.status).toBe(200);
  });

  it("scopes HMAC requests to the signed shop (another shop's job is 404)", async () => {
    const res = await hmacFetch(server.url, path(), { shop: "other-test.myshopify.com" });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ detail: "Job not found" });
  });
});
