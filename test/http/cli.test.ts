// The CLI (scripts/studio-cli.ts) as a user runs it: a child process talking HMAC-signed
// HTTP to a real production server.
import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { API_SECRET, SHOP } from "../support/constants";
import { productPhoto } from "../support/images";
import { OUTPUT, ROOT } from "../support/paths";
import { startServer, type TestServer } from "../support/test-server";

let server: TestServer;
let dir: string;

beforeAll(async () => {
  server = await startServer();
  dir = mkdtempSync(path.join(OUTPUT, "cli-"));
});
afterAll(async () => {
  await server?.stop();
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", "scripts/studio-cli.ts", ...args],
      // No STUDIO_*/SHOPIFY_* from the outer environment: each test passes what it means.
      { cwd: ROOT, encoding: "utf8", timeout: 120_000, env: { NODE_ENV: "test", PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", ...env } },
      (error, stdout, stderr) => resolve({ code: error ? ((error as { code?: number }).code ?? null) : 0, stdout, stderr }),
    );
  });
}

const connection = () => ["--url", server.url, "--secret", API_SECRET, "--shop", SHOP];

describe("studio CLI", () => {
  it("create: uploads, prints the timeline in stage order, exits 0 and saves 2048² JPEG + WebP finals", async () => {
    const photo = path.join(dir, "mug.jpg");
    writeFileSync(photo, await productPhoto());
    const out = path.join(dir, "finals");
    const run = await cli(["create", photo, "--options", '{"background":"#f5f5f5"}', "--out", out, ...connection()]);
    expect(run.stderr).not.toMatch(/error:/);
    expect(run.code).toBe(0);

    const lines = run.stdout.split("\n");
    const publicId = lines[0].trim();
    expect(publicId).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    // Timeline order: queued, each stage, then succeeded (with its cost).
    let at = run.stdout.indexOf(" queued ");
    expect(at).toBeGreaterThan(0);
    for (const marker of [" fetch_source ", " segment ", " compose ", " export ", " succeeded "]) {
      const next = run.stdout.indexOf(marker, at);
      expect(next, `${marker.trim()} after position ${at}`).toBeGreaterThan(at);
      at = next;
    }
    expect(run.stdout).toMatch(/succeeded .*cost \d+\.\d+ USD/);
    expect(run.stdout).toContain("[cutout]");
    expect(run.stdout).toContain(`${publicId} succeeded`);
    // Not a TTY: progress goes to stderr as plain lines.
    expect(run.stderr).toContain("progress [");

    const files = readdirSync(out).sort();
    expect(files).toEqual(expect.arrayContaining(["catalog_image-1.jpg", "catalog_image-2.webp"]));
    const formats = new Set<string>();
    for (const file of files) {
      const meta = await sharp(path.join(out, file)).metadata();
      expect(meta).toMatchObject({ width: 2048, height: 2048 });
      formats.add(meta.format!);
    }
    expect(formats).toEqual(new Set(["jpeg", "webp"]));

    // The same job through get / list / download.
    const got = await cli(["get", publicId, ...connection()]);
    expect(got.code).toBe(0);
    expect(JSON.parse(got.stdout)).toMatchObject({ public_id: publicId, status: "succeeded", options: { background: "#f5f5f5" } });
    const listed = await cli(["list", "--status", "succeeded", "--limit", "5", ...connection()]);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain(publicId);
    const again = path.join(dir, "again");
    const downloaded = await cli(["download", publicId, "--out", again, ...connection()]);
    expect(downloaded.code).toBe(0);
    expect(readdirSync(again).sort()).toEqual(files);
  });

  it("create: a non-image file exits 2 and prints the 415 detail", async () => {
    const file = path.join(dir, "notes.jpg");
    writeFileSync(file, "these are not pixels\n");
    const run = await cli(["create", file, ...connection()]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("HTTP 415");
    expect(run.stderr).toContain("Unsupported image type");
    expect(run.stdout).toBe("");
  });

  it("prints 422 issues as `loc: msg`, and names the URL it could not reach", async () => {
    const invalid = await cli(["list", "--status", "bogus", ...connection()]);
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toMatch(/HTTP 422\n\s+query\.status: /);

    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, "127.0.0.1", () => {
        const { port } = probe.address() as { port: number };
        probe.close(() => resolve(port));
      });
    });
    const down = await cli(["get", "01J00000000000000000000000", "--url", `http://127.0.0.1:${port}`, "--secret", API_SECRET, "--shop", SHOP]);
    expect(down.code).toBe(3);
    expect(down.stderr).toContain(`http://127.0.0.1:${port}/v1/jobs/01J00000000000000000000000`);
  });

  it("takes its settings from the environment and refuses a wrong secret (401, exit 2)", async () => {
    const env = { STUDIO_URL: server.url, SHOPIFY_API_SECRET: "not-the-secret", STUDIO_SHOP: SHOP.replace(".myshopify.com", "") };
    const run = await cli(["list"], env);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("HTTP 401");
    expect(run.stderr).toContain("Invalid HMAC signature");
    const ok = await cli(["list", "--json"], { ...env, SHOPIFY_API_SECRET: API_SECRET });
    expect(ok.code).toBe(0);
  });
});
