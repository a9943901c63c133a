// Builds the production server unless build/ is newer than every source file, under a lock
// directory so two processes (a test run, `npm run demo`) never build over each other.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmdirSync, rmSync, statSync } from "node:fs";
import path from "node:path";

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

/** Returns true when it built. */
export function ensureBuild(root: string, options: { stdio?: "inherit" | "ignore" } = {}): boolean {
  const server = path.join(root, "build/server/index.js");
  const sources = Math.max(newestMtime(path.join(root, "app")), statSync(path.join(root, "vite.config.ts")).mtimeMs);
  const lock = path.join(root, ".build-lock");
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
    if (existsSync(server) && statSync(server).mtimeMs >= sources) return false;
    execFileSync(path.join(root, "node_modules/.bin/remix"), ["vite:build"], { cwd: root, stdio: ["ignore", options.stdio ?? "ignore", "inherit"] });
    return true;
  } finally {
    rmdirSync(lock);
  }
}
