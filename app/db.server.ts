// The Prisma client. No native engines: the query compiler runs in JS and talks to the
// database through a driver adapter chosen by DATABASE_URL (libSQL for SQLite, pg for PostgreSQL).
import { PrismaClient } from "@prisma/client";
import { PrismaLibSQL } from "@prisma/adapter-libsql";
import { createRequire } from "node:module";
import type { Pool } from "pg";
import { databaseTarget } from "./db/database-url";
import { env } from "./env.server";

declare global {
  // eslint-disable-next-line no-var
  var __studioPrisma: PrismaClient | undefined;
  // eslint-disable-next-line no-var
  var __studioPgPool: Pool | undefined;
}

const require = createRequire(import.meta.url);

// Bursts of appends (hundreds of events at once) queue for a connection longer than
// Prisma's 2 s default; waiting is right, failing the append is not.
const transactionOptions = { maxWait: 30_000, timeout: 30_000 };

function createClient(): PrismaClient {
  const target = databaseTarget(env().DATABASE_URL);
  if (target.provider === "sqlite") {
    const client = new PrismaClient({ adapter: new PrismaLibSQL({ url: target.url }), transactionOptions });
    // WAL lets timeline polls read while the worker writes (the mode persists in the file).
    client.$queryRawUnsafe("PRAGMA journal_mode = WAL").catch(() => undefined);
    return client;
  }
  // The PostgreSQL twin is generated into node_modules/.prisma/client-pg with the same
  // models, so its client has the same shape; load it only when asked for.
  const { PrismaClient: PgClient } = require(".prisma/client-pg") as { PrismaClient: typeof PrismaClient };
  const { PrismaPg } = require("@prisma/adapter-pg") as typeof import("@prisma/adapter-pg");
  return new PgClient({ adapter: new PrismaPg(pgPool()), transactionOptions });
}

/** Process-wide client (kept on globalThis so dev-server reloads reuse the connection). */
export function db(): PrismaClient {
  globalThis.__studioPrisma ??= createClient();
  return globalThis.__studioPrisma;
}

/** The PostgreSQL pool behind Prisma, shared with the hot-path reader (app/db/fast-read.server.ts). */
export function pgPool(): Pool {
  if (!globalThis.__studioPgPool) {
    const target = databaseTarget(env().DATABASE_URL);
    if (target.provider !== "postgresql") throw new Error("pgPool() needs a postgresql:// DATABASE_URL");
    const { Pool: PgPool } = require("pg") as typeof import("pg");
    const pool = new PgPool({ connectionString: target.url });
    // An idle connection the server drops (restart, failover, admin kill) must not take the
    // process down; pg discards that client and the next query opens a new one.
    pool.on("error", (error) => console.error("[db] idle PostgreSQL connection lost:", error.message));
    globalThis.__studioPgPool = pool;
  }
  return globalThis.__studioPgPool;
}

export default db;
