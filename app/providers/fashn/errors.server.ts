// FASHN's failures → StageErrors the merchant can act on. Two kinds (docs.fashn.ai, "Error
// Handling"): API-level errors (an HTTP status with {"error", "message"}, before a prediction
// exists) and runtime errors (status "failed" with {"name", "message"}). Retryable ones are
// retried by the engine with backoff; a retry starts a new prediction (FASHN does not bill
// failed ones).
import { APIConnectionError, APIError, APIUserAbortError } from "fashn";
import { StageError } from "~/pipelines/stage-error";

const LOCAL_HINT = 'or render this job with Studio\'s own compositor (options.provider "local")';

interface Mapped {
  code: string;
  retryable: boolean;
  message: string;
}

const RUNTIME: Record<string, Mapped> = {
  ImageLoadError: {
    code: "fashn_image_load_error",
    retryable: false,
    message: "FASHN could not load the garment or model image. Try a clearer photo (PNG or JPEG, at least 512 px), " + LOCAL_HINT + ".",
  },
  PoseError: {
    code: "fashn_pose_error",
    retryable: false,
    message: "FASHN could not find a body pose in the model photo. Use an upright, front-facing photo where shoulders and hips are visible, " + LOCAL_HINT + ".",
  },
  ContentModerationError: {
    code: "fashn_content_moderation",
    retryable: false,
    message: "FASHN's content moderation refused these images. Use other photos, " + LOCAL_HINT + ".",
  },
  InputValidationError: {
    code: "fashn_input_validation",
    retryable: false,
    message: "FASHN refused the request's parameters for this garment and model. Try another model or garment category, " + LOCAL_HINT + ".",
  },
  PhotoTypeError: {
    code: "fashn_photo_type_error",
    retryable: false,
    message: "FASHN could not tell what kind of garment photo this is. Set options.category (tops, bottoms or one-pieces), " + LOCAL_HINT + ".",
  },
  NSFWError: { code: "fashn_content_moderation", retryable: false, message: "FASHN's content filter refused these images. Use other photos, " + LOCAL_HINT + "." },
  LoRALoadError: { code: "fashn_input_validation", retryable: false, message: "FASHN could not load a model resource for this request. " + LOCAL_HINT[0].toUpperCase() + LOCAL_HINT.slice(1) + "." },
  PipelineError: {
    code: "fashn_pipeline_error",
    retryable: true,
    message: "FASHN's rendering pipeline failed on every attempt. Run the job again later, " + LOCAL_HINT + ".",
  },
  ThirdPartyError: {
    code: "fashn_third_party_error",
    retryable: true,
    message: "A service FASHN depends on refused or failed on every attempt. Try other photos or run the job again later, " + LOCAL_HINT + ".",
  },
  "3rdPartyProviderError": {
    code: "fashn_third_party_error",
    retryable: true,
    message: "A service FASHN depends on failed on every attempt. Run the job again later, " + LOCAL_HINT + ".",
  },
  InternalServerError: { code: "fashn_unavailable", retryable: true, message: "FASHN had an internal error on every attempt. Run the job again later, " + LOCAL_HINT + "." },
  PollingTimeout: { code: "fashn_timeout", retryable: true, message: "FASHN did not finish in time on any attempt. Run the job again later, " + LOCAL_HINT + "." },
};

/** A prediction that ended "failed" (or "canceled"/"time_out" on FASHN's side). */
export function runtimeError(
  status: string,
  error: { name?: string; message?: string } | null | undefined,
  predictionId: string,
): StageError {
  const internal = { prediction_id: predictionId, fashn_status: status, fashn_error: error ?? null };
  if (status === "canceled") {
    return new StageError("fashn_canceled", "The render was cancelled on FASHN's side. Run the job again, " + LOCAL_HINT + ".", false, internal);
  }
  if (status === "time_out") return new StageError(RUNTIME.PollingTimeout.code, RUNTIME.PollingTimeout.message, true, internal);
  const mapped = (error?.name && RUNTIME[error.name]) || {
    code: "fashn_failed",
    retryable: true,
    message: `FASHN could not render this job (${error?.name ?? "unknown error"}). Run it again later, ${LOCAL_HINT}.`,
  };
  return new StageError(mapped.code, mapped.message, mapped.retryable, internal);
}

/** An HTTP-level failure of /v1/run or /v1/status (the SDK's APIError family). */
export function apiError(error: unknown, during: "run" | "status", predictionId?: string): StageError | null {
  if (error instanceof APIUserAbortError) return null;
  if (error instanceof APIConnectionError) {
    return new StageError("fashn_unreachable", "Studio could not reach FASHN on any attempt. Run the job again later, " + LOCAL_HINT + ".", true, {
      during,
      prediction_id: predictionId,
      error: String(error),
    });
  }
  if (!(error instanceof APIError)) return null;
  const body = (error.error ?? {}) as { error?: string; message?: string };
  const internal = { during, prediction_id: predictionId, http_status: error.status, fashn_error: body };
  const status = error.status ?? 0;
  if (status === 429) {
    if (body.error === "OutOfCredits") {
      return new StageError(
        "fashn_out_of_credits",
        "Your FASHN account has no API credits left. Top up FASHN credits (app.fashn.ai → Developer API → API Billing) and run the job again, " + LOCAL_HINT + ".",
        false,
        internal,
      );
    }
    if (body.error === "ConcurrencyLimitExceeded") {
      return new StageError("fashn_concurrency_limited", "FASHN was busy with this account's other renders on every attempt. Run the job again shortly, or lower FASHN_MAX_CONCURRENCY.", true, internal);
    }
    return new StageError("fashn_rate_limited", "FASHN's rate limit was hit on every attempt. Run the job again shortly.", true, internal);
  }
  if (status === 401 || status === 403) {
    return new StageError("fashn_unauthorized", "FASHN refused Studio's API key. Check FASHN_API_KEY, " + LOCAL_HINT + ".", false, internal);
  }
  if (status === 404 && during === "status") {
    // "The requested prediction status is no longer tracked": start over.
    return new StageError("fashn_prediction_lost", "FASHN lost track of the render on every attempt. Run the job again later, " + LOCAL_HINT + ".", true, internal);
  }
  if (status >= 500) {
    return new StageError("fashn_unavailable", `FASHN answered ${status} on every attempt. Run the job again later, ${LOCAL_HINT}.`, true, internal);
  }
  return new StageError("fashn_bad_request", `FASHN refused the request (${body.error ?? `HTTP ${status}`}: ${body.message ?? "no detail"}). Try other photos, ${LOCAL_HINT}.`, false, internal);
}
