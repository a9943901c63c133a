// Wraps every /v1 handler: ApiErrors become their contract responses, and anything
// unexpected is logged and answered with a bare 500 (never with internals).
import type { LoaderFunctionArgs } from "@remix-run/node";
import { ApiError, jsonResponse, methodNotAllowed } from "./errors.server";

export async function handleApi(work: () => Promise<Response>): Promise<Response> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof ApiError) return error.toResponse();
    if (error instanceof Response) return error;
    console.error("[api] unexpected error:", error);
    return jsonResponse(500, { detail: "Internal Server Error" });
  }
}

/** What a handler gets: a loader's and an action's arguments have the same shape. */
export type RouteArgs = LoaderFunctionArgs;
type Method = "GET" | "POST" | "PUT" | "DELETE";

/**
 * One API resource, by method. Remix sends GET, HEAD and OPTIONS to the loader and the rest to
 * the action; both dispatch here, and a method the resource lacks (OPTIONS too, as FastAPI
 * answers it without a CORS layer) gets a 405 that names the ones it has.
 */
export function apiRoute(handlers: Partial<Record<Method, (args: RouteArgs) => Promise<Response>>>) {
  const allow = Object.keys(handlers)
    .flatMap((method) => (method === "GET" ? ["GET", "HEAD"] : [method]))
    .join(", ");
  const dispatch = (args: RouteArgs) =>
    handleApi(async () => {
      const method = args.request.method === "HEAD" ? "GET" : args.request.method;
      const handler = Object.hasOwn(handlers, method) ? handlers[method as Method] : undefined;
      if (!handler) throw methodNotAllowed(allow);
      return handler(args);
    });
  return { loader: dispatch, action: dispatch };
}
