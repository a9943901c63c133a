// The local preview: its session tokens, and why `npm run demo` can never open a real shop.
import { execFile } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { jwtVerify } from "jose";
import { DEMO_HOST, DEMO_SHOP, isLoopbackHost } from "~/demo/demo-shop";
import { mintSessionToken } from "~/demo/session-token.server";
import { demoRefusal, demoServerEnv } from "../../../scripts/demo";
import { ROOT } from "../../support/paths";

describe("demo session tokens", () => {
  it("are HS256 JWTs shaped like Shopify's, for the demo shop and this app", async () => {
    const { token, expiresAt } = mintSessionToken({ shop: DEMO_SHOP, apiKey: "key-1", secret: "secret-1", now: Date.now() });
    const { payload, protectedHeader } = await jwtVerify(token, new TextEncoder().encode("secret-1"), { audience: "key-1" });
    expect(protectedHeader.alg).toBe("HS256");
    expect(payload).toMatchObject({ iss: `https://${DEMO_SHOP}/admin`, dest: `https://${DEMO_SHOP}`, aud: "key-1", sub: "1" });
    expect(payload.exp).toBe(expiresAt);
    expect(payload.exp! - payload.iat!).toBe(60);
    expect(payload.nbf).toBe(payload.iat);
    expect(typeof payload.jti).toBe("string");
    expect(typeof payload.sid).toBe("string");
    await expect(jwtVerify(token, new TextEncoder().encode("another-secret"))).rejects.toThrow();
  });

  it("carry the admin host App Bridge would", () => {
    expect(Buffer.from(DEMO_HOST, "base64").toString()).toBe("admin.shopify.com/store/studio-demo");
  });
});

describe("isLoopbackHost", () => {
  it("accepts only names and addresses of this machine", () => {
    for (const host of ["127.0.0.1", "127.1.2.3", "localhost", "LOCALHOST", "::1", "[::1]", "http://127.0.0.1:3000", "app.localhost"]) {
      expect(isLoopbackHost(host), host).toBe(true);
    }
    for (const host of ["0.0.0.0", "192.168.1.10", "example.com", "studio.trycloudflare.com", "https://studio.example.com", "127.0.0.1.example.com", "::", "127.0.0.300"]) {
      expect(isLoopbackHost(host), host).toBe(false);
    }
  });
});

describe("npm run demo", () => {
  it("refuses production and non-loopback hosts", () => {
    expect(demoRefusal({})).toBeNull();
    expect(demoRefusal({ HOST: "127.0.0.1" })).toBeNull();
    expect(demoRefusal({ NODE_ENV: "production" })).toMatch(/NODE_ENV=production/);
    expect(demoRefusal({ HOST: "0.0.0.0" })).toMatch(/HOST=0\.0\.0\.0/);
    expect(demoRefusal({ HOST: "https://studio.trycloudflare.com" })).toMatch(/only listens on this machine/);
  });

  it("serves with local values only: demo database, STUDIO_DEMO=1, loopback app URL, .env.example credentials", () => {
    const env = demoServerEnv({ PATH: "/bin", SHOPIFY_APP_URL: "https://real-app.example.com", DATABASE_URL: "postgresql://prod/db", REDIS_URL: "redis://prod" });
    expect(env).toMatchObject({
      STUDIO_DEMO: "1",
      NODE_ENV: "development",
      HOST: "127.0.0.1",
      PORT: "3000",
      SHOPIFY_APP_URL: "http://127.0.0.1:3000",
      SHOPIFY_API_KEY: "studio-local-key",
      SHOPIFY_API_SECRET: "studio-local-secret-change-me",
      DATABASE_URL: `file:${path.join(ROOT, "data/demo.sqlite")}`,
    });
    expect(env.REDIS_URL).toBeUndefined();
    expect(demoServerEnv({ SHOPIFY_API_KEY: "mine", PORT: "4000" })).toMatchObject({ SHOPIFY_API_KEY: "mine", SHOPIFY_APP_URL: "http://127.0.0.1:4000" });
  });

  const run = (env: Record<string, string>) =>
    new Promise<{ code: number | null; stderr: string }>((resolve) => {
      execFile(process.execPath, ["--import", "tsx", "scripts/demo.ts"], { cwd: ROOT, env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", ...env } as unknown as NodeJS.ProcessEnv, timeout: 30_000 }, (error, _stdout, stderr) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stderr }),
      );
    });

  it("exits before doing anything with NODE_ENV=production", async () => {
    const { code, stderr } = await run({ NODE_ENV: "production" });
    expect(code).toBe(2);
    expect(stderr).toMatch(/refuses to start with NODE_ENV=production/);
  });

  it("exits before doing anything with a HOST that is not this machine", async () => {
    const { code, stderr } = await run({ HOST: "0.0.0.0" });
    expect(code).toBe(2);
    expect(stderr).toMatch(/refuses to start with HOST=0\.0\.0\.0/);
  });
});
