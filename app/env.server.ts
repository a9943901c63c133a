// Configuration, validated once at start. A missing or malformed variable stops the
// process with a message naming it, instead of failing later inside a request.
import { z } from "zod";
import { DEFAULT_DATABASE_URL } from "./db/database-url";

const flag = z
  .enum(["1", "0", "true", "false", "yes", "no", "on", "off", ""])
  .transform((v) => ["1", "true", "yes", "on"].includes(v));

/** Unset and empty mean the same: not configured. */
const optionalString = z
  .string()
  .optional()
  .transform((v) => (v ? v : undefined));

const schema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  SHOPIFY_API_KEY: z.string().min(1),
  SHOPIFY_API_SECRET: z.string().min(1),
  SHOPIFY_APP_URL: z.url(),
  SCOPES: z.string().min(1),
  SHOP_CUSTOM_DOMAIN: z.string().optional(),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  DATABASE_URL: z.string().default(DEFAULT_DATABASE_URL),
  REDIS_URL: z.string().optional(),
  BLOB_STORE: z.string().default("./data/blobs"),
  S3_ENDPOINT: z.string().optional(),
  S3_REGION: z.string().default("us-east-1"),
  AWS_ACCESS_KEY_ID: z.string().optional(),
  AWS_SECRET_ACCESS_KEY: z.string().optional(),
  S3_FORCE_PATH_STYLE: flag.default(false),
  /** Lifetime of presigned artifact URLs. */
  ARTIFACT_URL_TTL_SECONDS: z.coerce.number().int().min(10).max(7 * 24 * 3600).default(900),
  /** Run the in-process worker in this process (embedded default). */
  STUDIO_WORKER: z.enum(["auto", "on", "off"]).default("auto"),
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
  /** A crashed worker's job is reclaimed once its lease is this old. */
  JOB_LEASE_SECONDS: z.coerce.number().min(1).max(3600).default(30),
  /** Wall-clock limit per job run. */
  JOB_TIME_LIMIT_SECONDS: z.coerce.number().min(1).max(24 * 3600).default(600),
  /** Attempts per stage for retryable errors (first try included). */
  JOB_MAX_STAGE_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(4),
  JOB_RETRY_BASE_MS: z.coerce.number().int().min(0).max(60_000).default(500),
  /**
   * Local preview (`npm run demo`): serves the /demo admin shell, its App Bridge stand-in and a
   * session-token minter. Honoured only outside production (app/demo/demo-mode.server.ts).
   */
  STUDIO_DEMO: flag.default(false),
  /** FASHN API key: when set, on-model renders can use (and by default use) FASHN. */
  FASHN_API_KEY: optionalString,
  /** FASHN API base URL (default https://api.fashn.ai); tests point it at a local double. */
  FASHN_BASE_URL: optionalString.pipe(z.url().optional()),
  /** FASHN calls in flight at once per process (keep the sum over processes under the account's limit). */
  FASHN_MAX_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  /** Pause between two FASHN status polls. */
  FASHN_POLL_INTERVAL_MS: z.coerce.number().int().min(10).max(60_000).default(1000),
  /** Studio cost units (USD 0.002 each) charged per FASHN credit used (default 40 = USD 0.08 a credit). */
  FASHN_UNITS_PER_CREDIT: z.coerce.number().int().min(0).max(10_000).default(40),
  /** Renderer for on_model_render jobs that do not choose one: `fashn` when FASHN_API_KEY is set, else `local`. */
  STUDIO_DEFAULT_PROVIDER: z.preprocess((v) => (v === "" ? undefined : v), z.enum(["local", "fashn"]).optional()),
}).superRefine((value, ctx) => {
  if (value.STUDIO_DEFAULT_PROVIDER === "fashn" && !value.FASHN_API_KEY) {
    ctx.addIssue({ code: "custom", path: ["STUDIO_DEFAULT_PROVIDER"], message: "is fashn, but FASHN_API_KEY is not set" });
  }
});

export type Env = z.infer<typeof schema>;

export function parseEnv(source: Record<string, string | undefined>): Env {
  const result = schema.safeParse(source);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => {
      const name = issue.path.join(".");
      return source[name] === undefined || source[name] === ""
        ? `  ${name}: missing (required)`
        : `  ${name}: ${issue.message}`;
    });
    throw new Error(
      `Studio cannot start: invalid configuration.\n${lines.join("\n")}\nSee README.md#configuration.`,
    );
  }
  return result.data;
}

let cached: Env | undefined;

/** The validated configuration (parsed on first use, i.e. at server start). */
export function env(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}
