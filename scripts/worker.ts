// `npm run worker`: the scale-out job worker (needs REDIS_URL; see README § Scaling out).
import { startQueueWorker } from "~/engine/queue-worker.server";

const worker = startQueueWorker();
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    console.log(`[worker] ${signal}: finishing running jobs, then exiting`);
    worker.close().then(() => process.exit(0), () => process.exit(1));
  });
}
