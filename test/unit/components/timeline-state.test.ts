// The job page's timeline logic: merging polled pages, the state the events tell, stage
// progress and the polling cadence.
import { describe, expect, it } from "vitest";
import {
  lastSeq,
  mergeEvents,
  nextPollDelay,
  POLL_CADENCE,
  stageProgress,
  timelineState,
  type TimelineEvent,
} from "~/components/timeline-state";

function event(seq: number, event_type: TimelineEvent["event_type"] = "stage", extra: Partial<TimelineEvent> = {}): TimelineEvent {
  return {
    seq,
    event_type,
    visibility: "public",
    stage: event_type === "stage" ? "segment" : null,
    message: `event ${seq}`,
    artifacts: [],
    extra: {},
    created_at: new Date(1_700_000_000_000 + seq * 1000).toISOString(),
    ...extra,
  };
}

const STAGES = ["fetch_source", "segment", "compose", "export"];

describe("mergeEvents", () => {
  it("appends new events in seq order", () => {
    const merged = mergeEvents([event(1, "queued"), event(2)], [event(4), event(3)]);
    expect(merged.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
  });

  it("never repeats an event: overlapping pages keep one copy per seq, the newer one (fresh URLs)", () => {
    const old = event(3, "stage", { artifacts: [{ image_url: "https://x/old", kind: "cutout", role: "intermediate", label: null, meta: {} }] });
    const fresh = event(3, "stage", { artifacts: [{ image_url: "https://x/new", kind: "cutout", role: "intermediate", label: null, meta: {} }] });
    const merged = mergeEvents([event(1, "queued"), event(2), old], [event(2), fresh, event(5)]);
    expect(merged.map((e) => e.seq)).toEqual([1, 2, 3, 5]);
    expect(merged[2].artifacts[0].image_url).toBe("https://x/new");
  });

  it("never loses an event: pages arriving out of order or late still end up complete", () => {
    let events: TimelineEvent[] = [event(1, "queued")];
    events = mergeEvents(events, [event(7), event(9)]);
    events = mergeEvents(events, [event(3), event(5)]); // a late page
    events = mergeEvents(events, []);
    expect(events.map((e) => e.seq)).toEqual([1, 3, 5, 7, 9]);
    expect(lastSeq(events)).toBe(9);
  });

  it("returns the same array when nothing changed (no re-render)", () => {
    const current = [event(1, "queued"), event(2)];
    expect(mergeEvents(current, [])).toBe(current);
    expect(mergeEvents(current, [current[1]])).toBe(current);
  });

  it("tolerates gaps in public seqs (internal events share the sequence)", () => {
    const merged = mergeEvents([event(1, "queued")], [event(4), event(11)]);
    expect(lastSeq(merged)).toBe(11);
    expect(lastSeq([])).toBeUndefined();
  });
});

describe("timelineState", () => {
  it("is queued, then running, then what the terminal event says", () => {
    expect(timelineState([event(1, "queued")])).toBe("queued");
    expect(timelineState([event(1, "queued"), event(2)])).toBe("running");
    expect(timelineState([event(1, "queued"), event(2), event(3, "succeeded")])).toBe("succeeded");
    const failed = event(3, "failed", { extra: { error: { code: "no_subject", message: "No product found", retryable: false } } });
    expect(timelineState([event(1, "queued"), event(2), failed])).toBe("failed");
    const cancelled = event(3, "failed", { extra: { error: { code: "cancelled", message: "Cancelled", retryable: false } } });
    expect(timelineState([event(1, "queued"), cancelled])).toBe("cancelled");
  });
});

describe("stageProgress", () => {
  const at = (stage: string, seq: number) => event(seq, "stage", { stage });

  it("marks earlier stages done and the latest one current", () => {
    const progress = stageProgress(STAGES, [event(1, "queued"), at("fetch_source", 2), at("fetch_source", 3), at("segment", 4)]);
    expect(progress.stages.map((s) => s.status)).toEqual(["done", "current", "pending", "pending"]);
    expect(progress.current).toBe("segment");
    expect(progress.percent).toBe(38);
  });

  it("is complete on success and marks the failing stage on failure", () => {
    const done = stageProgress(STAGES, [event(1, "queued"), at("export", 9), event(10, "succeeded")]);
    expect(done.percent).toBe(100);
    expect(done.stages.every((s) => s.status === "done")).toBe(true);
    const failed = stageProgress(STAGES, [
      event(1, "queued"),
      at("segment", 4),
      event(5, "failed", { stage: "segment", extra: { error: { code: "no_subject", message: "x" } } }),
    ]);
    expect(failed.stages.map((s) => s.status)).toEqual(["done", "failed", "pending", "pending"]);
    expect(failed.current).toBeNull();
  });

  it("shows where a cancelled job stopped", () => {
    const cancelled = stageProgress(STAGES, [
      event(1, "queued"),
      at("segment", 4),
      event(6, "failed", { stage: "compose", extra: { error: { code: "cancelled", message: "x" } } }),
    ]);
    expect(cancelled.stages.map((s) => s.status)).toEqual(["done", "done", "stopped", "pending"]);
  });
});

describe("nextPollDelay", () => {
  it("polls about every 1.5 s while things go well", () => {
    expect(nextPollDelay({ consecutiveErrors: 0, hidden: false })).toBe(1500);
  });

  it("backs off exponentially on errors, capped", () => {
    const delays = [1, 2, 3, 4, 5, 6, 10].map((n) => nextPollDelay({ consecutiveErrors: n, hidden: false }));
    expect(delays).toEqual([3000, 6000, 12_000, 24_000, 30_000, 30_000, 30_000]);
    expect(Math.max(...delays)).toBe(POLL_CADENCE.maxMs);
  });

  it("slows down while the tab is hidden", () => {
    expect(nextPollDelay({ consecutiveErrors: 0, hidden: true })).toBe(15_000);
    expect(nextPollDelay({ consecutiveErrors: 5, hidden: true })).toBe(30_000);
  });
});
