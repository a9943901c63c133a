// Photoreal renders through FASHN (official `fashn` SDK): tryon-v1.6 onto the merchant's own
// model photo, product-to-model (FASHN generates the person) for built-in models. Images go
// inline as base64 data URLs (Studio's URLs are not reachable from outside); the output is
// downloaded into Studio's store at once (FASHN's URLs expire after 72 h).
import { setTimeout as sleep } from "node:timers/promises";
import sharp from "sharp";
import Fashn from "fashn";
import { env } from "~/env.server";
import { StageError } from "~/pipelines/stage-error";
import type { StageNote } from "~/pipelines/pipeline";
import { sniffImageFormat, CONTENT_TYPES } from "~/jobs/source-image.server";
import { modelPhoto } from "~/models/model-library.server";
import type { RenderContext, RenderOutput, RenderProvider, RenderRequest } from "../provider";
import { Semaphore } from "../semaphore";
import { apiError, runtimeError } from "./errors.server";

const CREDITS_HEADER = "x-fashn-credits-used";
/** Inputs are sent downscaled to this longer side: FASHN works at about 1 MP anyway. */
const INPUT_MAX_SIDE = 2048;
const MAX_OUTPUT_BYTES = 50 * 1024 * 1024;
const DOWNLOAD_ATTEMPTS = 3;

const STATUS_LINES: Record<string, string> = {
  starting: "Starting on FASHN",
  in_queue: "In queue",
  processing: "Rendering",
};

/** In-flight FASHN predictions in this process (FASHN_MAX_CONCURRENCY). */
const slots = new Semaphore(() => env().FASHN_MAX_CONCURRENCY);

let client: Fashn | undefined;

function fashn(): Fashn {
  const config = env();
  // Retries are the engine's (with backoff, recorded on the timeline): none inside the SDK.
  client ??= new Fashn({ apiKey: config.FASHN_API_KEY, baseURL: config.FASHN_BASE_URL, maxRetries: 0, timeout: 60_000 });
  return client;
}

async function dataUrl(bytes: Buffer, options: { maxSide: number }): Promise<string> {
  const jpeg = await sharp(bytes)
    .rotate()
    .resize(options.maxSide, options.maxSide, { fit: "inside", withoutEnlargement: true })
    .flatten({ background: "#ffffff" })
    .jpeg({ quality: 92 })
    .toBuffer();
  return `data:image/jpeg;base64,${jpeg.toString("base64")}`;
}

function rethrowIfAborted(ctx: RenderContext, error: unknown): void {
  if (ctx.signal.aborted) throw ctx.signal.reason ?? error;
}

function cancelled(predictionId: string): StageError {
  return new StageError("cancelled", "Cancelled while FASHN was rendering; FASHN may still bill the started call.", false, { prediction_id: predictionId });
}

/** The output image's bytes: a CDN URL (downloaded, a few tries) or a base64 data URL. */
async function download(output: string, ctx: RenderContext, predictionId: string): Promise<Buffer> {
  if (output.startsWith("data:")) return Buffer.from(output.slice(output.indexOf(",") + 1), "base64");
  let last: unknown;
  for (let attempt = 1; attempt <= DOWNLOAD_ATTEMPTS; attempt++) {
    try {
      const response = await fetch(output, { signal: AbortSignal.any([ctx.signal, AbortSignal.timeout(60_000)]) });
      if (response.ok) {
        const bytes = Buffer.from(await response.arrayBuffer());
        if (bytes.length > MAX_OUTPUT_BYTES) throw new Error(`output is ${bytes.length} bytes`);
        return bytes;
      }
      last = new Error(`HTTP ${response.status}`);
      if (response.status < 500 && response.status !== 429) break;
    } catch (error) {
      rethrowIfAborted(ctx, error);
      last = error;
    }
    await sleep(250 * attempt, undefined, { signal: ctx.signal });
  }
  throw new StageError("fashn_download_failed", "FASHN finished, but its image could not be downloaded. Run the job again.", true, {
    prediction_id: predictionId,
    error: String(last),
  });
}

async function inputs(request: RenderRequest) {
  const garment = await dataUrl(await request.productPhoto(), { maxSide: INPUT_MAX_SIDE });
  if (request.model.builtin) {
    // No photo of a person: FASHN generates one wearing the product.
    return {
      model_name: "product-to-model" as const,
      inputs: { product_image: garment, aspect_ratio: "3:4" as const, output_format: "png" as const },
    };
  }
  const photo = await modelPhoto(request.model);
  return {
    model_name: "tryon-v1.6" as const,
    inputs: {
      garment_image: garment,
      model_image: await dataUrl(photo.bytes, { maxSide: INPUT_MAX_SIDE }),
      category: request.category,
      garment_photo_type: "auto" as const,
      mode: "balanced" as const,
      output_format: "png" as const,
    },
  };
}

function credits(header: string | null): number | null {
  if (header === null || header.trim() === "") return null;
  const value = Number(header);
  return Number.isFinite(value) && value >= 0 ? value : null;
}

const PREDICTION_STARTED = "FASHN prediction started";

/** The prediction an interrupted run of this stage started, if it got that far. */
function startedPrediction(notes: StageNote[]): { id: string; credits: number | null } | null {
  const started = notes.filter((note) => note.message === PREDICTION_STARTED && typeof note.extra.prediction_id === "string").pop();
  if (!started) return null;
  return { id: started.extra.prediction_id as string, credits: typeof started.extra.credits === "number" ? started.extra.credits : null };
}

