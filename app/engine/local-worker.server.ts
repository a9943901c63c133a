// The in-process worker of the embedded default: claims queued (or abandoned) jobs from
// the database and runs up to `concurrency` at once. Woken at once when a job is created;
// polls as a fallback, which is also how abandoned jobs are picked up after a restart.
import { randomUUID } from "node:crypto";
import { findClaimableJobs } from "./lease.server";
import { runJob } from "./run-job.server";

export interface LocalWorkerOptions {
  concurrency: number;
  pollMs?: number;
}

export class LocalWorker {
  readonly id = `local-${process.pid}-${randomUUID().slice(0, 8)}`;
  private readonly active = new Set<number>();
  private timer: NodeJS.Timeout | undefined;
  private ticking = false;
  private again = false;
  private stopped = true;

  constructor(private readonly options: LocalWorkerOptions) {}

  start() {
    if (!this.stopped) return;
    this.stopped = false;
    this.timer = setInterval(() => this.wake(), this.options.pollMs ?? 1000);
    this.timer.unref();
    this.wake();
  }

  stop() {
    this.stopped = true;
    clearInterval(this.timer);
  }

  /** Looks for work now (coalesced: many wakes during one look cause one more look). */
  wake() {
    if (this.stopped) return;
    if (this.ticking) {
      this.again = true;
      return;
    }
    this.ticking = true;
    this.fill()
      .catch((error) => console.error("[worker] looking for jobs failed:", error))
      .finally(() => {
        this.ticking = false;
        if (this.again) {
          this.again = false;
          this.wake();
        }
      });
  }

  private async fill() {
    const free = this.options.concurrency - this.active.size;
    if (free <= 0) return;
    for (const { id } of await findClaimableJobs(free, this.active)) {
      this.active.add(id);
      runJob(id, { workerId: this.id })
        .catch((error) => console.error(`[worker] job ${id} crashed the runner:`, error))
        .finally(() => {
          this.active.delete(id);
          this.wake();
        });
    }
  }
}
