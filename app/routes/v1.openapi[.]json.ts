import { apiRoute } from "~/api/handle.server";
import { openApiDocument } from "~/api/openapi.server";

const route = apiRoute({
  GET: async () => new Response(JSON.stringify(openApiDocument()), { headers: { "Content-Type": "application/json" } }),
});
export const loader = route.loader;
export const action = route.action;
