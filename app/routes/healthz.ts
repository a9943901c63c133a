import { apiRoute } from "~/api/handle.server";

// Liveness, with no auth and no database work: the baseline the benchmarks compare against.
const route = apiRoute({
  GET: async () => new Response('{"ok":true}', { headers: { "Content-Type": "application/json" } }),
});
export const loader = route.loader;
export const action = route.action;
