// "No input makes the API answer 5xx": hostile and malformed requests against every
// endpoint, through both auth paths, must get a 4xx in the contract's JSON shape.
import { afterAll, beforeAll, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import { request } from "node:http";
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

/** A request as a raw client may send it (fetch refuses TRACE and sets Host itself). */
function rawRequest(method: string, path: string, headers: Record<string, string> = {}): Promise<{ status: number; allow: string | undefined; text: string }> {
  const { hostname, port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, method, path, headers }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk) => (text += chunk));
      res.on("end", () => resolve({ status: res.statusCode!, allow: res.headers.allow, text }));
    });
    req.on("error", reject);
    req.end();
  });
}

it("answers unusual methods with 405, a JSON detail and the methods the resource has", async () => {
  for (const path of ["/healthz", "/v1/jobs", `/v1/jobs/${jobId}`, "/v1/openapi.json", "/blobs/x", "/app"]) {
    for (const method of ["TRACE", "PROPFIND", "MKCOL", "LOCK"]) {
      const res = await rawRequest(method, path);
      expect(res.status, `${method} ${path}: ${res.text.slice(0, 200)}`).toBe(405);
      expect(JSON.parse(res.text)).toEqual({ detail: "Method Not Allowed" });
      expect(res.allow).toBeTruthy();
    }
  }
  const cases: [string, string, string][] = [
    ["POST", "/healthz", "GET, HEAD"],
    ["DELETE", "/v1/openapi.json", "GET, HEAD"],
    ["OPTIONS", "/v1/jobs", "GET, HEAD, POST"],
    ["OPTIONS", `/v1/jobs/${jobId}/cancel`, "POST"],
    ["GET", `/v1/jobs/${jobId}/cancel`, "POST"],
    ["PATCH", `/v1/jobs/${jobId}/publication`, "GET, HEAD, PUT, DELETE"],
  ];
  for (const [method, path, allow] of cases) {
    // (authenticated: OPTIONS once ran the list's GET handler and answered with the jobs)
    const res = await bearerFetch(server.url, path, { method });
    expect(res.status, `${method} ${path}`).toBe(405);
    expect(res.headers.get("allow"), `${method} ${path}`).toBe(allow);
    expect(await res.json()).toEqual({ detail: "Method Not Allowed" });
  }
});

it("answers a malformed Host header with a 400, not a 500 or another route's page", async () => {
  for (const host of ["a b", "evil.com:99999", "[::1", "%", "@", "xn--", "a?b", "a#b", "a/b"]) {
    for (const path of ["/healthz", "/v1/jobs"]) {
      const res = await rawRequest("GET", path, { Host: host });
      expect(res.status, `Host ${host} ${path}: ${res.text.slice(0, 200)}`).toBe(400);
      expect(JSON.parse(res.text)).toHaveProperty("detail");
    }
  }
  const forwarded = await rawRequest("GET", "/healthz", { "X-Forwarded-Host": "a b" });
  expect(forwarded.status).toBe(400);
  expect((await rawRequest("GET", "/healthz", { Host: "[::1]:80" })).status).toBe(200);
});

it("refuses a signed app proxy request whose shop is not a shop domain with a 401", async () => {
  for (const shop of ["evil.com", "", "a", "..", "x y"]) {
    const url = signAsShopify(new URL(`${server.url}/proxy/products/42`), { shop });
    const res = await fetch(url);
    expect(res.status, `shop ${JSON.stringify(shop)}`).toBe(401);
    expect(await res.json()).toHaveProperty("detail");
  }
});

it("lets a client that streams an oversized body (chunked, no Content-Length) read its 413", async () => {
  const { hostname, port } = new URL(server.url);
  const answer = await new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = request({ hostname, port, method: "POST", path: "/v1/jobs", headers: { "Content-Type": "multipart/form-data; boundary=x", "Transfer-Encoding": "chunked" } }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk) => (text += chunk));
      res.on("end", () => resolve({ status: res.statusCode!, text }));
    });
    req.on("error", reject);
    const chunk = Buffer.alloc(1024 * 1024, 0x61);
    let sent = 0;
    const pump = () => {
      while (sent < 30) {
        sent++;
        if (!req.write(chunk)) return void req.once("drain", pump);
      }
      req.end();
    };
    pump();
  });
  expect(answer.status).toBe(413);
  expect(JSON.parse(answer.text)).toHaveProperty("detail");
});

it("answers what Node's parser refuses (oversized headers) and GETs on webhooks in the JSON shape too", async () => {
  const big = await rawRequest("GET", "/healthz", { "X-Filler": "x".repeat(20_000) });
  expect(big.status).toBe(431);
  expect(JSON.parse(big.text)).toEqual({ detail: "Request Header Fields Too Large" });
  for (const path of ["/webhooks/compliance", "/webhooks/app/uninstalled", "/webhooks/app/scopes_update"]) {
    const res = await rawRequest("GET", path);
    expect(res.status, path).toBe(405);
    expect(res.allow).toBe("POST");
    expect(JSON.parse(res.text)).toEqual({ detail: "Method Not Allowed" });
  }
});
