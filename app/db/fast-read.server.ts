// Reads on the polling hot path go to the database driver directly. Measured on this
// machine: a Prisma findUnique ≈ 2.6 ms, the same SELECT through Prisma's $queryRaw
// ≈ 0.5 ms, through the driver ≈ 0.1 ms, and every timeline poll does one or two of them.
// Only SELECTs live here (write through Prisma), in SQL that both SQLite and PostgreSQL run.
import { createClient, type Client } from "@libsql/client";
import { createRequire } from "node:module";
import { databaseTarget } from "./database-url";
import { env } from "~/env.server";
import { pgPool } from "~/db.server";

export type Row = Record<string, unknown>;
export type SqlArg = string | number | null;

declare global {
  // eslint-disable-next-line no-var
  var __studioFastReader: ((sql: string, args: SqlArg[]) => Promise<Row[]>) | undefined;
}

const require = createRequire(import.meta.url);
const TIMESTAMP_OID = 1114;

function sqliteReader(url: string) {
  const client: Client = createClient({ url });
  return async (sql: string, args: SqlArg[]) => (await client.execute({ sql, args })).rows as unknown as Row[];
}

function postgresReader() {
  const pool = pgPool();
  const { types } = require("pg") as typeof import("pg");
  // Prisma writes `timestamp(3)` (no time zone) in UTC; read it back as UTC whatever the process TZ.
  const typeParser = {
    getTypeParser: (oid: number, format?: "text" | "binary") =>
      oid === TIMESTAMP_OID ? (value: string) => new Date(`${value.replace(" ", "T")}Z`) : types.getTypeParser(oid, format as "text"),
  };
  return async (sql: string, args: SqlArg[]) => {
    let n = 0;
    const text = sql.replace(/\?/g, () => `$${++n}`);
    return (await pool.query({ text, values: args, types: typeParser as never })).rows as Row[];
  };
}

/** Runs a SELECT with `?` placeholders and returns plain rows. */
export function readRows(sql: string, args: SqlArg[]): Promise<Row[]> {
  if (!globalThis.__studioFastReader) {
    const target = databaseTarget(env().DATABASE_URL);
    globalThis.__studioFastReader = target.provider === "sqlite" ? sqliteReader(target.url) : postgresReader();
  }
  return globalThis.__studioFastReader(sql, args);
}

/** SQLite returns ISO text, PostgreSQL a Date (see the type parser above). */
export function toDate(value: unknown): Date {
  return value instanceof Date ? value : new Date(String(value));
}
