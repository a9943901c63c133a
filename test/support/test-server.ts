// A real production server process (`node server.mjs`, what `npm start` runs) on a fresh SQLite
// file and blob folder: the HTTP tests talk to it from outside, as a client would.
// With `databaseUrl` (postgresql://…, already migrated) it runs on that database instead and
// the Session rows are seeded with `pg` (the scale-out suite).
import { spawn, type ChildProcess } from "node:child_process";
import { copyFileSync, mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { seedOfflineSession } from "../../scripts/lib/local-db";
import { API_KEY, API_SECRET, SCOPES, SHOP } from "./constants";
import { seedPostgresSession } from "./postgres";
import { BIN, OUTPUT, ROOT, TEMPLATE_DB } from "./paths";

export interface TestServer {
  url: string;
  /** The SQLite file ("" when the server runs on `databaseUrl`). */
  dbFile: string;
  /** DATABASE_URL of the server. */
  databaseUrl: string;
  blobDir: string;
  env: Record<string, string>;
  output: () => string;
  /** SIGTERM and wait. */
  stop(): Promise<void>;
  /** SIGKILL (a crash), and wait. */
  kill(): Promise<void>;
  /** Start again on the same database, blob folder and port. */
  restart(): Promise<void>;
}

// If a test process dies without its afterAll, its servers go with it.
const liveServers = new Set<ChildProcess>();
let exitHookInstalled = false;
function installExitHook() {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once("exit", () => {
    for (const child of liveServers) child.kill("SIGKILL");
  });
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
    srv.on("error", reject);
  });
}

export async function seedSession(dbFile: string, shop: string, scope = SCOPES) {
  await seedOfflineSession(dbFile, shop, scope, "shpat_test_token");
}

export async function startServer(
  options: {
    env?: Record<string, string>;
    shops?: string[];
    databaseUrl?: string;
    /** Another copy of server.mjs (next to its own build/), e.g. a snapshot that concurrent rebuilds cannot touch. */
    serverScript?: string;
  } = {},
): Promise<TestServer> {
  const dir = mkdtempSync(path.join(OUTPUT, "server-"));
  let dbFile = "";
  let databaseUrl: string;
  if (options.databaseUrl) {
    databaseUrl = options.databaseUrl;
    if (!/^postgres(ql)?:\/\//.test(databaseUrl)) throw new Error("startServer: databaseUrl must be a postgresql:// URL");
    for (const shop of options.shops ?? [SHOP]) await seedPostgresSession(databaseUrl, shop, SCOPES);
  } else {
    dbFile = path.join(dir, "studio.sqlite");
    databaseUrl = `file:${dbFile}`;
    copyFileSync(TEMPLATE_DB, dbFile);
    for (const shop of options.shops ?? [SHOP]) await seedSession(dbFile, shop);
  }
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const env: Record<string, string> = {
    PATH: `${path.join(ROOT, "node_modules/.bin")}:${process.env.PATH}`,
    HOME: process.env.HOME ?? "/tmp",
    NODE_ENV: "production",
    PORT: String(port),
    HOST: "127.0.0.1",
    DATABASE_URL: databaseUrl,
    BLOB_STORE: path.join(dir, "blobs"),
    SHOPIFY_API_KEY: API_KEY,
    SHOPIFY_API_SECRET: API_SECRET,
    SHOPIFY_APP_URL: url,
    SCOPES,
    JOB_RETRY_BASE_MS: "50",
    ...options.env,
  };
  let child: ChildProcess;
  let log = "";
  const launch = async () => {
    child = spawn(process.execPath, [options.serverScript ?? path.join(ROOT, "server.mjs")], { cwd: ROOT, env: env as NodeJS.ProcessEnv, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout!.on("data", (d) => (log += d));
    child.stderr!.on("data", (d) => (log += d));
    liveServers.add(child);
    child.once("exit", () => liveServers.delete(child));
    installExitHook();
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`server exited (${child.exitCode}):\n${log}`);
      try {
        if ((await fetch(`${url}/healthz`)).ok) return;
      } catch {
        /* not listening yet */
      }
      if (Date.now() > deadline) {
        child.kill("SIGKILL");
        throw new Error(`server did not start:\n${log}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const waitExit = (signal: NodeJS.Signals) =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once("exit", () => resolve());
      child.kill(signal);
    });
  await launch();
  return {
    url,
    dbFile,
    databaseUrl,
    blobDir: env.BLOB_STORE,
    env,
    output: () => log,
    stop: () => waitExit("SIGTERM"),
    kill: () => waitExit("SIGKILL"),
    restart: launch,
  };
}
