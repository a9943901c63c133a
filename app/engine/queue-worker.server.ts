// Scale-out worker (`npm run worker`): BullMQ delivers "run job N" messages; the same
// engine runs them under a database lease. A sweeper re-enqueues jobs nobody is running
// (a worker died mid-job, or Redis lost a message), so no job is stranded.
import { randomUUID } from "node:crypto";
import { Queue, Worker } from "bullmq";
import { env } from "~/env.server";
import { QUEUE_NAME, redisConnection } from "./bull-queue.server";
import { findClaimableJobs } from "./lease.server";
import { runJob } from "./run-job.server";

export function startQueueWorker() {
  const config = env();
  if (!config.REDIS_URL) throw new Error("npm run worker needs REDIS_URL (without it the web server runs jobs itself)");
  const workerId = `queue-${process.pid}-${randomUUID().slice(0, 8)}`;
  const connection = redisConnection(config.REDIS_URL);
  const queue = new Queue(QUEUE_NAME, { connection });
  // A job this process is already running is skipped: a redelivered or swept message must
  // not start a second run beside the first.
  const active = new Set<number>();
  const worker = new Worker(
    QUEUE_NAME,
    async (message) => {
      const jobId = Number(message.data.jobId);
      if (active.has(jobId)) return false;
      active.add(jobId);
      try {
        return await runJob(jobId, { workerId });
      } finally {
        active.delete(jobId);
      }
    },
    { connection, concurrency: config.WORKER_CONCURRENCY },
  );
  worker.on("failed", (message, error) => console.error(`[worker] job ${message?.data?.jobId} failed in the runner:`, error));

  const sweep = async () => {
    for (const { id, attempts } of await findClaimableJobs(100, active)) {
      // Idempotent per claim: the same message id while it waits, a new one once a worker
      // has claimed the job again (a dead worker's message may be stuck in BullMQ for a while).
      await queue.add("run", { jobId: id }, { jobId: `sweep-${id}-${attempts}`, removeOnComplete: true, removeOnFail: true });
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
