// For tests that call app modules in-process: a fresh SQLite copy, a temp blob folder and
// the required variables, set before the first app import (config is read once).
import { copyFileSync, mkdtempSync } from "node:fs";
import path from "node:path";
import { API_KEY, API_SECRET, SCOPES } from "./constants";
import { OUTPUT, TEMPLATE_DB } from "./paths";

export function useUnitEnv(overrides: Record<string, string> = {}) {
  const dir = mkdtempSync(path.join(OUTPUT, "unit-"));
  const dbFile = path.join(dir, "studio.sqlite");
  copyFileSync(TEMPLATE_DB, dbFile);
  Object.assign(process.env, {
    NODE_ENV: "test",
    DATABASE_URL: `file:${dbFile}`,
    BLOB_STORE: path.join(dir, "blobs"),
    SHOPIFY_API_KEY: API_KEY,
    SHOPIFY_API_SECRET: API_SECRET,
    SHOPIFY_APP_URL: "http://127.0.0.1:9",
    SCOPES,
    STUDIO_WORKER: "off",
    JOB_RETRY_BASE_MS: "10",
    ...overrides,
  });
  return { dir, dbFile };
}
