// Blobs on local disk, served back through the app's own /blobs/:token route.
// The token is AES-256-GCM ciphertext, so it carries the key without revealing it
// (contract: no raw key or path in any response) and cannot be forged or altered.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";
import { mkdir, open, readFile, rename, rm, rmdir } from "node:fs/promises";
import path from "node:path";
import { BlobNotFoundError, type BlobStore, type PutOptions } from "./blob-store.server";

export const DEFAULT_BLOB_ROOT = "./data/blobs";
export const DEFAULT_TTL_SECONDS = 900;

const KEY_CHARS = /^[A-Za-z0-9._/-]{1,512}$/;

/**
 * Throws unless `key` is a relative path of plain segments. Segments may not be empty
 * or start with "." (rules out "..", "." and our own temp files), so a key can never
 * leave the root or collide with an in-flight write.
 */
export function assertValidBlobKey(key: string): void {
  if (
    typeof key !== "string" ||
    !KEY_CHARS.test(key) ||
    key.split("/").some((segment) => segment === "" || segment.startsWith("."))
  ) {
    throw new InvalidBlobKeyError(key);
  }
}

export class InvalidBlobKeyError extends Error {
  constructor(key: unknown) {
    super(`invalid blob key: ${JSON.stringify(String(key)).slice(0, 200)}`);
    this.name = "InvalidBlobKeyError";
  }
}

// --- tokens -----------------------------------------------------------------------

const TOKEN_VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const PAD_TO = 32; // hide the exact key length in the ciphertext length
const HKDF_INFO = "studio/blob-url/v1";
const B64URL = /^[A-Za-z0-9_-]+$/;
// Header-safe: printable ASCII, no CR/LF, as it is echoed in Content-Type.
const CONTENT_TYPE = /^[\x21-\x7e][\x20-\x7e]{0,254}$/;

export type BlobTokenResult =
  | { ok: true; key: string; contentType: string; /** unix seconds */ expiresAt: number }
  | { ok: false; reason: "invalid" | "expired" };

// Derived once per secret: every artifact in every timeline poll is presigned with it.
const derivedKeys = new Map<string, Buffer>();

function tokenKey(secret: string): Buffer {
  if (!secret) throw new Error("blob token secret is empty");
  let key = derivedKeys.get(secret);
  if (!key) {
    key = Buffer.from(hkdfSync("sha256", secret, Buffer.alloc(0), HKDF_INFO, 32));
    derivedKeys.set(secret, key);
  }
  return key;
}

export function sealBlobToken(
  payload: { key: string; contentType: string; expiresAt: number },
  secret: string,
): string {
  const json = JSON.stringify([payload.key, payload.expiresAt, payload.contentType]);
  // JSON.parse ignores trailing whitespace, so spaces are a free padding scheme.
  const plain = Buffer.from(json.padEnd(Math.ceil(json.length / PAD_TO) * PAD_TO, " "));
  const version = Buffer.of(TOKEN_VERSION);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", tokenKey(secret), iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(version);
  const body = Buffer.concat([cipher.update(plain), cipher.final()]);
  return Buffer.concat([version, iv, body, cipher.getAuthTag()]).toString("base64url");
}

/** Verify and decrypt a token. `now` is in milliseconds (Date.now()). */
export function openBlobToken(token: string, secret: string, now: number = Date.now()): BlobTokenResult {
  const invalid = { ok: false, reason: "invalid" } as const;
  if (typeof token !== "string" || token.length > 4096 || !B64URL.test(token)) return invalid;
  const raw = Buffer.from(token, "base64url");
  // Reject non-canonical encodings so each token has exactly one spelling.
  if (raw.toString("base64url") !== token) return invalid;
  if (raw.length < 1 + IV_BYTES + 1 + TAG_BYTES || raw[0] !== TOKEN_VERSION) return invalid;

  let plain: string;
  try {
    const decipher = createDecipheriv("aes-256-gcm", tokenKey(secret), raw.subarray(1, 1 + IV_BYTES), {
      authTagLength: TAG_BYTES,
    });
    decipher.setAAD(raw.subarray(0, 1));
    decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
    // final() throws on a bad tag; GCM's tag comparison is constant-time.
    plain = Buffer.concat([decipher.update(raw.subarray(1 + IV_BYTES, raw.length - TAG_BYTES)), decipher.final()]).toString("utf8");
  } catch {
    return invalid;
  }

  let parsed: unknown;
  try {
    parsed = JSON.parse(plain);
  } catch {
    return invalid;
  }
  if (!Array.isArray(parsed) || parsed.length !== 3) return invalid;
  const [key, expiresAt, contentType] = parsed as unknown[];
  if (typeof key !== "string" || typeof contentType !== "string" || !Number.isSafeInteger(expiresAt)) return invalid;
  if (Math.floor(now / 1000) >= (expiresAt as number)) return { ok: false, reason: "expired" };
  return { ok: true, key, contentType, expiresAt: expiresAt as number };
}

