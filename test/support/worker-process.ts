// The scale-out worker as an OS process (`npm run worker` = `node --import tsx scripts/worker.ts`)
// with a given environment, so tests can start, SIGKILL (a crash) and restart workers.
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { API_KEY, API_SECRET, SCOPES } from "./constants";
import { ROOT } from "./paths";

export interface WorkerProcess {
  /** The worker id it announced (`queue-<pid>-<hex>`), as written in lease owners and "Resumed by" events. */
  readonly workerId: string;
  readonly pid: number;
  output(): string;
  /** true while the process has not exited. */
  alive(): boolean;
  /** SIGKILL (a crash) and wait for the exit. */
  kill(): Promise<void>;
  /** SIGTERM (graceful: finishes running jobs) and wait; SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
  /** SIGSTOP: the process freezes (a long GC pause, a starved CPU) without dying. */
  pause(): void;
  /** SIGCONT after pause(). */
  resume(): void;
  /** Kills this process if it still runs and starts a new worker with the same environment (new pid and id). */
  restart(): Promise<WorkerProcess>;
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

/** If the test process dies without its afterAll, take the workers with it. */
function installExitHook() {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once("exit", () => {
    for (const child of live) child.kill("SIGKILL");
  });
}

/** The variables every Studio process needs; `env` adds DATABASE_URL, REDIS_URL, BLOB_STORE… */
export function workerEnv(env: Record<string, string>): Record<string, string> {
  return {
    PATH: `${path.join(ROOT, "node_modules/.bin")}:${process.env.PATH}`,
    HOME: process.env.HOME ?? "/tmp",
    NODE_ENV: "production",
    SHOPIFY_API_KEY: API_KEY,
    SHOPIFY_API_SECRET: API_SECRET,
    SHOPIFY_APP_URL: "http://127.0.0.1:9",
    SCOPES,
    JOB_RETRY_BASE_MS: "50",
    ...env,
  };
}

export async function startWorker(env: Record<string, string>, options: { readyTimeoutMs?: number } = {}): Promise<WorkerProcess> {
  installExitHook();
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/worker.ts"], {
    cwd: ROOT,
    env: workerEnv(env) as NodeJS.ProcessEnv,
    stdio: ["ignore", "pipe", "pipe"],
  });
  live.add(child);
  let log = "";
  const exited = new Promise<void>((resolve) => {
    child.once("exit", () => {
      live.delete(child);
      resolve();
    });
  });
  child.stdout!.on("data", (d) => (log += d));
  child.stderr!.on("data", (d) => (log += d));

  const waitExit = async (signal: NodeJS.Signals, graceMs?: number) => {
    if (child.exitCode === null && child.signalCode === null) {
      if (signal !== "SIGKILL") child.kill("SIGCONT"); // a paused process would not handle SIGTERM
      child.kill(signal);
      if (graceMs !== undefined) {
        const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
        await exited;
        clearTimeout(timer);
      }
    }
    await exited;
  };

  // Ready once it announces itself ("[worker] queue-… processing "studio-jobs" …").
  const deadline = Date.now() + (options.readyTimeoutMs ?? 30_000);
  let workerId: string | undefined;
  while (!workerId) {
    workerId = /\[worker\] (\S+) processing/.exec(log)?.[1];
    if (workerId) break;
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`worker exited (${child.exitCode ?? child.signalCode}):\n${log}`);
    if (Date.now() > deadline) {
      await waitExit("SIGKILL");
      throw new Error(`worker did not start:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }

  return {
    workerId,
    pid: child.pid!,
    output: () => log,
    alive: () => child.exitCode === null && child.signalCode === null,
    kill: () => waitExit("SIGKILL"),
    pause: () => void child.kill("SIGSTOP"),
    resume: () => void child.kill("SIGCONT"),
    stop: (graceMs = 15_000) => waitExit("SIGTERM", graceMs),
    async restart() {
      await waitExit("SIGKILL");
      return startWorker(env, options);
    },
  };
}
