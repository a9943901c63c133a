// What can go wrong talking to the API, each with the CLI's exit code:
// 2 = the request was refused (usage error or any 4xx), 3 = server error or no connection.

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
    this.name = "CliError";
  }
}

export class UsageError extends CliError {
  constructor(message: string) {
    super(message, 2);
    this.name = "UsageError";
  }
}

/** The API answered with a non-2xx status; `detail` is its FastAPI-style body. */
export class ApiError extends CliError {
  constructor(
    readonly status: number,
    readonly detail: unknown,
    readonly method: string,
    readonly url: string,
  ) {
    super(`${method} ${url} -> HTTP ${status}\n${formatDetail(detail)}`, status >= 400 && status < 500 ? 2 : 3);
    this.name = "ApiError";
  }
}

export class ConnectionError extends CliError {
  constructor(method: string, url: string, cause: unknown) {
    super(`could not reach ${url} (${method}): ${describeCause(cause)}. Is the server running? Set STUDIO_URL or --url.`, 3);
    this.name = "ConnectionError";
  }
}

/** A string detail as is; a 422 list as one `loc: msg` line per issue. */
export function formatDetail(detail: unknown): string {
  if (typeof detail === "string") return `  ${detail}`;
  if (Array.isArray(detail)) {
    return detail
      .map((issue) => {
        const { loc, msg, type } = (issue ?? {}) as { loc?: unknown[]; msg?: string; type?: string };
        const where = Array.isArray(loc) ? loc.join(".") : "?";
        return `  ${where}: ${msg ?? JSON.stringify(issue)}${type ? ` [${type}]` : ""}`;
      })
      .join("\n");
  }
  return `  ${JSON.stringify(detail)}`;
}

function describeCause(error: unknown): string {
  // fetch() wraps the socket error: "fetch failed" with cause { code: "ECONNREFUSED", ... }.
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  if (cause?.code) return cause.code;
  if (cause?.message) return cause.message;
  if ((error as Error)?.name === "TimeoutError") return "timed out";
  return error instanceof Error ? error.message : String(error);
}
