// Throwaway PostgreSQL databases for the scale-out suite: one per test file (or per server),
// created on the local server (trust auth), migrated with `prisma migrate deploy` and
// dropped afterwards. Names are `studio_<run id>_<random>`, so the suite's global teardown
// can drop whatever a crashed test file left behind without touching anyone else's.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { BIN, ROOT } from "./paths";

/** Admin connection (any existing database; `test` on the CI box). Override with STUDIO_TEST_PG_URL. */
export const PG_ADMIN_URL = process.env.STUDIO_TEST_PG_URL ?? "postgresql://postgres@127.0.0.1:5432/test";

/** Set by the scale suite's global setup (STUDIO_SCALE_RUN_ID); otherwise one per process. */
export function runId(): string {
  process.env.STUDIO_SCALE_RUN_ID ??= newRunId();
  return process.env.STUDIO_SCALE_RUN_ID;
}

export function newRunId(now = Date.now()): string {
  return `r${Math.floor(now / 1000)}x${randomBytes(2).toString("hex")}`;
}

/** `studio_r<unix seconds>x<hex>_<hex>` → creation time in ms (for stale-database cleanup). */
export function databaseCreatedAt(name: string): number | null {
  const m = /^studio_r(\d{9,11})x[0-9a-f]{4}_[0-9a-f]+$/.exec(name);
  return m ? Number(m[1]) * 1000 : null;
}

export function databaseUrl(name: string, base = PG_ADMIN_URL): string {
  const url = new URL(base);
  url.pathname = `/${name}`;
  return url.toString();
}

export interface TestDatabase {
  name: string;
  /** postgresql://… for DATABASE_URL */
  url: string;
  /** A direct query on the database (for assertions on rows the API never shows, e.g. internal events). */
  query<T extends pg.QueryResultRow = Record<string, any>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Closes the helper's pool and drops the database (terminating any connection left). */
  drop(): Promise<void>;
}

export async function adminQuery<T extends pg.QueryResultRow = Record<string, any>>(sql: string, params?: unknown[]): Promise<T[]> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL });
  await client.connect();
  try {
    return (await client.query<T>(sql, params as any[])).rows;
  } finally {
    await client.end();
  }
}

function quoteIdent(name: string) {
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`unexpected database name ${name}`);
  return `"${name}"`;
}

export async function dropDatabase(name: string) {
  await adminQuery(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
}

/** Drops the databases of one run (global teardown) or older than `olderThanMs` (stale leftovers of crashed runs). */
export async function dropTestDatabases(filter: { runId?: string; olderThanMs?: number }) {
  const rows = await adminQuery<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE 'studio\\_r%'`);
  const dropped: string[] = [];
  for (const { datname } of rows) {
    const created = databaseCreatedAt(datname);
    if (created === null) continue;
    const ofRun = filter.runId && datname.startsWith(`studio_${filter.runId}_`);
    const stale = filter.olderThanMs !== undefined && Date.now() - created > filter.olderThanMs;
    if (ofRun || stale) {
      await dropDatabase(datname).catch(() => undefined);
      dropped.push(datname);
    }
  }
  return dropped;
}

export interface MigrateResult {
  ok: boolean;
  output: string;
}

/** `prisma migrate deploy` with DATABASE_URL set (the project's prisma.config.ts unless `config` is given). */
export function migrateDeploy(url: string, config?: string): Promise<MigrateResult> {
  const args = ["migrate", "deploy", ...(config ? ["--config", config] : [])];
  return new Promise((resolve) => {
    execFile(
      BIN("prisma"),
      args,
      { cwd: ROOT, env: { ...process.env, DATABASE_URL: url }, timeout: 60_000 },
      (error, stdout, stderr) => resolve({ ok: !error, output: `${stdout}${stderr}` }),
    );
  });
}

export async function createTestDatabase(options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const name = `studio_${runId()}_${randomBytes(4).toString("hex")}`;
  await adminQuery(`CREATE DATABASE ${quoteIdent(name)}`);
  const url = databaseUrl(name);
  let pool: pg.Pool | undefined;
  const database: TestDatabase = {
    name,
    url,
    async query(sql, params) {
      if (!pool) {
        pool = new pg.Pool({ connectionString: url, max: 3 });
        pool.on("error", () => undefined); // dropped when the database is dropped
      }
      return (await pool.query(sql, params as any[])).rows;
    },
    async drop() {
      const p = pool;
      pool = undefined;
      await p?.end().catch(() => undefined);
      await dropDatabase(name);
    },
  };
  if (options.migrate ?? true) {
    const result = await migrateDeploy(url);
    if (!result.ok) {
      await database.drop().catch(() => undefined);
      throw new Error(`prisma migrate deploy failed on ${name}:\n${result.output}`);
    }
  }
  return database;
}

/** Inserts the Shopify offline Session row that makes the server accept the shop's session tokens. */
export async function seedPostgresSession(url: string, shop: string, scope: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(
      `INSERT INTO "Session" (id, shop, state, "isOnline", scope, "accessToken") VALUES ($1, $2, '', false, $3, 'shpat_test_token')
       ON CONFLICT (id) DO UPDATE SET shop = EXCLUDED.shop, scope = EXCLUDED.scope, "accessToken" = EXCLUDED."accessToken"`,
      [`offline_${shop}`, shop, scope],
    );
  } finally {
    await client.end();
  }
}

