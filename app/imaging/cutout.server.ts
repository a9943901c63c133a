/**
 * Cutout artifact: the source pixels with the subject mask as alpha, as a lossless RGBA PNG.
 */
import sharp from "sharp";
import { ImagingArgumentError } from "./errors.server";
import type { RasterImage } from "./types.server";

/** RGBA PNG with the source's exact width and height; alpha channel = `alpha` byte for byte. */
export async function makeCutoutPng(image: RasterImage, alpha: Buffer): Promise<Buffer> {
  const n = image.width * image.height;
  if (image.data.length !== n * image.channels) throw new ImagingArgumentError("image.data size does not match width*height*channels");
  if (alpha.length !== n) throw new ImagingArgumentError(`alpha has ${alpha.length} bytes, expected ${n}`);
  const rgba = Buffer.alloc(n * 4);
  const src = image.data;
  const c = image.channels;
  for (let i = 0, p = 0, q = 0; i < n; i++, p += c, q += 4) {
    rgba[q] = src[p]!;
    rgba[q + 1] = src[p + 1]!;
    rgba[q + 2] = src[p + 2]!;
    rgba[q + 3] = alpha[i]!;
  }
  return sharp(rgba, { raw: { width: image.width, height: image.height, channels: 4 } })
    .png({ compressionLevel: 6, adaptiveFiltering: false, palette: false })
    .toBuffer();
}
