/** A stage failure the merchant can read; `retryable` tells the engine whether to try again. */
export class StageError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly retryable: boolean,
    /** Raw detail for the internal timeline only (provider bodies, stack hints). */
    readonly internal?: Record<string, unknown>,
  ) {
    super(message);
    this.name = "StageError";
  }
}
