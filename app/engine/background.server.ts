// Starts what runs beside the web server in the embedded default: the in-process worker.
import { env } from "~/env.server";
import { setJobQueue } from "./job-queue.server";
import { LocalWorker } from "./local-worker.server";

declare global {
  // eslint-disable-next-line no-var
  var __studioLocalWorker: LocalWorker | undefined;
}

export function startBackgroundServices() {
  const config = env();
  const wanted = config.STUDIO_WORKER === "on" || (config.STUDIO_WORKER === "auto" && !config.REDIS_URL);
  if (!wanted || globalThis.__studioLocalWorker) return;
  const worker = new LocalWorker({ concurrency: config.WORKER_CONCURRENCY });
  globalThis.__studioLocalWorker = worker;
  if (!config.REDIS_URL) setJobQueue({ enqueue: async () => worker.wake() });
  worker.start();
}
