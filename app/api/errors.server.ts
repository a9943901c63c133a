// FastAPI-compatible error bodies (contract § Errors), so existing clients keep working.

export type ValidationIssue = { loc: (string | number)[]; msg: string; type: string; input?: unknown };

const JSON_HEADERS = { "Content-Type": "application/json" };

export function jsonResponse(status: number, body: unknown, headers?: HeadersInit): Response {
  const h = new Headers(headers);
  h.set("Content-Type", "application/json");
  return new Response(JSON.stringify(body), { status, headers: h });
}

/** Thrown anywhere below an API route; `handleApi` turns it into its response. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly detail: unknown,
    readonly headers?: HeadersInit,
  ) {
    super(typeof detail === "string" ? detail : `HTTP ${status}`);
    this.name = "ApiError";
  }
  toResponse(): Response {
    return jsonResponse(this.status, { detail: this.detail }, this.headers);
  }
}

export const unauthorized = (detail: string) =>
  new ApiError(401, detail, { "WWW-Authenticate": 'Bearer realm="studio"' });
/** One body for unknown, malformed and foreign ids: they must be indistinguishable. */
export const jobNotFound = () => new ApiError(404, "Job not found");
export const notFound = (detail = "Not Found") => new ApiError(404, detail);
/** Same body for unknown, malformed and foreign model ids. */
export const modelNotFound = () => new ApiError(404, "Model not found");
export const conflict = (detail: string) => new ApiError(409, detail);
export const badRequest = (detail: string) => new ApiError(400, detail);
export const payloadTooLarge = (detail: string) => new ApiError(413, detail);
export const unsupportedMediaType = (detail: string) => new ApiError(415, detail);
/** `allow`: the methods the resource has (RFC 9110 asks a 405 to name them). */
export const methodNotAllowed = (allow: string) => new ApiError(405, "Method Not Allowed", { Allow: allow });
export const validationFailed = (issues: ValidationIssue[]) => new ApiError(422, issues);

/** Collects 422 issues across several inputs so one response reports them all (as FastAPI does). */
export class IssueList {
  readonly issues: ValidationIssue[] = [];
  add(issue: ValidationIssue) {
    this.issues.push(issue);
  }
  throwIfAny() {
    if (this.issues.length > 0) throw validationFailed(this.issues);
  }
}

export { JSON_HEADERS };
