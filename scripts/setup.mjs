// `npm run setup`: generate both Prisma clients (SQLite default and the PostgreSQL twin,
// so either DATABASE_URL works without regenerating) and apply migrations to DATABASE_URL.
import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import path from "node:path";

const prisma = path.resolve("node_modules/.bin/prisma");
const run = (args, env) =>
  execFileSync(prisma, args, { stdio: ["ignore", "inherit", "inherit"], env: { ...process.env, ...env } });

const url = process.env.DATABASE_URL || "file:./prisma/dev.sqlite";
run(["generate"], { DATABASE_URL: "file:./prisma/dev.sqlite" });
run(["generate"], { DATABASE_URL: "postgresql://localhost/generate-only" });
if (url.startsWith("file:")) mkdirSync(path.dirname(path.resolve(url.slice(5))), { recursive: true });
if (process.argv.includes("--generate-only")) process.exit(0);
run(["migrate", "deploy"], { DATABASE_URL: url });
