// Scale-out queue: BullMQ on REDIS_URL. The message is only "run job N"; the database
// lease decides who actually runs it, so duplicates and redeliveries are harmless.
import { Queue } from "bullmq";
import type { JobQueue } from "./job-queue.server";

export const QUEUE_NAME = "studio-jobs";

export function redisConnection(url: string) {
  const u = new URL(url);
  return {
    host: u.hostname,
    port: Number(u.port || 6379),
    username: u.username ? decodeURIComponent(u.username) : undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    db: u.pathname.length > 1 ? Number(u.pathname.slice(1)) : undefined,
    tls: u.protocol === "rediss:" ? {} : undefined,
    // BullMQ workers block on Redis; ioredis must not give up on those commands.
    maxRetriesPerRequest: null,
  };
}

export class BullJobQueue implements JobQueue {
  private readonly queue: Queue;

  constructor(url: string) {
    this.queue = new Queue(QUEUE_NAME, { connection: redisConnection(url) });
  }

  async enqueue(jobId: number) {
    await this.queue.add("run", { jobId }, { jobId: `job-${jobId}`, removeOnComplete: true, removeOnFail: true });
  }

  close() {
    return this.queue.close();
  }
}
