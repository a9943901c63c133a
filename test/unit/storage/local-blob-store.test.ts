import { mkdtemp, readdir, rm, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BlobNotFoundError } from "~/storage/blob-store.server";
import { InvalidBlobKeyError, LocalBlobStore, assertValidBlobKey } from "~/storage/local-blob-store.server";

const SECRET = "test-app-secret-0123456789abcdef";
let base: string;
let root: string;
let store: LocalBlobStore;

beforeEach(async () => {
  base = await mkdtemp(path.join(os.tmpdir(), "studio-blobs-"));
  root = path.join(base, "root");
  store = new LocalBlobStore({ root, appUrl: "https://studio.example", secret: SECRET });
});
afterEach(async () => {
  await rm(base, { recursive: true, force: true });
});

async function listAll(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true, withFileTypes: true }))
    .filter((d) => d.isFile())
    .map((d) => path.relative(dir, path.join(d.parentPath, d.name)));
}

describe("LocalBlobStore", () => {
  it("round-trips, overwrites and deletes", async () => {
    const key = "shops/acme/renders/01J/out.png";
    await store.put(key, Buffer.from("first"), { contentType: "image/png" });
    expect((await store.get(key)).toString()).toBe("first");
    await store.put(key, Buffer.from("second"), { contentType: "image/png" });
    expect((await store.get(key)).toString()).toBe("second");
    expect(await stat(path.join(root, key))).toBeTruthy();

    await store.delete(key);
    await expect(store.get(key)).rejects.toBeInstanceOf(BlobNotFoundError);
    await expect(store.delete(key)).resolves.toBeUndefined(); // absent is fine
  });

  it("removes the folders a delete leaves empty, up to the root, and no further", async () => {
    await store.put("jobs/acme/01A/out.png", Buffer.from("a"), { contentType: "image/png" });
    await store.put("jobs/acme/01A/cutout.png", Buffer.from("b"), { contentType: "image/png" });
    await store.put("jobs/acme/01B/out.png", Buffer.from("c"), { contentType: "image/png" });
    await store.delete("jobs/acme/01A/out.png");
    expect(await readdir(path.join(root, "jobs/acme/01A"))).toEqual(["cutout.png"]);
    await store.delete("jobs/acme/01A/cutout.png");
    expect(await readdir(path.join(root, "jobs/acme"))).toEqual(["01B"]);
    await store.delete("jobs/acme/01B/out.png");
    expect(await readdir(root)).toEqual([]);
  });

  it("writes a blob whose folder a delete beside it prunes while the write starts", async () => {
    // (deletes in the folder the write has just made remove it again before the write's file
    // exists: about 10% of these writes failed with ENOENT when the folder was made only once)
    const failed: unknown[] = [];
    for (let k = 0; k < 300; k++) {
      const folder = `jobs/acme/${k}`;
      const outcomes = await Promise.allSettled([
        store.delete(`${folder}/gone.png`),
        store.put(`${folder}/out.png`, Buffer.from("x"), { contentType: "image/png" }),
        store.delete(`${folder}/gone-too.png`),
      ]);
      for (const outcome of outcomes) if (outcome.status === "rejected") failed.push(outcome.reason);
    }
    expect(failed).toEqual([]);
    expect(await listAll(root)).toHaveLength(300);
  });

  it("round-trips binary and empty bodies", async () => {
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    await store.put("bin", bytes, { contentType: "application/octet-stream" });
    expect((await store.get("bin")).equals(bytes)).toBe(true);
    await store.put("empty", Buffer.alloc(0), { contentType: "text/plain" });
    expect((await store.get("empty")).length).toBe(0);
  });

  it("throws BlobNotFoundError for missing keys, including under a file", async () => {
    await expect(store.get("nope.png")).rejects.toBeInstanceOf(BlobNotFoundError);
    await store.put("file", Buffer.from("x"), { contentType: "text/plain" });
    await expect(store.get("file/child")).rejects.toBeInstanceOf(BlobNotFoundError);
  });

  it("leaves no temp files behind and never exposes a partial write", async () => {
    const big = (fill: number) => Buffer.alloc(2 * 1024 * 1024, fill);
    await Promise.all([1, 2, 3, 4, 5].map((n) => store.put("a/b.bin", big(n), { contentType: "x/y" })));
    const got = await store.get("a/b.bin");
    expect(got.length).toBe(2 * 1024 * 1024);
    expect(got.every((b) => b === got[0])).toBe(true); // one whole write won
    expect(await listAll(root)).toEqual([path.join("a", "b.bin")]);
  });

  it("uses ./data/blobs under cwd by default", () => {
    const s = new LocalBlobStore({ appUrl: "http://x", secret: SECRET });
    expect(s.root).toBe(path.resolve(process.cwd(), "data/blobs"));
  });

  it("refuses an empty secret", () => {
    expect(() => new LocalBlobStore({ root, appUrl: "http://x", secret: "" })).toThrow();
  });
});

describe("blob key validation", () => {
  const bad = [
    "",
    "..",
    "../x",
    "a/../../x",
    "a/..",
    "/etc/passwd",
    "/abs",
    "a//b",
    "a/",
    "./a",
    "a/./b",
    ".hidden",
    "a/.b.tmp",
    "a\\..\\b",
    "..\\x",
    "C:/x",
    "a b",
    "a\0b",
    "é.png",
    "%2e%2e/x",
    "a?b",
    "x".repeat(513),
  ];
  it.each(bad)("rejects %j", async (key) => {
    expect(() => assertValidBlobKey(key)).toThrow(InvalidBlobKeyError);
    await expect(store.put(key, Buffer.from("evil"), { contentType: "text/plain" })).rejects.toBeInstanceOf(
      InvalidBlobKeyError,
    );
    await expect(store.get(key)).rejects.toBeInstanceOf(InvalidBlobKeyError);
    await expect(store.delete(key)).rejects.toBeInstanceOf(InvalidBlobKeyError);
    await expect(store.presign(key, { contentType: "text/plain" })).rejects.toBeInstanceOf(InvalidBlobKeyError);
  });

  it("wrote nothing outside (or inside) the root for rejected keys", async () => {
    for (const key of bad) await store.put(key, Buffer.from("evil"), { contentType: "text/plain" }).catch(() => {});
    expect(await readdir(base)).toEqual([]);
  });

  it.each(["a", "a.png", "shops/123/jobs/01JABC/out-1_final.webp", "a..b", "A-Z_0.9"])("accepts %j", (key) => {
    expect(() => assertValidBlobKey(key)).not.toThrow();
  });
});
