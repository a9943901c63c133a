// What the threads of the imaging pool run (see imaging-pool.server.ts), one named export per
// task. Loaded by path, with tsx, outside the app's bundle: it imports only the imaging core.
import type { RasterImage } from "./types.server";
import { segmentProduct } from "./segment.server";
import { renderOnMannequin, renderOnPhoto } from "./on-model/index.server";
import type { MannequinSlug } from "./on-model/mannequin.server";
import type { Anchors, GarmentCategory } from "./on-model/types";

/** A RasterImage as it crosses threads (a Buffer arrives as a plain Uint8Array). */
export interface RasterTransfer {
  data: Uint8Array;
  width: number;
  height: number;
  channels: 3 | 4;
}

/** The result, or the error by name and message: an Error crossing threads keeps only standard names. */
export type Reply<T> = { ok: true; value: T } | { ok: false; name: string; message: string };

export function asBuffer(data: Uint8Array): Buffer {
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

function raster(image: RasterTransfer): RasterImage {
  return { ...image, data: asBuffer(image.data) };
}

async function reply<T>(work: () => Promise<T>): Promise<Reply<T>> {
  try {
    return { ok: true, value: await work() };
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    return { ok: false, name: e.name, message: e.message };
  }
}

export const segment = ({ image }: { image: RasterTransfer }) => reply(() => segmentProduct(raster(image)));

export const mannequinRender = ({ garment, slug, category }: { garment: RasterTransfer; slug: MannequinSlug; category: GarmentCategory }) =>
  reply(() => renderOnMannequin(raster(garment), slug, category));

export const photoRender = ({ garment, photo, anchors, category }: { garment: RasterTransfer; photo: Uint8Array; anchors: Anchors; category: GarmentCategory }) =>
  reply(() => renderOnPhoto(raster(garment), asBuffer(photo), anchors, category));
