// Dates render in UTC on the server and in the first client render (so hydration matches), then
// in the merchant's time zone; "x minutes ago" starts from the loader's clock and then ticks.
import { useEffect, useState } from "react";

export function useHydrated(): boolean {
  const [hydrated, setHydrated] = useState(false);
  useEffect(() => setHydrated(true), []);
  return hydrated;
}

/** The loader's `now` until mounted, then the browser's clock, every `everyMs`. */
export function useNow(serverNow: number, everyMs = 30_000): number {
  const [now, setNow] = useState(serverNow);
  useEffect(() => {
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}

/** The time zone to format in: UTC until hydrated, then the browser's own. */
export function useDisplayTimeZone(): string | undefined {
  return useHydrated() ? undefined : "UTC";
}
