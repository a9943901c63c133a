// Picks the blob store from configuration and serves local-store presigned URLs.
import path from "node:path";
import { fileURLToPath } from "node:url";
import parseRange from "range-parser";
import { BlobNotFoundError, type BlobStore } from "./blob-store.server";
import { DEFAULT_BLOB_ROOT, InvalidBlobKeyError, LocalBlobStore } from "./local-blob-store.server";
import { S3BlobStore } from "./s3-blob-store.server";

export type { BlobStore } from "./blob-store.server";
export { BlobNotFoundError } from "./blob-store.server";

export type BlobStoreConfig = {
  /** `s3://bucket/prefix` for S3, otherwise a local directory (or file:// URL). */
  blobStore: string;
  appUrl: string;
  secret: string;
  ttlSeconds: number;
  s3?: {
    endpoint?: string;
    region: string;
    accessKeyId?: string;
    secretAccessKey?: string;
    forcePathStyle: boolean;
  };
};

export function createBlobStore(config: BlobStoreConfig): BlobStore {
  const target = config.blobStore.trim();
  if (target.startsWith("s3://")) {
    if (!config.s3) throw new Error("BLOB_STORE is an s3:// URL but no S3 settings were given");
    const { endpoint, region, accessKeyId, secretAccessKey, forcePathStyle } = config.s3;
    if (!accessKeyId !== !secretAccessKey) {
      throw new Error("set both AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or neither");
    }
    return new S3BlobStore({
      url: target,
      region,
      endpoint,
      forcePathStyle,
      credentials: accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey } : undefined,
      ttlSeconds: config.ttlSeconds,
    });
  }
  let root = target || DEFAULT_BLOB_ROOT;
  if (root.startsWith("file:")) root = fileURLToPath(root);
  // Anything else that looks like a URL (gs://, https://) is a typo, not a directory name.
  else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(root)) throw new Error(`unsupported BLOB_STORE: ${root}`);
  return new LocalBlobStore({
    root: path.resolve(root),
    appUrl: config.appUrl,
    secret: config.secret,
    ttlSeconds: config.ttlSeconds,
  });
}

let config: BlobStoreConfig | undefined;
let instance: BlobStore | undefined;

/** Set (or replace) the process-wide configuration; the store is built on first use. */
export function configureBlobStore(cfg: BlobStoreConfig): void {
  config = cfg;
  instance = undefined;
}

export function isBlobStoreConfigured(): boolean {
  return config !== undefined;
}

export function blobStore(): BlobStore {
  if (!config) throw new Error("blob store not configured: call configureBlobStore() at startup");
  instance ??= createBlobStore(config);
  return instance;
}

function jsonError(status: number, detail: string): Response {
  return new Response(JSON.stringify({ detail }), {
    status,
    headers: {
      "Content-Type": "application/json",
      "Cache-Control": "no-store",
      "X-Content-Type-Options": "nosniff",
    },
  });
}

/**
 * Response for GET/HEAD /blobs/:token. `now` (ms) is injectable for tests. A single byte range
 * (`Range: bytes=…`) gets a 206, as S3's presigned URLs do, so both stores answer a resumed
 * download or a media player alike; several ranges get the whole blob (RFC 9110 lets a server
 * ignore Range), a malformed header is ignored, and a range that starts past the end is 416.
 */
export async function serveBlob(token: string, now: number = Date.now(), range: string | null = null): Promise<Response> {
  const store = blobStore();
  // S3 presigned URLs point at S3; this route only serves the local store.
  if (!(store instanceof LocalBlobStore)) return jsonError(404, "Not found");

  const opened = store.openToken(token, now);
  if (!opened.ok) return jsonError(403, "Invalid or expired URL");

  let body: Buffer;
  try {
    body = await store.get(opened.key);
  } catch (err) {
    if (err instanceof BlobNotFoundError || err instanceof InvalidBlobKeyError) return jsonError(404, "Not found");
    throw err;
  }
  const remaining = Math.max(0, opened.expiresAt - Math.floor(now / 1000));
  const headers: Record<string, string> = {
    "Content-Type": opened.contentType,
    "Accept-Ranges": "bytes",
    "Cache-Control": `private, max-age=${remaining}`,
    "X-Content-Type-Options": "nosniff",
    // Served from the app's origin: a stray HTML/SVG artifact must not run script.
    "Content-Security-Policy": "sandbox",
  };
  const ranges = range && body.length > 0 ? parseRange(body.length, range, { combine: true }) : -2;
  if (ranges === -1) {
    const res = jsonError(416, "Range not satisfiable");
    res.headers.set("Content-Range", `bytes */${body.length}`);
    return res;
  }
  if (ranges !== -2 && ranges.type === "bytes" && ranges.length === 1) {
    const { start, end } = ranges[0]!;
    const part = body.subarray(start, end + 1);
    return new Response(new Uint8Array(part), {
      status: 206,
      headers: { ...headers, "Content-Range": `bytes ${start}-${end}/${body.length}`, "Content-Length": String(part.length) },
    });
  }
  return new Response(new Uint8Array(body), { status: 200, headers: { ...headers, "Content-Length": String(body.length) } });
}
