import { openApiDocument } from "~/api/openapi.server";

export function loader() {
  return new Response(JSON.stringify(openApiDocument()), { headers: { "Content-Type": "application/json" } });
}
