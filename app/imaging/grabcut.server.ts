/**
 * Region-level refinement of a product mask with OpenCV's GrabCut: colour models of product
 * and backdrop (Gaussian mixtures) plus an edge-aware smoothness term, solved by min-cut.
 * It settles what per-pixel tests cannot: a product part within the backdrop's noise of its
 * colour (a white product's rim on a pale backdrop) that is still closer to the product's
 * own colours, or a strip of backdrop the mask took whose colour the product does not have.
 */
import { loadOpenCv } from "./opencv.server";

/** Trimap labels, OpenCV's GC_BGD, GC_FGD, GC_PR_BGD, GC_PR_FGD. */
export const TRIMAP = { backdrop: 0, product: 1, maybeBackdrop: 2, maybeProduct: 3 } as const;

/**
 * Runs GrabCut on an 8-bit RGB image with a trimap (TRIMAP labels) and returns 1 where the
 * result is product. Only the bounding box of the undecided labels is processed; sure labels
 * outside it are returned as they are.
 */
export async function grabCutMask(rgb: Buffer, w: number, h: number, trimap: Uint8Array, iterations: number): Promise<Uint8Array> {
  const out = new Uint8Array(w * h);
  let x0 = w;
  let y0 = h;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const t = trimap[y * w + x]!;
      if (t === TRIMAP.product) out[y * w + x] = 1;
      if (t === TRIMAP.maybeBackdrop || t === TRIMAP.maybeProduct) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
  if (x1 < 0) return out;
  // one pixel of context around the undecided box, so both colour models have samples
  x0 = Math.max(0, x0 - 1);
  y0 = Math.max(0, y0 - 1);
  x1 = Math.min(w - 1, x1 + 1);
  y1 = Math.min(h - 1, y1 + 1);
  const bw = x1 - x0 + 1;
  const bh = y1 - y0 + 1;
  const { cv } = await loadOpenCv();
  const img = new cv.Mat(bh, bw, cv.CV_8UC3);
  const mask = new cv.Mat(bh, bw, cv.CV_8UC1);
  const bgModel = new cv.Mat();
  const fgModel = new cv.Mat();
  try {
    const pix = img.data;
    const lab = mask.data;
    let hasBackdrop = false;
    let hasProduct = false;
    for (let y = 0; y < bh; y++) {
      const src = (y + y0) * w + x0;
      pix.set(rgb.subarray(3 * src, 3 * (src + bw)), 3 * y * bw);
      for (let x = 0; x < bw; x++) {
        const t = trimap[src + x]!;
        lab[y * bw + x] = t;
        if (t === TRIMAP.backdrop || t === TRIMAP.maybeBackdrop) hasBackdrop = true;
        else hasProduct = true;
      }
    }
    // GrabCut needs samples of both sides to fit its colour models
    if (!hasBackdrop || !hasProduct) {
      for (let y = y0; y <= y1; y++) for (let x = x0; x <= x1; x++) out[y * w + x] = trimap[y * w + x]! & 1;
      return out;
    }
    // GrabCut seeds its colour models with k-means from OpenCV's global random generator:
    // reseed so that a photo's cut does not depend on what the process cut before
    cv.setRNGSeed(1);
    cv.grabCut(img, mask, new cv.Rect(0, 0, 1, 1), bgModel, fgModel, iterations, cv.GC_INIT_WITH_MASK);
    const result = mask.data; // the heap may have grown: take a fresh view
    for (let y = 0; y < bh; y++)
      for (let x = 0; x < bw; x++) {
        const t = result[y * bw + x]!;
        out[(y + y0) * w + x + x0] = t === TRIMAP.product || t === TRIMAP.maybeProduct ? 1 : 0;
      }
    return out;
  } finally {
    img.delete();
    mask.delete();
    bgModel.delete();
    fgModel.delete();
  }
}
