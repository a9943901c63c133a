import { describe, expect, it } from "vitest";
import { LocalBlobStore, openBlobToken, sealBlobToken } from "~/storage/local-blob-store.server";

const SECRET = "test-app-secret-0123456789abcdef";
const KEY = "shops/acme-widgets/renders/hero-shot.png";
const NOW = 1_800_000_000_000; // ms
const EXP = NOW / 1000 + 900;

const seal = (over: Partial<{ key: string; contentType: string; expiresAt: number }> = {}, secret = SECRET) =>
  sealBlobToken({ key: KEY, contentType: "image/png", expiresAt: EXP, ...over }, secret);

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

describe("blob tokens", () => {
  it("opens what it seals", () => {
    expect(openBlobToken(seal(), SECRET, NOW)).toEqual({
      ok: true,
      key: KEY,
      contentType: "image/png",
      expiresAt: EXP,
    });
  });

  it("uses a fresh IV each time", () => {
    expect(seal()).not.toBe(seal());
  });

  it("does not reveal the key, any path fragment or the root", async () => {
    const root = "/srv/studio-private/blob-root";
    const store = new LocalBlobStore({ root, appUrl: "https://studio.example/", secret: SECRET });
    const url = await store.presign(KEY, { contentType: "image/png" });
    expect(url).toMatch(/^https:\/\/studio\.example\/blobs\/[A-Za-z0-9_-]+$/);
    const token = url.split("/blobs/")[1]!;
    const needles = [KEY, root, ...KEY.split(/[/.]/), ...root.split("/")].filter((s) => s.length >= 5);
    // Also plain base64url of the key at each alignment (i.e. "encoded, not encrypted").
    for (const pad of ["", "x", "xx"]) needles.push(Buffer.from(pad + KEY).toString("base64url").slice(4, -4));
    for (const needle of needles) {
      expect(url).not.toContain(needle);
      expect(url.toLowerCase()).not.toContain(needle.toLowerCase());
    }
  });

  it("pads so similar keys give equal-length tokens", () => {
    expect(seal({ key: "a/b.png" }).length).toBe(seal({ key: "a/bc.png" }).length);
  });

  it("rejects a bit flip in every byte (version, IV, ciphertext, tag)", () => {
    const raw = Buffer.from(seal(), "base64url");
    for (let i = 0; i < raw.length; i++) {
      for (const bit of [0x01, 0x80]) {
        const t = Buffer.from(raw);
        t[i]! ^= bit;
        expect(openBlobToken(t.toString("base64url"), SECRET, NOW), `byte ${i}`).toEqual({
          ok: false,
          reason: "invalid",
        });
      }
    }
  });

  it("rejects any single-character change of the token text", () => {
    const token = seal();
    for (let i = 0; i < token.length; i++) {
      const c = token[i]!;
      const other = B64[(B64.indexOf(c) + 1) % 64]!;
      const t = token.slice(0, i) + other + token.slice(i + 1);
      expect(openBlobToken(t, SECRET, NOW).ok, `char ${i}`).toBe(false);
    }
  });

  it("rejects truncation and extension", () => {
    const token = seal();
    for (let n = 0; n < token.length; n++) {
      expect(openBlobToken(token.slice(0, n), SECRET, NOW).ok, `len ${n}`).toBe(false);
      expect(openBlobToken(token.slice(token.length - n), SECRET, NOW).ok, `suffix ${n}`).toBe(false);
    }
    for (const extra of ["A", "AA", "AAAA", "=", "==", ".", "%00"]) {
      expect(openBlobToken(token + extra, SECRET, NOW).ok, extra).toBe(false);
    }
  });

  it("rejects garbage", () => {
    // (a token with a "-" or "_" in it, which the standard alphabet spells differently: about
    // one sealed token in twenty has neither, and its "standard base64" spelling is itself)
    let urlSafe = seal();
    while (!/[-_]/.test(urlSafe)) urlSafe = seal();
    const garbage = [
      "",
      "not a token",
      "../../etc/passwd",
      "shops/acme-widgets/renders/hero-shot.png",
      Buffer.from(JSON.stringify([KEY, EXP, "image/png"])).toString("base64url"),
      Buffer.alloc(64).toString("base64url"),
      Buffer.alloc(29, 1).toString("base64url"),
      "A".repeat(5000),
      urlSafe.replace(/-/g, "+").replace(/_/g, "/"), // standard base64 alphabet
    ];
    for (const g of garbage) expect(openBlobToken(g, SECRET, NOW), g.slice(0, 40)).toEqual({ ok: false, reason: "invalid" });
    expect(openBlobToken(undefined as unknown as string, SECRET, NOW).ok).toBe(false);
  });

  it("rejects a token sealed with another secret", () => {
    expect(openBlobToken(seal({}, "another-secret-entirely-0123456"), SECRET, NOW)).toEqual({
      ok: false,
      reason: "invalid",
    });
    expect(openBlobToken(seal(), SECRET + "x", NOW)).toEqual({ ok: false, reason: "invalid" });
  });

  it("expires at expiresAt", () => {
    const token = seal();
    expect(openBlobToken(token, SECRET, EXP * 1000 - 1).ok).toBe(true);
    expect(openBlobToken(token, SECRET, EXP * 1000)).toEqual({ ok: false, reason: "expired" });
    expect(openBlobToken(token, SECRET, EXP * 1000 + 86_400_000)).toEqual({ ok: false, reason: "expired" });
  });

  it("reports tampering before expiry", () => {
    const raw = Buffer.from(seal(), "base64url");
    raw[raw.length - 1]! ^= 1;
    expect(openBlobToken(raw.toString("base64url"), SECRET, EXP * 1000 + 1)).toEqual({ ok: false, reason: "invalid" });
  });

  it("presign embeds now + ttl", async () => {
    const store = new LocalBlobStore({ root: "/tmp/x", appUrl: "http://a", secret: SECRET, ttlSeconds: 60, now: () => NOW });
    const token = (await store.presign("k", { contentType: "text/plain" })).split("/blobs/")[1]!;
    expect(store.openToken(token)).toMatchObject({ ok: true, key: "k", expiresAt: NOW / 1000 + 60 });
    const t2 = (await store.presign("k", { contentType: "text/plain", ttlSeconds: 5 })).split("/blobs/")[1]!;
    expect(store.openToken(t2)).toMatchObject({ ok: true, expiresAt: NOW / 1000 + 5 });
    expect(store.openToken(t2, NOW + 5000)).toEqual({ ok: false, reason: "expired" });
  });

  it("refuses header-unsafe content types and bad ttls", async () => {
    const store = new LocalBlobStore({ root: "/tmp/x", appUrl: "http://a", secret: SECRET });
    await expect(store.presign("k", { contentType: "text/html\r\nSet-Cookie: a=b" })).rejects.toThrow();
    await expect(store.presign("k", { contentType: "" })).rejects.toThrow();
    await expect(store.presign("k", { contentType: "image/png", ttlSeconds: 0 })).rejects.toThrow();
  });
});
