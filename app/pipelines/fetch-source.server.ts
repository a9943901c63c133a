// fetch_source: get the source bytes (stored upload, or an allowlisted Shopify CDN URL),
// then decode, auto-orient and convert to sRGB. Shared by every kind of job.
import sharp from "sharp";
import { normalizeSource, UnsupportedImageError, type RasterImage } from "~/imaging/index.server";
import { inspectSourceImage, MAX_SOURCE_BYTES, MAX_SOURCE_SIZE } from "~/jobs/source-image.server";
import { ApiError } from "~/api/errors.server";
import { isAllowedSourceUrl } from "~/jobs/source-url";
import { StageError } from "./stage-error";
import type { StageContext, StageDefinition } from "./pipeline";

const DOWNLOAD_TIMEOUT_MS = 30_000;

async function download(url: string, signal: AbortSignal): Promise<Buffer> {
  if (!isAllowedSourceUrl(url)) throw new StageError("source_not_allowed", "Source URL is not on cdn.shopify.com", false);
  let response: Response;
  try {
    // Redirects are refused: they could lead off the allowlisted host.
    response = await fetch(url, { redirect: "manual", signal: AbortSignal.any([signal, AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS)]) });
  } catch (error) {
    throw new StageError("source_unreachable", "Could not download the source image", true, { error: String(error) });
  }
  if (response.status >= 500 || response.status === 429) {
    throw new StageError("source_unreachable", `Shopify CDN answered ${response.status}`, true);
  }
  if (response.status !== 200) {
    throw new StageError("source_not_found", `The source image could not be downloaded (HTTP ${response.status})`, false);
  }
  const declared = Number(response.headers.get("content-length") ?? "0");
  if (declared > MAX_SOURCE_BYTES) throw new StageError("source_too_large", `The source image is larger than ${MAX_SOURCE_SIZE}`, false);
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    total += chunk.length;
    if (total > MAX_SOURCE_BYTES) throw new StageError("source_too_large", `The source image is larger than ${MAX_SOURCE_SIZE}`, false);
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
}

/** The oriented sRGB raster of the source: from this run's memory, else from the stored artifact. */
export async function sourceRaster(ctx: StageContext): Promise<RasterImage> {
  const cached = ctx.memo.get("source") as RasterImage | undefined;
  if (cached) return cached;
  const { data, info } = await sharp(await ctx.artifact("source")).raw().toBuffer({ resolveWithObject: true });
  const image: RasterImage = { data, width: info.width, height: info.height, channels: info.channels as 3 | 4 };
  ctx.memo.set("source", image);
  return image;
}

export const fetchSourceStage: StageDefinition = {
  name: "fetch_source",
  startMessage: "Fetching the source image",
  units: 1,
  async run(ctx) {
    const bytes = ctx.job.sourceUrl ? await download(ctx.job.sourceUrl, ctx.signal) : await ctx.source();
    try {
      await inspectSourceImage(bytes, ["body", "source_url"]);
    } catch (error) {
      if (error instanceof ApiError) throw new StageError("invalid_source", String(error.message), false);
      throw error;
    }
    let source;
    try {
      source = await normalizeSource(bytes);
    } catch (error) {
      // (damaged data past a sound header: the photo's fault, and no retry will mend it)
      if (error instanceof UnsupportedImageError) throw new StageError("invalid_source", error.message, false);
      throw error;
    }
    ctx.memo.set("source", source.image);
    return {
      message: `Source loaded: ${source.width}×${source.height} ${source.format.toUpperCase()}`,
      artifacts: [
        {
          kind: "source",
          role: "intermediate",
          label: "Source",
          meta: { width: source.width, height: source.height, format: source.format },
          body: source.png,
          contentType: "image/png",
          name: "source.png",
        },
      ],
    };
  },
};
