// Once per `npm test`: build the production server (the HTTP tests run the real build)
// and migrate a template SQLite database that each test server copies.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, renameSync, rmdirSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import { BIN, OUTPUT, ROOT, TEMPLATE_DB } from "./paths";

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

export default function setup() {
  mkdirSync(OUTPUT, { recursive: true });
  const server = path.join(ROOT, "build/server/index.js");
  const sources = Math.max(newestMtime(path.join(ROOT, "app")), statSync(path.join(ROOT, "vite.config.ts")).mtimeMs);
  // Rebuild unless the build is newer than every source file (saves ~30 s when iterating).
  // A lock directory keeps two concurrent test runs from building over each other.
  const lock = path.join(ROOT, ".build-lock");
  const deadline = Date.now() + 300_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (Date.now() > deadline || Date.now() - statSync(lock).mtimeMs > 300_000) {
        rmSync(lock, { recursive: true, force: true });
        continue;
      }
      execFileSync("sleep", ["1"]);
    }
  }
  try {
    if (!existsSync(server) || statSync(server).mtimeMs < sources) {
      execFileSync(BIN("remix"), ["vite:build"], { cwd: ROOT, stdio: ["ignore", "ignore", "inherit"] });
    }
  } finally {
    rmdirSync(lock);
  }
  // Migrate into a private file, then move it into place, so a concurrent run never copies a half-built template.
  const fresh = `${TEMPLATE_DB}.${process.pid}`;
  rmSync(fresh, { force: true });
  execFileSync(BIN("prisma"), ["migrate", "deploy"], {
    cwd: ROOT,
    stdio: ["ignore", "ignore", "inherit"],
    env: { ...process.env, DATABASE_URL: `file:${fresh}` },
  });
  renameSync(fresh, TEMPLATE_DB);
}
