// Liveness, with no auth and no database work: the baseline the benchmarks compare against.
export function loader() {
  return new Response('{"ok":true}', { headers: { "Content-Type": "application/json" } });
}
