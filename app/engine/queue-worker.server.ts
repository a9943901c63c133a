// Scale-out worker (`npm run worker`): BullMQ delivers "run job N" messages; the same
// engine runs them under a database lease. A sweeper re-enqueues jobs nobody is running
// (a worker died mid-job, or Redis lost a message), so no job is stranded.
import { randomUUID } from "node:crypto";
import { Queue, Worker } from "bullmq";
import { env } from "~/env.server";
import { QUEUE_NAME, redisConnection } from "./bull-queue.server";
import { findClaimableJobIds } from "./lease.server";
import { runJob } from "./run-job.server";

export function startQueueWorker() {
  const config = env();
  if (!config.REDIS_URL) throw new Error("npm run worker needs REDIS_URL (without it the web server runs jobs itself)");
  const workerId = `queue-${process.pid}-${randomUUID().slice(0, 8)}`;
  const connection = redisConnection(config.REDIS_URL);
  const queue = new Queue(QUEUE_NAME, { connection });
  const worker = new Worker(QUEUE_NAME, async (message) => runJob(Number(message.data.jobId), { workerId }), {
    connection,
    concurrency: config.WORKER_CONCURRENCY,
  });
  worker.on("failed", (message, error) => console.error(`[worker] job ${message?.data?.jobId} failed in the runner:`, error));

  const sweep = async () => {
    for (const id of await findClaimableJobIds(100)) {
      // A stable BullMQ id makes the sweep idempotent while the message is waiting.
      await queue.add("run", { jobId: id }, { jobId: `sweep-${id}`, removeOnComplete: true, removeOnFail: true });
    }
  };
  const sweeper = setInterval(() => sweep().catch((e) => console.error("[worker] sweep failed:", e)), Math.max(1000, (config.JOB_LEASE_SECONDS * 1000) / 2));
  sweep().catch((e) => console.error("[worker] sweep failed:", e));

  console.log(`[worker] ${workerId} processing "${QUEUE_NAME}" with concurrency ${config.WORKER_CONCURRENCY}`);
  return {
    workerId,
    async close() {
      clearInterval(sweeper);
      await worker.close();
      await queue.close();
    },
  };
}