async function predict(request: RenderRequest, ctx: RenderContext): Promise<RenderOutput> {
  const config = env();
  const api = fashn();
  const params = await inputs(request);

  let predictionId: string;
  let runCredits: number | null;
  const earlier = startedPrediction(await ctx.interruptedNotes());
  if (earlier) {
    // The worker died (or lost its lease) while FASHN was rendering: poll that render
    // instead of starting, and paying for, another.
    predictionId = earlier.id;
    runCredits = earlier.credits;
    await ctx.note("Resuming the FASHN prediction of an interrupted run", { prediction_id: predictionId });
  } else {
    try {
      const { data, response } = await api.predictions.run(params, { signal: ctx.signal }).withResponse();
      if (!data.id) throw new StageError("fashn_bad_request", `FASHN did not start the render (${data.error ?? "no prediction id"}).`, false, { response: data });
      predictionId = data.id;
      runCredits = credits(response.headers.get(CREDITS_HEADER));
      await ctx.note(PREDICTION_STARTED, { prediction_id: predictionId, credits: runCredits, model_name: params.model_name, response: data });
    } catch (error) {
      rethrowIfAborted(ctx, error);
      throw apiError(error, "run") ?? error;
    }
  }

  let last: string | null = null;
  for (;;) {
    if (await ctx.cancelRequested()) throw cancelled(predictionId);
    let status: Awaited<ReturnType<typeof api.predictions.status>>;
    let header: string | null;
    try {
      // A status poll may be retried in place: restarting would start (and bill) a new render.
      const { data, response } = await api.predictions.status(predictionId, { signal: ctx.signal, maxRetries: 3 }).withResponse();
      status = data;
      header = response.headers.get(CREDITS_HEADER);
    } catch (error) {
      rethrowIfAborted(ctx, error);
      throw apiError(error, "status", predictionId) ?? error;
    }
    if (status.status !== last) {
      last = status.status;
      await ctx.note(`FASHN status: ${status.status}`, { prediction_id: predictionId, response: status });
      const line = STATUS_LINES[status.status];
      if (line) await ctx.progress(line, { provider: "fashn" });
    }
    if (status.status === "completed") {
      const output = status.output?.[0];
      if (!output) throw new StageError("fashn_failed", "FASHN finished without an image. Run the job again.", true, { prediction_id: predictionId, response: status });
      const used = credits(header) ?? runCredits;
      const creditsUsed = used ?? 1;
      if (used === null) await ctx.note("FASHN sent no credits header; counted 1 credit", { prediction_id: predictionId });
      const body = await download(output, ctx, predictionId);
      const format = sniffImageFormat(body);
      if (!format) throw new StageError("fashn_download_failed", "FASHN's image is not a PNG, JPEG or WebP. Run the job again.", true, { prediction_id: predictionId });
      const meta = await sharp(body).metadata();
      const units = Math.round(creditsUsed * config.FASHN_UNITS_PER_CREDIT);
      await ctx.note("FASHN output stored", { prediction_id: predictionId, credits_used: creditsUsed, units, bytes: body.length });
      return {
        body,
        contentType: CONTENT_TYPES[format],
        width: meta.width ?? 0,
        height: meta.height ?? 0,
        message: `Rendered by FASHN (${params.model_name}) at ${meta.width}×${meta.height}, ${creditsUsed} credit${creditsUsed === 1 ? "" : "s"}`,
        meta: {
          renderer: "fashn",
          provider: "fashn",
          fashn_model: params.model_name,
          model: request.model.id,
          width: meta.width,
          height: meta.height,
          credits_used: creditsUsed,
        },
        extraUnits: units,
      };
    }
    if (!(status.status in STATUS_LINES)) throw runtimeError(status.status, status.error, predictionId);
    await sleep(config.FASHN_POLL_INTERVAL_MS, undefined, { signal: ctx.signal });
  }
}

export const fashnProvider: RenderProvider = {
  name: "fashn",
  unavailableReason: () => (env().FASHN_API_KEY ? null : "FASHN is not configured on this server (FASHN_API_KEY is not set)"),
  async render(request, ctx) {
    const reason = this.unavailableReason();
    if (reason) throw new StageError("provider_unavailable", `${reason}. Render the job with options.provider "local".`, false);
    // Keep in-flight calls under the account's concurrency limit; a queued job waits here.
    let release = slots.tryAcquire();
    if (!release) {
      await ctx.progress("Waiting for a free FASHN slot", { provider: "fashn" });
      const waiting = new AbortController();
      const signal = AbortSignal.any([ctx.signal, waiting.signal]);
      const watcher = (async () => {
        while (!signal.aborted) {
          await sleep(500, undefined, { signal }).catch(() => undefined);
          if (!signal.aborted && (await ctx.cancelRequested())) waiting.abort(new StageError("cancelled", "The job was cancelled while waiting for FASHN.", false));
        }
      })();
      try {
        release = await slots.acquire(signal);
      } catch (error) {
        rethrowIfAborted(ctx, error);
        throw waiting.signal.reason ?? error;
      } finally {
        waiting.abort();
        await watcher;
      }
    }
    try {
      return await predict(request, ctx);
    } finally {
      release();
    }
  },
};
