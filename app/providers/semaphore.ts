// A counting semaphore: at most `limit` holders at once, waiters served first come, first
// served (a released slot passes straight to the next waiter). A waiter whose signal aborts
// leaves the queue.

export class Semaphore {
  private active = 0;
  private readonly waiters: (() => void)[] = [];

  constructor(private readonly limit: () => number) {}

  get inUse(): number {
    return this.active;
  }

  /** A slot now, or null when all are taken. */
  tryAcquire(): (() => void) | null {
    if (this.active >= this.limit() || this.waiters.length > 0) return null;
    this.active++;
    return this.releaser();
  }

  /** Resolves with a release function once a slot is free. */
  async acquire(signal?: AbortSignal): Promise<() => void> {
    const now = this.tryAcquire();
    if (now) return now;
    await new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const onAbort = () => {
        const index = this.waiters.indexOf(wake);
        if (index >= 0) this.waiters.splice(index, 1);
        reject(signal!.reason);
      };
      const wake = () => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.waiters.push(wake);
    });
    // The releasing holder handed its slot over: `active` already counts us.
    return this.releaser();
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiters.shift();
      if (next) next();
      else this.active--;
    };
  }
}
