// Once per `npm test`: build the production server (the HTTP tests run the real build)
// and migrate a template SQLite database that each test server copies.
import { execFileSync } from "node:child_process";
import { mkdirSync, renameSync, rmSync } from "node:fs";
import { ensureBuild } from "../../scripts/lib/ensure-build";
import { BIN, OUTPUT, ROOT, TEMPLATE_DB } from "./paths";

export default function setup() {
  mkdirSync(OUTPUT, { recursive: true });
  // Rebuild unless the build is newer than every source file (saves ~30 s when iterating).
  ensureBuild(ROOT);
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
