// The Prisma client. No native engines: the query compiler runs in JS and talks to the
// database through a driver adapter chosen by DATABASE_URL (libSQL for SQLite, pg for PostgreSQL).
import { PrismaClient } from "@prisma/client";
import { PrismaLibSQL } from "@prisma/adapter-libsql";
import { createRequire } from "node:module";
import { databaseTarget } from "./db/database-url";
import { env } from "./env.server";

declare global {
  // eslint-disable-next-line no-var
  var __studioPrisma: PrismaClient | undefined;
}

function createClient(): PrismaClient {
  const target = databaseTarget(env().DATABASE_URL);
  if (target.provider === "sqlite") {
    const client = new PrismaClient({ adapter: new PrismaLibSQL({ url: target.url }) });
    // WAL lets timeline polls read while the worker writes (the mode persists in the file).
    client.$queryRawUnsafe("PRAGMA journal_mode = WAL").catch(() => undefined);
    return client;
  }
  // The PostgreSQL twin is generated into node_modules/.prisma/client-pg with the same
  // models, so its client has the same shape; load it only when asked for.
  const require = createRequire(import.meta.url);
  const { PrismaClient: PgClient } = require(".prisma/client-pg") as { PrismaClient: typeof PrismaClient };
  const { PrismaPg } = require("@prisma/adapter-pg") as typeof import("@prisma/adapter-pg");
  return new PgClient({ adapter: new PrismaPg({ connectionString: target.url }) });
}

/** Process-wide client (kept on globalThis so dev-server reloads reuse the connection). */
export function db(): PrismaClient {
  globalThis.__studioPrisma ??= createClient();
  return globalThis.__studioPrisma;
}

export default db;