// --- store ------------------------------------------------------------------------

export interface LocalBlobStoreOptions {
  /** Directory holding the blobs; relative paths resolve against cwd. */
  root?: string;
  /** Public base URL of the app; presigned URLs are `${appUrl}/blobs/${token}`. */
  appUrl: string;
  /** App secret; the token key is derived from it with HKDF. */
  secret: string;
  ttlSeconds?: number;
  /** Clock in milliseconds, for tests. */
  now?: () => number;
}

/** how often a write makes its folder again when deletes keep pruning it (see put) */
const CREATE_ATTEMPTS = 5;

/**
 * Creates `file` (exclusive) in `dir`, making the folder first. A delete in the same folder
 * prunes it once empty, which can happen between the mkdir and the open; once the file exists
 * the folder is not empty and stays.
 */
async function createIn(dir: string, file: string) {
  for (let attempt = 1; ; attempt++) {
    await mkdir(dir, { recursive: true });
    try {
      return await open(file, "wx");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT" || attempt >= CREATE_ATTEMPTS) throw err;
    }
  }
}

export class LocalBlobStore implements BlobStore {
  readonly root: string;
  private readonly appUrl: string;
  private readonly secret: string;
  private readonly ttlSeconds: number;
  private readonly now: () => number;

  constructor(options: LocalBlobStoreOptions) {
    if (!options.secret) throw new Error("LocalBlobStore needs a non-empty secret");
    this.root = path.resolve(options.root || DEFAULT_BLOB_ROOT);
    this.appUrl = options.appUrl.replace(/\/+$/, "");
    this.secret = options.secret;
    this.ttlSeconds = options.ttlSeconds ?? DEFAULT_TTL_SECONDS;
    this.now = options.now ?? Date.now;
  }

  private pathFor(key: string): string {
    assertValidBlobKey(key);
    const full = path.resolve(this.root, key);
    // Belt and braces: validation already makes escaping impossible.
    if (!full.startsWith(this.root + path.sep)) throw new InvalidBlobKeyError(key);
    return full;
  }

  async put(key: string, body: Buffer, _options: PutOptions): Promise<void> {
    const target = this.pathFor(key);
    const dir = path.dirname(target);
    // Same directory keeps the rename on one filesystem, hence atomic; the leading
    // dot keeps temp names out of the key space.
    const temp = path.join(dir, `.${path.basename(target)}.${randomBytes(8).toString("hex")}.tmp`);
    try {
      const handle = await createIn(dir, temp);
      try {
        await handle.writeFile(body);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temp, target);
    } catch (err) {
      await rm(temp, { force: true });
      throw err;
    }
  }

  async get(key: string): Promise<Buffer> {
    const target = this.pathFor(key);
    try {
      return await readFile(target);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === "ENOENT" || code === "ENOTDIR" || code === "EISDIR") throw new BlobNotFoundError(key);
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    const target = this.pathFor(key);
    await rm(target, { force: true });
    await this.pruneEmptyFolders(path.dirname(target));
  }

  /**
   * Removes `dir` and its parents below the root while they are empty: every job and model has
   * a folder, and erasing a shop's data should not leave thousands of them behind.
   */
  private async pruneEmptyFolders(dir: string): Promise<void> {
    for (let current = dir; current.startsWith(this.root + path.sep); current = path.dirname(current)) {
      try {
        await rmdir(current);
      } catch {
        // not empty (another blob, or a write in flight), or already gone: stop here
        return;
      }
    }
  }

  async presign(key: string, options: { contentType: string; ttlSeconds?: number }): Promise<string> {
    assertValidBlobKey(key);
    if (!CONTENT_TYPE.test(options.contentType)) throw new Error("invalid content type for presign");
    const ttl = options.ttlSeconds ?? this.ttlSeconds;
    if (!Number.isInteger(ttl) || ttl < 1) throw new Error("ttlSeconds must be a positive integer");
    const expiresAt = Math.floor(this.now() / 1000) + ttl;
    const token = sealBlobToken({ key, contentType: options.contentType, expiresAt }, this.secret);
    return `${this.appUrl}/blobs/${token}`;
  }

  /** Verify a token minted by this store (used by the /blobs/:token route). */
  openToken(token: string, now: number = this.now()): BlobTokenResult {
    return openBlobToken(token, this.secret, now);
  }
}
