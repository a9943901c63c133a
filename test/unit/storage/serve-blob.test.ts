import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { LoaderFunctionArgs } from "@remix-run/node";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { loader } from "~/routes/blobs.$token";
import {
  type BlobStoreConfig,
  blobStore,
  configureBlobStore,
  createBlobStore,
  serveBlob,
} from "~/storage/index.server";
import { LocalBlobStore } from "~/storage/local-blob-store.server";
import { S3BlobStore } from "~/storage/s3-blob-store.server";

const SECRET = "test-app-secret-0123456789abcdef";
let dir: string;
let config: BlobStoreConfig;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "studio-serve-"));
  config = { blobStore: dir, appUrl: "https://studio.example", secret: SECRET, ttlSeconds: 600 };
  configureBlobStore(config);
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const tokenOf = (url: string) => url.split("/blobs/")[1]!;

async function presigned(key = "r/out.png", body = Buffer.from("\x89PNG fake"), contentType = "image/png") {
  await blobStore().put(key, body, { contentType });
  return tokenOf(await blobStore().presign(key, { contentType }));
}

async function expectJsonError(res: Response, status: number, detail: string) {
  expect(res.status).toBe(status);
  expect(res.headers.get("content-type")).toMatch(/^application\/json/);
  expect(res.headers.get("cache-control")).toBe("no-store");
  expect(await res.json()).toEqual({ detail });
}

describe("serveBlob", () => {
  it("200 with bytes and headers", async () => {
    const body = Buffer.from("\x89PNG fake image bytes");
    const token = await presigned("r/out.png", body);
    const res = await serveBlob(token);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("image/png");
    expect(res.headers.get("content-length")).toBe(String(body.length));
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    const maxAge = Number(/^private, max-age=(\d+)$/.exec(res.headers.get("cache-control") ?? "")?.[1]);
    expect(maxAge).toBeGreaterThanOrEqual(598);
    expect(maxAge).toBeLessThanOrEqual(600);
    expect(Buffer.from(await res.arrayBuffer()).equals(body)).toBe(true);
  });

  it("max-age counts down to expiry", async () => {
    const token = await presigned();
    const res = await serveBlob(token, Date.now() + 500_000);
    const maxAge = Number(/max-age=(\d+)/.exec(res.headers.get("cache-control") ?? "")?.[1]);
    expect(maxAge).toBeGreaterThanOrEqual(98);
    expect(maxAge).toBeLessThanOrEqual(100);
  });

  it("serves the content type named at presign time", async () => {
    await blobStore().put("doc", Buffer.from("{}"), { contentType: "application/json" });
    const token = tokenOf(await blobStore().presign("doc", { contentType: "application/json" }));
    expect((await serveBlob(token)).headers.get("content-type")).toBe("application/json");
  });

  it("403 on tampering, garbage and expiry; 404 once deleted", async () => {
    const token = await presigned();
    const raw = Buffer.from(token, "base64url");
    raw[20]! ^= 1;
    await expectJsonError(await serveBlob(raw.toString("base64url")), 403, "Invalid or expired URL");
    await expectJsonError(await serveBlob(token.slice(0, -2)), 403, "Invalid or expired URL");
    await expectJsonError(await serveBlob(""), 403, "Invalid or expired URL");
    await expectJsonError(await serveBlob("../../etc/passwd"), 403, "Invalid or expired URL");
    await expectJsonError(await serveBlob(token, Date.now() + 601_000), 403, "Invalid or expired URL");

    await blobStore().delete("r/out.png");
    await expectJsonError(await serveBlob(token), 404, "Not found");
  });

  it("403 for a token minted under another secret", async () => {
    const other = new LocalBlobStore({ root: dir, appUrl: "https://studio.example", secret: "some-other-secret-000000" });
    await other.put("x", Buffer.from("x"), { contentType: "text/plain" });
    const token = tokenOf(await other.presign("x", { contentType: "text/plain" }));
    await expectJsonError(await serveBlob(token), 403, "Invalid or expired URL");
  });

  it("error bodies never echo the key", async () => {
    const token = await presigned("shops/acme-widgets/secret-render.png");
    await blobStore().delete("shops/acme-widgets/secret-render.png");
    const text = await (await serveBlob(token)).text();
    expect(text).not.toContain("acme-widgets");
    expect(text).not.toContain("secret-render");
  });

  it("404 when the active store is S3", async () => {
    configureBlobStore({
      ...config,
      blobStore: "s3://bucket/prefix",
      s3: { region: "us-east-1", endpoint: "http://127.0.0.1:1", forcePathStyle: true },
    });
    const local = new LocalBlobStore({ root: dir, appUrl: "https://studio.example", secret: SECRET });
    await local.put("x", Buffer.from("x"), { contentType: "text/plain" });
    const token = tokenOf(await local.presign("x", { contentType: "text/plain" }));
    await expectJsonError(await serveBlob(token), 404, "Not found");
  });

  it("206 with Content-Range for one byte range, as S3's presigned URLs answer", async () => {
    const body = Buffer.from("0123456789");
    const token = await presigned("r/range.png", body);
    const part = async (range: string) => {
      const res = await serveBlob(token, Date.now(), range);
      return { status: res.status, range: res.headers.get("content-range"), length: res.headers.get("content-length"), text: await res.text() };
    };
    expect(await part("bytes=2-5")).toEqual({ status: 206, range: "bytes 2-5/10", length: "4", text: "2345" });
    expect(await part("bytes=7-")).toEqual({ status: 206, range: "bytes 7-9/10", length: "3", text: "789" });
    expect(await part("bytes=-3")).toEqual({ status: 206, range: "bytes 7-9/10", length: "3", text: "789" });
    // a last byte past the end is cut to the end; overlapping ranges combine into one
    expect(await part("bytes=8-100")).toEqual({ status: 206, range: "bytes 8-9/10", length: "2", text: "89" });
    expect(await part("bytes=1-3,2-4")).toEqual({ status: 206, range: "bytes 1-4/10", length: "4", text: "1234" });
    const res = await serveBlob(token, Date.now(), "bytes=0-0");
    expect(res.headers.get("content-type")).toBe("image/png");
    expect(res.headers.get("content-security-policy")).toBe("sandbox");
    expect(res.headers.get("cache-control")).toMatch(/^private, max-age=\d+$/);
  });

  it("the whole blob for several ranges, a malformed header or another unit; 416 past the end", async () => {
    const body = Buffer.from("0123456789");
    const token = await presigned("r/range.png", body);
    for (const range of ["bytes=0-1,5-6", "bytes=abc", "bytes", "items=0-1", ""]) {
      const res = await serveBlob(token, Date.now(), range);
      expect(res.status, range).toBe(200);
      expect(res.headers.get("content-range"), range).toBeNull();
      expect(res.headers.get("accept-ranges"), range).toBe("bytes");
      expect(await res.text(), range).toBe("0123456789");
    }
    for (const range of ["bytes=10-20", "bytes=-0"]) {
      const res = await serveBlob(token, Date.now(), range);
      await expectJsonError(res, 416, "Range not satisfiable");
      expect(res.headers.get("content-range"), range).toBe("bytes */10");
    }
  });

  it("checks the URL before the range: a bad token is 403 whatever the Range header", async () => {
    const token = await presigned();
    await expectJsonError(await serveBlob(token.slice(0, -2), Date.now(), "bytes=0-1"), 403, "Invalid or expired URL");
    await expectJsonError(await serveBlob(token, Date.now() + 601_000, "bytes=999-"), 403, "Invalid or expired URL");
  });

  it("the route loader delegates to serveBlob", async () => {
    const token = await presigned("r/route.png", Buffer.from("route"));
    const call = (t?: string) =>
      loader({ params: t === undefined ? {} : { token: t }, request: new Request("http://x/"), context: {} } as LoaderFunctionArgs);
    const ok = await call(token);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe("route");
    expect((await call(undefined)).status).toBe(403);
    const part = await loader({
      params: { token },
      request: new Request("http://x/", { headers: { Range: "bytes=1-2" } }),
      context: {},
    } as LoaderFunctionArgs);
    expect(part.status).toBe(206);
    expect(await part.text()).toBe("ou");
  });
});

