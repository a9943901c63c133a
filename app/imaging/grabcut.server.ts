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

/** largest box, in pixels, cut at full scale */
const MAX_CUT_PIXELS = 160_000;

/**
 * Runs GrabCut on an 8-bit RGB image with a trimap (TRIMAP labels) and returns 1 where the
 * result is product. Only the bounding box of the undecided labels is processed; sure labels
 * are returned as they are.
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
  // A big box is cut at a coarser scale (block means of the image, the trimap at block
  // centres): the cut's cost grows with the box, and its decisions are about regions.
  const f = Math.max(1, Math.ceil(Math.sqrt((bw * bh) / MAX_CUT_PIXELS)));
  const cw = Math.ceil(bw / f);
  const ch = Math.ceil(bh / f);
  const { cv } = await loadOpenCv();
  const img = new cv.Mat(ch, cw, cv.CV_8UC3);
  const mask = new cv.Mat(ch, cw, cv.CV_8UC1);
  const bgModel = new cv.Mat();
  const fgModel = new cv.Mat();
  try {
    const pix = img.data;
    const lab = mask.data;
    let hasBackdrop = false;
    let hasProduct = false;
    for (let cy = 0; cy < ch; cy++)
      for (let cx = 0; cx < cw; cx++) {
        const bx0 = x0 + cx * f;
        const by0 = y0 + cy * f;
        const bx1 = Math.min(x1, bx0 + f - 1);
        const by1 = Math.min(y1, by0 + f - 1);
        let r = 0;
        let g = 0;
        let b = 0;
        for (let y = by0; y <= by1; y++)
          for (let x = bx0; x <= bx1; x++) {
            const q = 3 * (y * w + x);
            r += rgb[q]!;
            g += rgb[q + 1]!;
            b += rgb[q + 2]!;
          }
        const count = (bx1 - bx0 + 1) * (by1 - by0 + 1);
        const o = cy * cw + cx;
        pix[3 * o] = Math.round(r / count);
        pix[3 * o + 1] = Math.round(g / count);
        pix[3 * o + 2] = Math.round(b / count);
        const t = trimap[((by0 + by1) >> 1) * w + ((bx0 + bx1) >> 1)]!;
        lab[o] = t;
        if (t === TRIMAP.backdrop || t === TRIMAP.maybeBackdrop) hasBackdrop = true;
        else hasProduct = true;
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
    for (let y = y0; y <= y1; y++)
      for (let x = x0; x <= x1; x++) {
        const i = y * w + x;
        const sure = trimap[i]!;
        if (sure === TRIMAP.product || sure === TRIMAP.backdrop) {
          out[i] = sure;
          continue;
        }
        const t = result[(((y - y0) / f) | 0) * cw + (((x - x0) / f) | 0)]!;
        out[i] = t === TRIMAP.product || t === TRIMAP.maybeProduct ? 1 : 0;
      }
    return out;
  } finally {
    img.delete();
    mask.delete();
    bgModel.delete();
    fgModel.delete();
  }
}
