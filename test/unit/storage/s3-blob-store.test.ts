// S3 store against a real s3rver. s3rver checks presigned-URL expiry but not SigV4
// signatures, so the signature is recomputed here with @smithy/signature-v4.
import { createHash, createHmac } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { CreateBucketCommand, GetObjectCommand } from "@aws-sdk/client-s3";
import { SignatureV4 } from "@smithy/signature-v4";
import type { Checksum, SourceData } from "@smithy/types";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BlobNotFoundError } from "~/storage/blob-store.server";
import { InvalidBlobKeyError } from "~/storage/local-blob-store.server";
import { S3BlobStore, type S3BlobStoreOptions, parseS3Url } from "~/storage/s3-blob-store.server";

interface S3rverInstance {
  run(): Promise<{ address: string; port: number }>;
  close(): Promise<void>;
}
type S3rverCtor = new (options: Record<string, unknown>) => S3rverInstance;
// s3rver is CommonJS without type declarations.
const S3rver = createRequire(import.meta.url)("s3rver") as S3rverCtor;

// s3rver only knows this account; it does not check the secret.
const CREDS = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" };
const REGION = "us-east-1";
const BUCKET = "studio-test";

let dir: string;
let server: S3rverInstance;
let endpoint: string;

const makeStore = (over: Partial<S3BlobStoreOptions> = {}) =>
  new S3BlobStore({
    url: `s3://${BUCKET}/artifacts/`,
    region: REGION,
    endpoint,
    forcePathStyle: true,
    credentials: CREDS,
    ...over,
  });

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "studio-s3rver-"));
  server = new S3rver({ address: "127.0.0.1", port: 0, directory: dir, silent: true });
  const { port } = await server.run();
  endpoint = `http://127.0.0.1:${port}`;
  await makeStore().client.send(new CreateBucketCommand({ Bucket: BUCKET }));
});

afterAll(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

// --- SigV4 presigned-URL verification -------------------------------------------

class NodeSha256 implements Checksum {
  private readonly h;
  constructor(secret?: SourceData) {
    this.h = secret ? createHmac("sha256", toBuf(secret)) : createHash("sha256");
  }
  update(data: Uint8Array): void {
    this.h.update(data);
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.h.digest());
  }
  reset(): void {
    throw new Error("not needed");
  }
}
function toBuf(data: SourceData): Buffer {
  if (typeof data === "string") return Buffer.from(data);
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(data);
}

const AUTH_PARAMS = new Set([
  "X-Amz-Algorithm",
  "X-Amz-Credential",
  "X-Amz-Date",
  "X-Amz-Expires",
  "X-Amz-SignedHeaders",
  "X-Amz-Signature",
  "X-Amz-Content-Sha256",
  "X-Amz-Security-Token",
]);

/** Recompute the presigned URL's SigV4 signature from its own contents. */
async function recomputeSignature(url: string, secretAccessKey = CREDS.secretAccessKey): Promise<string> {
  const u = new URL(url);
  const q = u.searchParams;
  expect(q.get("X-Amz-Algorithm")).toBe("AWS4-HMAC-SHA256");
  expect(q.get("X-Amz-SignedHeaders")).toBe("host");
  const [accessKeyId, , region, service] = q.get("X-Amz-Credential")!.split("/");
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(q.get("X-Amz-Date")!)!;
  const signingDate = new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!));

  const query: Record<string, string> = {};
  for (const [k, v] of q) if (!AUTH_PARAMS.has(k)) query[k] = v;

  const signer = new SignatureV4({
    credentials: { accessKeyId: accessKeyId!, secretAccessKey },
    region: region!,
    service: service!,
    sha256: NodeSha256,
    uriEscapePath: false, // S3 signs the path as sent, without double-encoding
  });
  const signed = await signer.presign(
    {
      method: "GET",
      protocol: u.protocol,
      hostname: u.hostname,
      port: u.port ? Number(u.port) : undefined,
      path: u.pathname,
      query,
      // S3 presigned URLs sign an unsigned payload; the SDK hoists this into the query.
      headers: { host: u.host, "X-Amz-Content-Sha256": "UNSIGNED-PAYLOAD" },
    },
    { signingDate, expiresIn: Number(q.get("X-Amz-Expires")) },
  );
  return String(signed.query?.["X-Amz-Signature"]);
}

async function signatureMatches(url: string, secret?: string): Promise<boolean> {
  return (await recomputeSignature(url, secret)) === new URL(url).searchParams.get("X-Amz-Signature");
}

// --- tests ------------------------------------------------------------------------

describe("parseS3Url", () => {
  it.each([
    ["s3://bucket", "bucket", ""],
    ["s3://bucket/", "bucket", ""],
    ["s3://bucket/a", "bucket", "a/"],
    ["s3://bucket/a/b/", "bucket", "a/b/"],
    ["s3://My.Bucket//a", "My.Bucket", "a/"],
  ])("%s", (url, bucket, prefix) => {
    expect(parseS3Url(url)).toEqual({ bucket, prefix });
  });
  it.each(["s3://", "s3:///x", "https://bucket/x", "bucket/x"])("rejects %s", (url) => {
    expect(() => parseS3Url(url)).toThrow();
  });
});

