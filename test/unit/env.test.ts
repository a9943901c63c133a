import { describe, expect, it } from "vitest";
import { parseEnv } from "~/env.server";

const required = { SHOPIFY_API_KEY: "k", SHOPIFY_API_SECRET: "s", SHOPIFY_APP_URL: "https://app.example.com", SCOPES: "read_products" };

describe("configuration", () => {
  it("fills the embedded defaults", () => {
    const env = parseEnv({ ...required });
    expect(env).toMatchObject({ DATABASE_URL: "file:./prisma/dev.sqlite", BLOB_STORE: "./data/blobs", PORT: 3000, ARTIFACT_URL_TTL_SECONDS: 900 });
    expect(env.REDIS_URL).toBeUndefined();
  });

  it("names every missing or malformed variable in one message", () => {
    expect(() => parseEnv({ SHOPIFY_APP_URL: "not a url", PORT: "http" })).toThrowError(
      /SHOPIFY_API_KEY: missing[\s\S]*SHOPIFY_API_SECRET: missing[\s\S]*SHOPIFY_APP_URL: [\s\S]*SCOPES: missing[\s\S]*PORT/,
    );
  });
});
