// `npm run demo`: Studio's local preview. Builds the app if needed, migrates a demo SQLite file
// (./data/demo.sqlite), seeds an offline session for a demo shop and serves the production build
// (server.mjs, as `npm start` does) with STUDIO_DEMO=1, then prints the URL of a small Shopify-admin-like shell that embeds the app.
// It mints session tokens with a local secret, so it never runs for a real store: it refuses
// NODE_ENV=production and any HOST that is not this machine.
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseEnv } from "node:util";
import { DEMO_SHOP, isLoopbackHost } from "../app/demo/demo-shop";
import { ensureBuild } from "./lib/ensure-build";
import { seedOfflineSession } from "./lib/local-db";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** Why the preview must not start in this environment, or null. */
export function demoRefusal(environment: Record<string, string | undefined>): string | null {
  if (environment.NODE_ENV === "production") {
    return "npm run demo refuses to start with NODE_ENV=production: the preview mints session tokens for a demo shop and must never run for a real store. Unset NODE_ENV and try again.";
  }
  if (environment.HOST && !isLoopbackHost(environment.HOST)) {
    return `npm run demo refuses to start with HOST=${environment.HOST}: the preview only listens on this machine. Use HOST=127.0.0.1 (the default), localhost or ::1.`;
  }
  return null;
}

/** The environment of the preview's server: local values only (SHOPIFY_* from .env.example unless set). */
export function demoServerEnv(environment: Record<string, string | undefined>, root = ROOT): Record<string, string> {
  const example = parseEnv(readFileSync(path.join(root, ".env.example"), "utf8")) as Record<string, string | undefined>;
  const local = (name: string) => {
    const value = environment[name] || example[name];
    if (!value) throw new Error(`${name} is missing from .env.example`);
    return value;
  };
  const host = environment.HOST || "127.0.0.1";
  const port = environment.PORT || example.PORT || "3000";
  const urlHost = host.includes(":") ? `[${host}]` : host;
  const passThrough = ["PATH", "HOME", "TMPDIR", "LANG", "TZ", "FASHN_API_KEY", "FASHN_BASE_URL"];
  return {
    ...Object.fromEntries(passThrough.flatMap((name) => (environment[name] ? [[name, environment[name]!]] : []))),
    NODE_ENV: "development",
    STUDIO_DEMO: "1",
    HOST: host,
    PORT: port,
    SHOPIFY_API_KEY: local("SHOPIFY_API_KEY"),
    SHOPIFY_API_SECRET: local("SHOPIFY_API_SECRET"),
    SHOPIFY_APP_URL: `http://${urlHost}:${port}`,
    SCOPES: local("SCOPES"),
    DATABASE_URL: `file:${path.join(root, "data/demo.sqlite")}`,
    BLOB_STORE: path.join(root, "data/demo-blobs"),
    STUDIO_WORKER: "on",
    // Shopify's session-token bounce page loads App Bridge from here too.
    APP_BRIDGE_URL: "/demo/app-bridge.js",
  };
}

async function main() {
  const refusal = demoRefusal(process.env);
  if (refusal) {
    console.error(refusal);
    process.exit(2);
  }
  const env = demoServerEnv(process.env);
  const bin = (name: string) => path.join(ROOT, "node_modules/.bin", name);

  console.log("Studio preview: building the app (if anything changed)…");
  ensureBuild(ROOT, { stdio: "inherit" });

  mkdirSync(path.join(ROOT, "data"), { recursive: true });
  if (!existsSync(path.join(ROOT, "node_modules/.prisma/client/index.js"))) {
    execFileSync(bin("prisma"), ["generate"], { cwd: ROOT, stdio: "inherit", env: { ...process.env, DATABASE_URL: env.DATABASE_URL } });
  }
  console.log("Studio preview: applying migrations to data/demo.sqlite…");
  execFileSync(bin("prisma"), ["migrate", "deploy"], { cwd: ROOT, stdio: ["ignore", "ignore", "inherit"], env: { ...process.env, DATABASE_URL: env.DATABASE_URL } });
  await seedOfflineSession(env.DATABASE_URL.slice("file:".length), DEMO_SHOP, env.SCOPES, "shpat_demo_not_a_real_token");

  // The production server, as `npm start` runs it (request logs off: the terminal shows what matters).
  const server = spawn(process.execPath, [path.join(ROOT, "server.mjs")], {
    cwd: ROOT,
    env: { ...env, LOG_REQUESTS: "off" } as unknown as NodeJS.ProcessEnv,
    stdio: "inherit",
  });
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => server.kill(signal));
  server.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));

  const base = env.SHOPIFY_APP_URL;
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      if ((await fetch(`${base}/healthz`)).ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      console.error("Studio preview: the server did not start within 60 s.");
      server.kill("SIGTERM");
      process.exit(1);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  console.log(`\nStudio preview is running for ${DEMO_SHOP} (not a real store).\n\n  Open ${base}/demo\n\nPress Ctrl+C to stop.`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
