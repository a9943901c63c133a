// Small previews for lists: the jobs page shows 25 thumbnails at once, and a 2048 px final
// weighs a few hundred KB where a 160 px WebP weighs a few.
import sharp from "sharp";

/** Longest side of a preview, in pixels (a 40-80 px thumbnail at 2x density). */
export const PREVIEW_SIDE = 160;

/** A small WebP of an image, or null when the bytes are not an image sharp can read. */
export async function makePreview(image: Buffer): Promise<Buffer | null> {
  try {
    return await sharp(image)
      .resize({ width: PREVIEW_SIDE, height: PREVIEW_SIDE, fit: "inside", withoutEnlargement: true })
      .webp({ quality: 75 })
      .toBuffer();
  } catch {
    return null;
  }
}
