// On-model rendering without a provider: a garment cutout on one of Studio's drawn dress
// forms, or on a merchant's own model photo (see render.server.ts for the method).
import sharp from "sharp";
import { segmentProduct } from "../segment.server";
import type { RasterImage } from "../types.server";
import { mannequin, MANNEQUIN_HEIGHT, MANNEQUIN_WIDTH, type MannequinSlug } from "./mannequin.server";
import { placedExtent, planPlacement, renderOnModel, type OnModelResult } from "./render.server";
import { scaleAnchors, type Anchors, type GarmentCategory } from "./types";

export { mannequin, mannequinAnchors, MANNEQUIN_SLUGS, MANNEQUIN_WIDTH, MANNEQUIN_HEIGHT, type MannequinSlug } from "./mannequin.server";
export { renderOnModel, planPlacement, placedExtent, type OnModelResult, type ModelRaster } from "./render.server";
export { garmentFrame, NoGarmentError, type GarmentFrame } from "./garment-frame.server";
export * from "./types";

/** Working size of a model photo: longer side at most this (anchors are scaled with it). */
const PHOTO_MAX_SIDE = 2048;

/**
 * On a built-in dress form. A garment that would leave the frame (a long dress) gets the form
 * drawn smaller, with a longer stand, so it stays whole.
 */
export async function renderOnMannequin(garment: RasterImage, slug: MannequinSlug, category: GarmentCategory = "auto"): Promise<OnModelResult & { zoom: number }> {
  const base = await mannequin(slug, 1);
  const extent = placedExtent(planPlacement(garment, base.anchors, category));
  const top = 150;
  const fits = [
    1,
    (MANNEQUIN_HEIGHT * 0.95 - top) / Math.max(1, extent.bottom - top),
    (MANNEQUIN_WIDTH * 0.47) / Math.max(1, MANNEQUIN_WIDTH / 2 - extent.left),
    (MANNEQUIN_WIDTH * 0.47) / Math.max(1, extent.right - MANNEQUIN_WIDTH / 2),
  ];
  const form = await mannequin(slug, Math.min(...fits));
  const { data } = await sharp(form.png).raw().toBuffer({ resolveWithObject: true });
  const result = await renderOnModel(
    garment,
    {
      image: { data, width: form.width, height: form.height, channels: 3 },
      anchors: form.anchors,
      bodyMask: form.bodyMask,
      neckMask: form.neckMask,
      neckBase: form.neckBase,
      surface: "form",
    },
    category,
  );
  return { ...result, zoom: form.zoom };
}

/** On a merchant's model photo (oriented sRGB bytes of any supported format). */
export async function renderOnPhoto(garment: RasterImage, photo: Buffer, anchors: Anchors, category: GarmentCategory = "auto"): Promise<OnModelResult> {
  const meta = await sharp(photo).rotate().metadata();
  const width = meta.autoOrient?.width ?? meta.width ?? 0;
  const height = meta.autoOrient?.height ?? meta.height ?? 0;
  const factor = Math.min(1, PHOTO_MAX_SIDE / Math.max(width, height));
  const { data, info } = await sharp(photo)
    .rotate()
    .resize(Math.round(width * factor), Math.round(height * factor), { fit: "fill" })
    .toColourspace("srgb")
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const image: RasterImage = { data, width: info.width, height: info.height, channels: 3 };
  // The person's outline: their shading lights the garment, their body takes its shadow.
  let bodyMask: Uint8Array | null = null;
  try {
    bodyMask = (await segmentProduct(image)).alpha;
  } catch {
    bodyMask = null;
  }
  return renderOnModel(garment, { image, anchors: scaleAnchors(anchors, info.width / width), bodyMask, surface: "photo" }, category);
}
