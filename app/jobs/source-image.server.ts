// What a source image must be (contract: PNG/JPEG/WebP by content, ≤ 20 MB, ≤ 40 MP).
// Checked before anything is stored, so a refused upload leaves no trace.
import sharp from "sharp";
import { ApiError, payloadTooLarge, unsupportedMediaType } from "~/api/errors.server";

export const MAX_SOURCE_BYTES = 20 * 1024 * 1024;
export const MAX_SOURCE_PIXELS = 40_000_000;

export type SourceFormat = "png" | "jpeg" | "webp";
export const CONTENT_TYPES: Record<SourceFormat, string> = {
  png: "image/png",
  jpeg: "image/jpeg",
  webp: "image/webp",
};

/** Sniffs the magic bytes: the file name and declared type are not trusted. */
export function sniffImageFormat(bytes: Uint8Array): SourceFormat | null {
  if (bytes.length >= 8 && Buffer.from(bytes.subarray(0, 8)).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return "png";
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return "jpeg";
  if (
    bytes.length >= 12 &&
    Buffer.from(bytes.subarray(0, 4)).toString("latin1") === "RIFF" &&
    Buffer.from(bytes.subarray(8, 12)).toString("latin1") === "WEBP"
  )
    return "webp";
  return null;
}

export interface SourceImageInfo {
  format: SourceFormat;
  contentType: string;
  width: number;
  height: number;
  bytes: number;
}

/** Throws 413/415/422 ApiErrors; `loc` names the input for the 422 body. */
export async function inspectSourceImage(bytes: Buffer, loc: (string | number)[]): Promise<SourceImageInfo> {
  if (bytes.length > MAX_SOURCE_BYTES) throw payloadTooLarge("Image is larger than 20 MB");
  const format = sniffImageFormat(bytes);
  if (!format) throw unsupportedMediaType("Unsupported image type: upload a PNG, JPEG or WebP image");
  let width: number | undefined;
  let height: number | undefined;
  try {
    // Header-only read: cheap even for a 40 MP image, and never decodes a pixel bomb.
    const meta = await sharp(bytes, { limitInputPixels: false }).metadata();
    width = meta.width;
    height = meta.height;
    if (meta.autoOrient) ({ width, height } = meta.autoOrient);
  } catch {
    width = undefined;
  }
  if (!width || !height) {
    throw new ApiError(422, [
      { loc, msg: `The ${format.toUpperCase()} image could not be read: the file is damaged or incomplete`, type: "value_error" },
    ]);
  }
  if (width * height > MAX_SOURCE_PIXELS) {
    throw payloadTooLarge(`Image is ${width}×${height} (${((width * height) / 1e6).toFixed(1)} MP); the limit is 40 megapixels`);
  }
  return { format, contentType: CONTENT_TYPES[format], width, height, bytes: bytes.length };
}
