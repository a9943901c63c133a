// What a source image must be (contract: PNG/JPEG/WebP by content, ≤ 20 MB, ≤ 40 MP).
// Checked before anything is stored, so a refused upload leaves no trace.
import sharp from "sharp";
import { ApiError, payloadTooLarge, unsupportedMediaType } from "~/api/errors.server";

export const MAX_SOURCE_BYTES = 20 * 1024 * 1024;
/** MAX_SOURCE_BYTES as the error messages name it */
export const MAX_SOURCE_SIZE = "20 MB";
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

const PNG_IEND = Buffer.from([0, 0, 0, 0, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82]);

/**
 * Whether the file runs to its format's end marker, which a cut-off upload lacks (its header
 * still reads fine, so only decoding would tell, in the job): PNG's IEND chunk, the JPEG
 * image's own EOI, WebP's RIFF length.
 */
export function isComplete(format: SourceFormat, bytes: Buffer): boolean {
  switch (format) {
    case "png":
      return bytes.includes(PNG_IEND, 8);
    case "jpeg":
      return jpegReachesEoi(bytes);
    case "webp":
      return bytes.length >= 8 && bytes.readUInt32LE(4) + 8 <= bytes.length;
  }
}

/**
 * Walks the JPEG's segments to the EOI that ends the image: a thumbnail's EOI sits inside an
 * APP segment, and data after the image (a phone's motion-photo video) is never looked at.
 */
function jpegReachesEoi(bytes: Buffer): boolean {
  let pos = 2;
  while (pos + 1 < bytes.length) {
    if (bytes[pos] !== 0xff) return false;
    const marker = bytes[pos + 1]!;
    if (marker === 0xff) {
      pos++; // fill byte
      continue;
    }
    if (marker === 0xd9) return true;
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      pos += 2;
      continue;
    }
    if (pos + 3 >= bytes.length) return false;
    pos += 2 + bytes.readUInt16BE(pos + 2);
    if (marker !== 0xda) continue;
    // entropy-coded data runs to the next marker other than a stuffed 0xFF00 or a restart
    while (pos + 1 < bytes.length && !(bytes[pos] === 0xff && bytes[pos + 1] !== 0 && !(bytes[pos + 1]! >= 0xd0 && bytes[pos + 1]! <= 0xd7))) pos++;
  }
  return false;
}

/** Throws 413/415/422 ApiErrors; `loc` names the input for the 422 body. */
export async function inspectSourceImage(bytes: Buffer, loc: (string | number)[]): Promise<SourceImageInfo> {
  if (bytes.length > MAX_SOURCE_BYTES) throw payloadTooLarge(`Image is larger than ${MAX_SOURCE_SIZE}`);
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
  if (!width || !height || !isComplete(format, bytes)) {
    throw new ApiError(422, [
      { loc, msg: `The ${format.toUpperCase()} image could not be read: the file is damaged or incomplete`, type: "value_error" },
    ]);
  }
  if (width * height > MAX_SOURCE_PIXELS) {
    throw payloadTooLarge(`Image is ${width}×${height} (${((width * height) / 1e6).toFixed(1)} MP); the limit is 40 megapixels`);
  }
  return { format, contentType: CONTENT_TYPES[format], width, height, bytes: bytes.length };
}
