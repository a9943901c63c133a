// Live timeline of one job: polls GET /v1/jobs/{id}/events?since=<last seq> (in the admin, App
// Bridge adds the session token to same-origin fetches) about every 1.5 s until the terminal
// event; slower while the tab is hidden and at once when it comes back; exponential backoff
// (capped) on errors. Events from the loader (which carry fresh presigned URLs after each
// revalidation) and from polls are merged by seq, so none is lost or shown twice.
import { useEffect, useRef, useState } from "react";
import { lastSeq, mergeEvents, nextPollDelay, terminalEvent, type TimelineEvent } from "./timeline-state";

export interface JobTimeline {
  events: TimelineEvent[];
  /** Consecutive failed polls (0 while polling works). */
  pollErrors: number;
}

export function useJobTimeline(publicId: string, loaderEvents: TimelineEvent[], onTerminal?: () => void): JobTimeline {
  const [events, setEvents] = useState(loaderEvents);
  const [pollErrors, setPollErrors] = useState(0);
  const eventsRef = useRef(events);
  eventsRef.current = events;
  const onTerminalRef = useRef(onTerminal);
  onTerminalRef.current = onTerminal;

  // A revalidated loader brings the whole timeline again, with fresh URLs.
  useEffect(() => {
    setEvents((current) => mergeEvents(current, loaderEvents));
  }, [loaderEvents]);

  const finished = terminalEvent(events) !== undefined;

  useEffect(() => {
    if (finished) return;
    let stopped = false;
    let inFlight = false;
    let errors = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let controller: AbortController | undefined;

    const schedule = (ms: number) => {
      clearTimeout(timer);
      timer = setTimeout(poll, ms);
    };
    const hidden = () => document.visibilityState === "hidden";

    async function poll() {
      if (stopped || inFlight) return;
      inFlight = true;
      controller = new AbortController();
      const since = lastSeq(eventsRef.current);
      try {
        const query = since === undefined ? "" : `?since=${since}`;
        const response = await fetch(`/v1/jobs/${encodeURIComponent(publicId)}/events${query}`, {
          headers: { Accept: "application/json" },
          signal: controller.signal,
        });
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        const page = (await response.json()) as { events: TimelineEvent[] };
        errors = 0;
        setPollErrors(0);
        if (page.events.length) {
          const merged = mergeEvents(eventsRef.current, page.events);
          eventsRef.current = merged;
          setEvents(merged);
          if (terminalEvent(page.events)) {
            stopped = true;
            onTerminalRef.current?.();
            return;
          }
        }
      } catch {
        if (stopped) return;
        errors += 1;
        setPollErrors(errors);
      } finally {
        inFlight = false;
      }
      if (!stopped) schedule(nextPollDelay({ consecutiveErrors: errors, hidden: hidden() }));
    }

    const onVisibility = () => {
      if (!stopped && !hidden()) schedule(0);
    };
    document.addEventListener("visibilitychange", onVisibility);
    schedule(nextPollDelay({ consecutiveErrors: 0, hidden: hidden() }));
    return () => {
      stopped = true;
      clearTimeout(timer);
      controller?.abort();
      document.removeEventListener("visibilitychange", onVisibility);
    };
  }, [publicId, finished]);

  return { events, pollErrors };
}
