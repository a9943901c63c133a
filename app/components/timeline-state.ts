// The job page's timeline logic, pure (unit-tested): merging polled events, the job's state as
// the events tell it, stage progress and the polling cadence.
import type { ArtifactResponseT, JobEventResponseT } from "~/api/schemas";

export type TimelineEvent = JobEventResponseT;
export type Artifact = ArtifactResponseT;
export type JobState = "queued" | "running" | "succeeded" | "failed" | "cancelled";
export type ErrorInfo = { code: string; message: string; retryable?: boolean };
export type CostInfo = { amount: number; currency: string; units?: number };

/**
 * Folds `incoming` into `current`: one event per seq, ascending. A seq seen again replaces the
 * copy we had (same event, fresher presigned URLs), so nothing is lost or shown twice, whatever
 * order or overlap the pages arrive in. Returns `current` itself when nothing changed.
 */
export function mergeEvents(current: readonly TimelineEvent[], incoming: readonly TimelineEvent[]): TimelineEvent[] {
  if (incoming.length === 0) return current as TimelineEvent[];
  const bySeq = new Map<number, TimelineEvent>();
  for (const event of current) bySeq.set(event.seq, event);
  let changed = false;
  for (const event of incoming) {
    if (bySeq.get(event.seq) === event) continue;
    bySeq.set(event.seq, event);
    changed = true;
  }
  if (!changed) return current as TimelineEvent[];
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
}

/** The cursor for the next poll: the highest seq we hold (public seqs may have gaps). */
export function lastSeq(events: readonly TimelineEvent[]): number | undefined {
  let max: number | undefined;
  for (const event of events) if (max === undefined || event.seq > max) max = event.seq;
  return max;
}

export function terminalEvent(events: readonly TimelineEvent[]): TimelineEvent | undefined {
  return events.find((event) => event.event_type === "succeeded" || event.event_type === "failed");
}

export function errorOf(event: TimelineEvent | undefined): ErrorInfo | null {
  const error = event?.extra?.error as Partial<ErrorInfo> | undefined;
  return error && typeof error.message === "string" ? { code: String(error.code ?? ""), message: error.message, retryable: error.retryable } : null;
}

export function costOf(event: TimelineEvent | undefined): CostInfo | null {
  const cost = event?.extra?.cost as Partial<CostInfo> | undefined;
  return cost && typeof cost.amount === "number" && typeof cost.currency === "string" ? { amount: cost.amount, currency: cost.currency, units: cost.units } : null;
}

/** The job's state as its public timeline tells it (a cancel ends with `failed`, code `cancelled`). */
export function timelineState(events: readonly TimelineEvent[]): JobState {
  const end = terminalEvent(events);
  if (end) return end.event_type === "succeeded" ? "succeeded" : errorOf(end)?.code === "cancelled" ? "cancelled" : "failed";
  return events.some((event) => event.event_type === "stage") ? "running" : "queued";
}

export type StageStatus = "done" | "current" | "failed" | "stopped" | "pending";

export interface StageProgress {
  stages: { name: string; status: StageStatus }[];
  /** 0–100 for the progress bar. */
  percent: number;
  current: string | null;
}

/**
 * Where the job is in its pipeline. A stage is done once a later one started (or the job
 * succeeded); the stage of the latest stage event is the current one; a failed job marks the
 * stage it failed in (a cancelled one, the stage it stopped after).
 */
export function stageProgress(stageNames: readonly string[], events: readonly TimelineEvent[]): StageProgress {
  const state = timelineState(events);
  const end = terminalEvent(events);
  let reached = -1;
  for (const event of events) {
    if (event.event_type !== "stage" || !event.stage) continue;
    const index = stageNames.indexOf(event.stage);
    if (index > reached) reached = index;
  }
  if (end?.stage) reached = Math.max(reached, stageNames.indexOf(end.stage));
  const stages = stageNames.map((name, index) => {
    let status: StageStatus;
    if (state === "succeeded" || index < reached) status = "done";
    else if (index > reached) status = "pending";
    else if (state === "failed") status = "failed";
    else if (state === "cancelled") status = "stopped";
    else status = "current";
    return { name, status };
  });
  const done = stages.filter((stage) => stage.status === "done").length;
  const running = stages.some((stage) => stage.status === "current") ? 0.5 : 0;
  const percent = state === "succeeded" ? 100 : stageNames.length ? Math.round(((done + running) / stageNames.length) * 100) : 0;
  return { stages, percent, current: stages.find((stage) => stage.status === "current")?.name ?? null };
}

/** Every artifact of the timeline with the given role, in event order. */
export function artifactsOf(events: readonly TimelineEvent[], role: "intermediate" | "final"): Artifact[] {
  return events.flatMap((event) => event.artifacts.filter((artifact) => artifact.role === role));
}

export interface PollCadence {
  baseMs: number;
  maxMs: number;
  hiddenMs: number;
}

export const POLL_CADENCE: PollCadence = { baseMs: 1500, maxMs: 30_000, hiddenMs: 15_000 };

/**
 * Delay before the next poll: the base cadence while things go well; exponential after errors
 * (capped); slow while the tab is hidden (a visibilitychange back to visible polls at once).
 */
export function nextPollDelay(state: { consecutiveErrors: number; hidden: boolean }, cadence: PollCadence = POLL_CADENCE): number {
  const backoff = state.consecutiveErrors > 0 ? Math.min(cadence.maxMs, cadence.baseMs * 2 ** state.consecutiveErrors) : cadence.baseMs;
  return state.hidden ? Math.max(cadence.hiddenMs, backoff) : backoff;
}
