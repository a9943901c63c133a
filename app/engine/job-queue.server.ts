// How a new job reaches a worker. Embedded: wake the in-process worker. Scale-out
// (REDIS_URL set): a BullMQ queue that `npm run worker` processes. The database stays the
// source of truth either way; the queue only says "look at job N now".
import { env } from "~/env.server";

export interface JobQueue {
  enqueue(jobId: number): Promise<void>;
}

declare global {
  // eslint-disable-next-line no-var
  var __studioJobQueue: JobQueue | undefined;
}

export function setJobQueue(queue: JobQueue) {
  globalThis.__studioJobQueue = queue;
}

export async function jobQueue(): Promise<JobQueue> {
  if (!globalThis.__studioJobQueue) {
    if (env().REDIS_URL) {
      const { BullJobQueue } = await import("./bull-queue.server");
      globalThis.__studioJobQueue = new BullJobQueue(env().REDIS_URL!);
    } else {
      // No worker in this process (STUDIO_WORKER=off): another process polls the database.
      globalThis.__studioJobQueue = { enqueue: async () => undefined };
    }
  }
  return globalThis.__studioJobQueue!;
}
