// Presigned artifact URLs expire (15 min by default). Refresh them by revalidating the page's
// loader: shortly before they expire, and when an image on the page fails to load.
import { useRevalidator } from "@remix-run/react";
import { useEffect, useRef } from "react";

export function useFreshArtifactUrls(ttlSeconds: number, loadedAt: number) {
  const revalidator = useRevalidator();
  const revalidate = useRef(revalidator.revalidate);
  revalidate.current = revalidator.revalidate;

  useEffect(() => {
    const refreshIn = Math.max(5_000, ttlSeconds * 1000 * 0.8 - (Date.now() - loadedAt));
    const timer = setTimeout(() => revalidate.current(), refreshIn);
    return () => clearTimeout(timer);
  }, [ttlSeconds, loadedAt]);

  useEffect(() => {
    let last = 0;
    const onError = (event: Event) => {
      if (!(event.target instanceof HTMLImageElement)) return;
      // Once per 10 s at most: a broken image must not turn into a reload loop.
      if (Date.now() - last < 10_000) return;
      last = Date.now();
      revalidate.current();
    };
    // Image errors don't bubble; a capturing listener sees them all.
    document.addEventListener("error", onError, true);
    return () => document.removeEventListener("error", onError, true);
  }, []);
}
