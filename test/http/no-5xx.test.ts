// "No input makes the API answer 5xx": hostile and malformed requests against every
// endpoint, through both auth paths, must get a 4xx in the contract's JSON shape.
import { afterAll, beforeAll, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import { startServer, type TestServer } from "../support/test-server";
import { bearerFetch, hmacFetch } from "../support/api-client";
import { multipart, productPhoto } from "../support/images";
import { signAsShopify } from "../support/app-proxy";

let server: TestServer;
let jobId: string;

beforeAll(async () => {
  server = await startServer({ env: { STUDIO_WORKER: "off" } });
  const res = await bearerFetch(server.url, "/v1/jobs", {
    method: "POST",
    body: multipart({ kind: "catalog_image", image: { data: await productPhoto({ width: 64, height: 64 }), filename: "a.jpg", type: "image/jpeg" } }),
  });
  jobId = (await res.json()).public_id;
});
afterAll(async () => server?.stop());

const paths = () => [
  "/v1/jobs",
  `/v1/jobs/${jobId}`,
  `/v1/jobs/${jobId}/events`,
  `/v1/jobs/${jobId}/cancel`,
  `/v1/jobs/${jobId}/publication`,
  "/v1/jobs/%FF/publication",
  "/v1/jobs/%E0%A4%A",
  "/v1/jobs/..%2F..%2Fetc%2Fpasswd/events",
  `/v1/jobs/${"A".repeat(5000)}`,
  "/v1/jobs/01ARZ3NDEKTSV4RRFFQ69G5FAV/events?since=99999999999999999999999",
  `/v1/jobs/${jobId}/events?since=1&since=2`,
  `/v1/jobs/${jobId}/events?since=%00`,
  "/v1/jobs?limit=1e309&cursor=%FF&status[]=x",
  "/blobs/%FF%FE",
  "/blobs/" + "x".repeat(3000),
  "/proxy/products/7001",
  `/proxy/jobs/${jobId}`,
  "/proxy/products/%E0%A4%A",
];

// Signed as Shopify's app proxy signs them, so the malformed part reaches the routes.
const proxyPaths = () => [
  "/proxy/products/%E0%A4%A",
  `/proxy/products/${"9".repeat(60)}`,
  "/proxy/products/gid%3A%2F%2Fshopify%2FProduct%2F0",
  "/proxy/jobs/..%2F..%2Fetc%2Fpasswd",
  `/proxy/jobs/${"A".repeat(5000)}`,
  `/proxy/jobs/${jobId}?since=%00&shop=x`,
  "/proxy/",
];

const bodies: [string, Uint8Array | string][] = [
  ["application/json", "null"],
  ["application/json", "[]"],
  ["application/json", '{"kind": 5, "source_url": {"a": 1}, "options": "[]"}'],
  ["application/json", '{"kind": "catalog_image", "source_url": "https://cdn.shopify.com/x.jpg", "options": {"fill": "NaN", "size": 1e309}}'],
  ["application/json", '{"__proto__": {"polluted": true}, "kind": "catalog_image"}'],
  ["application/json", "\u0000\u0001"],
  ["multipart/form-data; boundary=abc", "--abc\r\nContent-Disposition: form-data; name=\"image\"; filename=\"x\"\r\n\r\n\u0000\r\n--abc--\r\n"],
  ["multipart/form-data", "--x\r\n"],
  ["text/plain", "kind=catalog_image"],
  ["application/x-www-form-urlencoded", "kind=catalog_image&image=abc"],
  ["application/octet-stream", randomBytes(4096)],
  ["image/png", randomBytes(256)],
];

it("answers every malformed request with a 4xx and a JSON detail, never a 5xx", async () => {
  const before = await (await bearerFetch(server.url, "/v1/jobs?limit=100")).json();
  const seen: string[] = [];
  for (const path of paths()) {
    for (const method of ["GET", "POST", "PUT", "DELETE", "PATCH"]) {
      for (const [type, body] of method === "GET" ? [["", ""] as [string, string]] : bodies) {
        const init = { method, headers: (type ? { "Content-Type": type } : {}) as Record<string, string>, body: method === "GET" ? undefined : typeof body === "string" ? body : new Uint8Array(body) };
        const viaBearer = await bearerFetch(server.url, path, init as RequestInit);
        const viaHmac = await hmacFetch(server.url, path.split("?")[0], { method, body: typeof body === "string" ? body : body, headers: init.headers });
        for (const res of [viaBearer, viaHmac]) {
          const text = await res.text();
          seen.push(`${method} ${path} ${type} -> ${res.status}`);
          expect(res.status, `${method} ${path} (${type}) -> ${res.status} ${text.slice(0, 200)}`).toBeLessThan(500);
          if (res.status >= 400) expect(JSON.parse(text), `${method} ${path} (${type})`).toHaveProperty("detail");
        }
      }
    }
  }
  const after = await (await bearerFetch(server.url, "/v1/jobs?limit=100")).json();
  expect(after.jobs.map((j: { public_id: string }) => j.public_id)).toEqual(before.jobs.map((j: { public_id: string }) => j.public_id));
  // A refused cancel is still a cancel of this job; the job itself must still be readable.
  expect((await bearerFetch(server.url, `/v1/jobs/${jobId}`)).status).toBe(200);
  expect(seen.length).toBeGreaterThan(500);
});

it("answers malformed but signed app proxy requests with a 4xx and a JSON detail", async () => {
  for (const path of proxyPaths()) {
    const [pathname, query] = path.split("?");
    for (const method of ["GET", "POST", "HEAD"]) {
      const url = new URL(server.url + pathname);
      for (const [key, value] of new URLSearchParams(query ?? "")) url.searchParams.append(key, value);
      signAsShopify(url);
      const res = await fetch(url, { method });
      const text = await res.text();
      expect(res.status, `${method} ${path} -> ${res.status} ${text.slice(0, 200)}`).toBeGreaterThanOrEqual(400);
      expect(res.status, `${method} ${path} -> ${res.status} ${text.slice(0, 200)}`).toBeLessThan(500);
      if (method !== "HEAD") expect(JSON.parse(text), `${method} ${path}`).toHaveProperty("detail");
    }
  }
});
