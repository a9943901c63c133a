// Once per `npm run test:scale`: check that PostgreSQL and Redis answer, build the production
// server (same staleness rule as the default suite), and make sure test databases can be
// migrated. Teardown drops every database this run created (even if a test file crashed).
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { OUTPUT, ROOT } from "../support/paths";
import { ensureBuild } from "../../scripts/lib/ensure-build";
import {
  PG_ADMIN_URL,
  adminQuery,
  createTestDatabase,
  dropTestDatabases,
  migrateDeploy,
  newRunId,
} from "../support/postgres";
import { REDIS_BASE_URL } from "./support/redis";

function redisPing(url: string): Promise<void> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: hostname, port: Number(port || 6379) });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error("timeout"));
    }, 3000);
    socket.once("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    socket.once("connect", () => socket.write("PING\r\n"));
    socket.once("data", (d) => {
      clearTimeout(timer);
      socket.destroy();
      d.toString().startsWith("+PONG") ? resolve() : reject(new Error(d.toString().trim()));
    });
  });
}

export default async function setup() {
  mkdirSync(OUTPUT, { recursive: true });
  try {
    await adminQuery("SELECT 1");
  } catch (error) {
    throw new Error(`the scale suite needs PostgreSQL at ${PG_ADMIN_URL} (set STUDIO_TEST_PG_URL): ${error}`);
  }
  try {
    await redisPing(REDIS_BASE_URL);
  } catch (error) {
    throw new Error(`the scale suite needs Redis at ${REDIS_BASE_URL} (set STUDIO_TEST_REDIS_URL): ${error}`);
  }

  const runId = newRunId();
  process.env.STUDIO_SCALE_RUN_ID = runId;
  // Leftovers of runs that died without their teardown (older than 6 h, so never a live run's).
  await dropTestDatabases({ olderThanMs: 6 * 3600_000 });

  // The servers run from a private snapshot of the build: other engineers' suites rebuild
  // build/ while this one runs (a rebuild empties it, and renames lazily imported chunks).
  removeStaleSnapshots();
  const snapshot = await snapshotBuild(runId);
  process.env.STUDIO_SCALE_SERVER_SCRIPT = path.join(snapshot, "server.mjs");

  // `prisma migrate deploy` with the project's own prisma.config.ts must work on PostgreSQL
  // (test/scale/setup-postgres.test.ts checks it on its own); fail fast here if it does not.
  const probe = await createTestDatabase({ migrate: false }).catch((error) => {
    rmSync(snapshot, { recursive: true, force: true });
    throw error;
  });
  try {
    const result = await migrateDeploy(probe.url);
    if (!result.ok) throw new Error(`prisma migrate deploy fails on PostgreSQL:\n${result.output}`);
  } catch (error) {
    rmSync(snapshot, { recursive: true, force: true });
    throw error;
  } finally {
    await probe.drop();
  }

  return async () => {
    rmSync(snapshot, { recursive: true, force: true });
    await dropTestDatabases({ runId });
  };
}

const SNAPSHOT_PREFIX = "scale-build-";

/** The snapshot has the server entry and every chunk it imports (i.e. no rebuild was half done while copying). */
function snapshotComplete(dir: string) {
  const entry = path.join(dir, "build/server/index.js");
  if (!existsSync(entry)) return false;
  const chunks = [...readFileSync(entry, "utf8").matchAll(/["'](\.\/assets\/[^"']+\.js)["']/g)].map((m) => m[1]);
  return chunks.every((chunk) => existsSync(path.join(dir, "build/server", chunk)));
}

async function snapshotBuild(runId: string): Promise<string> {
  const dir = path.join(OUTPUT, `${SNAPSHOT_PREFIX}${runId}`);
  for (let attempt = 1; ; attempt++) {
    try {
      ensureBuild(ROOT); // same staleness rule and build lock as the default suite
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir, { recursive: true });
      cpSync(path.join(ROOT, "build"), path.join(dir, "build"), { recursive: true });
      // server.mjs imports ./build/server/index.js next to itself; packages resolve from the root's node_modules.
      copyFileSync(path.join(ROOT, "server.mjs"), path.join(dir, "server.mjs"));
      if (snapshotComplete(dir)) return dir;
    } catch (error) {
      if (attempt >= 5) throw error;
    }
    if (attempt >= 5) throw new Error("could not take a consistent snapshot of build/ (someone keeps rebuilding it)");
    await new Promise((r) => setTimeout(r, 3000));
  }
}

function removeStaleSnapshots() {
  for (const name of readdirSync(OUTPUT)) {
    const m = new RegExp(`^${SNAPSHOT_PREFIX}r(\\d+)x`).exec(name);
    if (m && Date.now() - Number(m[1]) * 1000 > 6 * 3600_000) rmSync(path.join(OUTPUT, name), { recursive: true, force: true });
  }
}