describe("createBlobStore / blobStore", () => {
  it("picks S3 for s3:// and local otherwise", () => {
    const s3 = createBlobStore({
      ...config,
      blobStore: "s3://my-bucket/arts/",
      s3: { region: "us-east-1", forcePathStyle: false, accessKeyId: "a", secretAccessKey: "b" },
    });
    expect(s3).toBeInstanceOf(S3BlobStore);
    expect((s3 as S3BlobStore).bucket).toBe("my-bucket");
    expect((s3 as S3BlobStore).prefix).toBe("arts/");

    const local = createBlobStore({ ...config, blobStore: "./some/dir" });
    expect(local).toBeInstanceOf(LocalBlobStore);
    expect((local as LocalBlobStore).root).toBe(path.resolve("some/dir"));
    expect((createBlobStore({ ...config, blobStore: "" }) as LocalBlobStore).root).toBe(path.resolve("data/blobs"));
    expect((createBlobStore({ ...config, blobStore: `file://${dir}` }) as LocalBlobStore).root).toBe(dir);
  });

  it("rejects unknown schemes, missing S3 settings and half credentials", () => {
    expect(() => createBlobStore({ ...config, blobStore: "gs://bucket" })).toThrow(/unsupported/);
    expect(() => createBlobStore({ ...config, blobStore: "s3://bucket" })).toThrow(/S3 settings/);
    expect(() =>
      createBlobStore({ ...config, blobStore: "s3://b", s3: { region: "x", forcePathStyle: true, accessKeyId: "a" } }),
    ).toThrow(/both/);
  });

  it("blobStore() throws until configured", async () => {
    vi.resetModules();
    const fresh = await import("~/storage/index.server");
    expect(() => fresh.blobStore()).toThrow(/not configured/);
  });

  it("is a lazily built singleton, rebuilt on reconfigure", () => {
    const a = blobStore();
    expect(blobStore()).toBe(a);
    configureBlobStore({ ...config });
    expect(blobStore()).not.toBe(a);
  });
});
