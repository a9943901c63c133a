// Follows a job's public timeline with ?since=<last seq> until its terminal event.
import { setTimeout as sleep } from "node:timers/promises";
import type { StudioClient } from "./client";
import { ApiError, CliError, ConnectionError } from "./errors";
import { TERMINAL_EVENTS, type EventsPage, type JobEvent } from "./types";

export interface WatchOptions {
  intervalMs?: number;
  /** Give up after this long (0 = never). */
  timeoutMs?: number;
  /** Consecutive connection/5xx errors tolerated before giving up. */
  maxErrors?: number;
  onEvent(event: JobEvent): void;
  onRetry?(error: Error, attempt: number): void;
}

/** Returns the terminal event. Each event is reported once, in seq order. */
export async function watchEvents(client: StudioClient, publicId: string, options: WatchOptions): Promise<JobEvent> {
  const interval = options.intervalMs ?? 1000;
  const deadline = options.timeoutMs ? Date.now() + options.timeoutMs : Infinity;
  const maxErrors = options.maxErrors ?? 10;
  let since: number | undefined;
  let errors = 0;
  for (;;) {
    let page: EventsPage;
    try {
      page = await client.get<EventsPage>(`/v1/jobs/${encodeURIComponent(publicId)}/events`, { since });
      errors = 0;
    } catch (error) {
      const transient = error instanceof ConnectionError || (error instanceof ApiError && error.status >= 500);
      if (!transient || ++errors > maxErrors) throw error;
      options.onRetry?.(error as Error, errors);
      await sleep(Math.min(interval * 2 ** errors, 10_000));
      continue;
    }
    for (const event of page.events) {
      if (since !== undefined && event.seq <= since) continue;
      since = event.seq;
      options.onEvent(event);
      if (TERMINAL_EVENTS.has(event.event_type)) return event;
    }
    if (Date.now() > deadline) throw new CliError(`gave up watching ${publicId} after ${Math.round(options.timeoutMs! / 1000)} s`, 3);
    await sleep(interval);
  }
}
