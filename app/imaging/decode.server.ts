/**
 * Source normalisation: decode, EXIF auto-orient, convert to 8-bit sRGB, keep alpha.
 */
import sharp from "sharp";
import { UnsupportedImageError } from "./errors.server";
import type { NormalizedSource, RasterImage, SourceFormat } from "./types.server";

const SUPPORTED: Record<string, SourceFormat> = { jpeg: "jpeg", jpg: "jpeg", png: "png", webp: "webp" };

/** Upper bound on decoded pixels (sharp's default limit is 268 Mpx; 100 Mpx is plenty for product photos). */
export const MAX_SOURCE_PIXELS = 100_000_000;

/**
 * Decodes a JPEG / PNG / WebP upload: applies the EXIF orientation, converts any colour space
 * (CMYK, greyscale, 16-bit, embedded ICC profiles) to 8-bit sRGB, keeps an alpha channel if the
 * source has one. Returns the raw pixels plus a lossless sRGB PNG of the oriented image.
 */
export async function normalizeSource(input: Buffer): Promise<NormalizedSource> {
  if (!Buffer.isBuffer(input) || input.length === 0) throw new UnsupportedImageError("The file is empty.");
  let meta: sharp.Metadata;
  try {
    meta = await sharp(input, { limitInputPixels: MAX_SOURCE_PIXELS }).metadata();
  } catch {
    throw new UnsupportedImageError("The file is not an image we can read (use JPEG, PNG or WebP).");
  }
  const format = meta.format ? SUPPORTED[meta.format] : undefined;
  if (!format) {
    throw new UnsupportedImageError(
      `Unsupported image format${meta.format ? ` "${meta.format}"` : ""}: use JPEG, PNG or WebP.`,
    );
  }
  const hasAlpha = meta.hasAlpha === true;
  let data: Buffer;
  let info: sharp.OutputInfo;
  try {
    // .rotate() with no argument applies (and strips) the EXIF orientation.
    // toColourspace("srgb") converts CMYK / greyscale / 16-bit to 8-bit sRGB, honouring an
    // embedded ICC profile; ensureAlpha/removeAlpha pin the channel count to 3 or 4.
    let pipe = sharp(input, { limitInputPixels: MAX_SOURCE_PIXELS, failOn: "error" }).rotate().toColourspace("srgb");
    pipe = hasAlpha ? pipe.ensureAlpha() : pipe.removeAlpha();
    ({ data, info } = await pipe.raw({ depth: "uchar" }).toBuffer({ resolveWithObject: true }));
  } catch (error) {
    throw new UnsupportedImageError(
      `The image could not be decoded (${error instanceof Error ? error.message : String(error)}).`,
    );
  }
  const channels = info.channels;
  if (channels !== 3 && channels !== 4) throw new UnsupportedImageError(`Unexpected channel count ${channels}.`);
  const image: RasterImage = { data, width: info.width, height: info.height, channels };
  const png = await sharp(data, { raw: { width: info.width, height: info.height, channels } })
    .png({ compressionLevel: 6, adaptiveFiltering: false })
    .toBuffer();
  return { image, width: info.width, height: info.height, format, png };
}
