/**
 * Store-ready finals from the composite: progressive mozjpeg JPEG and WebP, sRGB with an
 * embedded sRGB ICC profile, all other metadata stripped.
 */
import sharp from "sharp";
import { UnsupportedImageError } from "./errors.server";
import type { ExportedImage } from "./types.server";

export const JPEG_QUALITY = 88;
export const WEBP_QUALITY = 86;

export async function exportFinals(compositePng: Buffer): Promise<ExportedImage[]> {
  try {
    await sharp(compositePng).metadata();
  } catch {
    throw new UnsupportedImageError("The composite is not a readable image.");
  }
  const base = () =>
    sharp(compositePng)
      .flatten({ background: "#ffffff" }) // finals are opaque
      .toColourspace("srgb")
      .withIccProfile("srgb");
  const [jpeg, webp] = await Promise.all([
    base()
      .jpeg({ quality: JPEG_QUALITY, mozjpeg: true, progressive: true, chromaSubsampling: "4:2:0" })
      .toBuffer({ resolveWithObject: true }),
    base().webp({ quality: WEBP_QUALITY, effort: 4, smartSubsample: true }).toBuffer({ resolveWithObject: true }),
  ]);
  return [
    { format: "jpeg", contentType: "image/jpeg", body: jpeg.data, width: jpeg.info.width, height: jpeg.info.height, bytes: jpeg.data.length },
    { format: "webp", contentType: "image/webp", body: webp.data, width: webp.info.width, height: webp.info.height, bytes: webp.data.length },
  ];
}
