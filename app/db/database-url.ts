// One place that interprets DATABASE_URL, shared by the app, prisma.config.ts and scripts.
import path from "node:path";

export const DEFAULT_DATABASE_URL = "file:./prisma/dev.sqlite";

export type DatabaseTarget =
  | { provider: "sqlite"; url: string; file: string }
  | { provider: "postgresql"; url: string };

/** SQLite paths in `file:` URLs are relative to the project root (the working directory of every npm script). */
export function databaseTarget(raw: string | undefined, root = process.cwd()): DatabaseTarget {
  const url = raw && raw.trim() !== "" ? raw.trim() : DEFAULT_DATABASE_URL;
  if (/^postgres(ql)?:\/\//.test(url)) return { provider: "postgresql", url };
  if (url.startsWith("file:")) {
    const file = path.resolve(root, url.slice("file:".length));
    return { provider: "sqlite", url: `file:${file}`, file };
  }
  throw new Error(
    `DATABASE_URL must be a file: URL (SQLite) or a postgresql:// URL, got "${url.replace(/\/\/[^@]*@/, "//***@")}"`,
  );
}

export function schemaPaths(target: DatabaseTarget) {
  return target.provider === "postgresql"
    ? { schema: "prisma/postgres/schema.prisma", migrations: "prisma/postgres/migrations" }
    : { schema: "prisma/schema.prisma", migrations: "prisma/migrations" };
}
