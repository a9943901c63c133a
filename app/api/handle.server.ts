// Wraps every /v1 handler: ApiErrors become their contract responses, and anything
// unexpected is logged and answered with a bare 500 (never with internals).
import { ApiError, jsonResponse } from "./errors.server";

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