describe("S3BlobStore on s3rver", () => {
  it("put/get/delete round trip under the prefix", async () => {
    const store = makeStore();
    const body = Buffer.from(Array.from({ length: 300 }, (_, i) => i % 256));
    await store.put("shops/1/out.png", body, { contentType: "image/png" });
    expect((await store.get("shops/1/out.png")).equals(body)).toBe(true);

    // Stored under the URL's prefix, with the content type.
    const raw = await store.client.send(new GetObjectCommand({ Bucket: BUCKET, Key: "artifacts/shops/1/out.png" }));
    expect(raw.ContentType).toBe("image/png");
    await raw.Body?.transformToByteArray();

    await store.delete("shops/1/out.png");
    await expect(store.get("shops/1/out.png")).rejects.toBeInstanceOf(BlobNotFoundError);
    await expect(store.delete("shops/1/out.png")).resolves.toBeUndefined();
  });

  it("get of a missing key is BlobNotFoundError; a missing bucket is not", async () => {
    await expect(makeStore().get("never/written")).rejects.toBeInstanceOf(BlobNotFoundError);
    const err = await makeStore({ url: "s3://no-such-bucket" }).get("x").catch((e: unknown) => e);
    expect(err).not.toBeInstanceOf(BlobNotFoundError);
    expect((err as Error).name).toBe("NoSuchBucket");
  });

  it("validates keys like the local store", async () => {
    const store = makeStore();
    for (const key of ["../x", "/abs", "a//b", ".hidden"]) {
      await expect(store.put(key, Buffer.from("x"), { contentType: "text/plain" })).rejects.toBeInstanceOf(
        InvalidBlobKeyError,
      );
      await expect(store.presign(key, { contentType: "text/plain" })).rejects.toBeInstanceOf(InvalidBlobKeyError);
    }
  });

  it("PutObject goes out without default CRC32 checksum headers and is accepted", async () => {
    const store = makeStore();
    const seen: Record<string, string>[] = [];
    store.client.middlewareStack.add(
      (next) => async (args) => {
        seen.push({ ...(args.request as { headers: Record<string, string> }).headers });
        return next(args);
      },
      { step: "finalizeRequest", priority: "low", name: "captureHeaders" },
    );
    await store.put("checksum/probe.txt", Buffer.from("hello"), { contentType: "text/plain" });
    expect(seen).toHaveLength(1);
    const names = Object.keys(seen[0]!).map((h) => h.toLowerCase());
    expect(names.filter((h) => h.startsWith("x-amz-checksum-") || h === "x-amz-sdk-checksum-algorithm")).toEqual([]);
    expect(names).not.toContain("content-encoding"); // no aws-chunked trailer encoding
    expect((await store.get("checksum/probe.txt")).toString()).toBe("hello");
  });

  it("presigned GET returns the bytes and content type, and its signature verifies", async () => {
    const store = makeStore({ ttlSeconds: 120 });
    const body = Buffer.from("webp-ish bytes");
    await store.put("r/1.webp", body, { contentType: "application/octet-stream" });
    const url = await store.presign("r/1.webp", { contentType: "image/webp" });

    const u = new URL(url);
    expect(u.origin).toBe(endpoint);
    expect(u.pathname).toBe(`/${BUCKET}/artifacts/r/1.webp`);
    expect(u.searchParams.get("X-Amz-Expires")).toBe("120");
    expect(u.searchParams.get("response-content-type")).toBe("image/webp");
    expect(u.searchParams.has("x-amz-checksum-mode")).toBe(false);

    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("image/webp");
    expect(Buffer.from(await res.arrayBuffer()).equals(body)).toBe(true);

    expect(await signatureMatches(url)).toBe(true);
    expect(await signatureMatches(url, "wrong-secret")).toBe(false);
  });

  it("a tampered presigned URL no longer matches its signature", async () => {
    const store = makeStore();
    await store.put("r/a.png", Buffer.from("a"), { contentType: "image/png" });
    const url = await store.presign("r/a.png", { contentType: "image/png", ttlSeconds: 60 });
    expect(await signatureMatches(url)).toBe(true);

    const otherKey = new URL(url);
    otherKey.pathname = `/${BUCKET}/artifacts/r/b.png`;
    expect(await signatureMatches(otherKey.toString())).toBe(false);

    const longer = new URL(url);
    longer.searchParams.set("X-Amz-Expires", "604800");
    expect(await signatureMatches(longer.toString())).toBe(false);

    const laterDate = new URL(url);
    laterDate.searchParams.set("X-Amz-Date", "20990101T000000Z");
    expect(await signatureMatches(laterDate.toString())).toBe(false);

    const otherType = new URL(url);
    otherType.searchParams.set("response-content-type", "text/html");
    expect(await signatureMatches(otherType.toString())).toBe(false);
  });

  it("an expired presigned URL is refused", async () => {
    const store = makeStore({ now: () => Date.now() - 3600_000 });
    await store.put("r/old.png", Buffer.from("old"), { contentType: "image/png" });
    const url = await store.presign("r/old.png", { contentType: "image/png", ttlSeconds: 60 });
    expect(await signatureMatches(url)).toBe(true); // validly signed, just expired
    const res = await fetch(url);
    expect(res.status).toBe(403);
    expect(await res.text()).toMatch(/expired/i);
  });
});
