// Small helpers on 0/1 masks that several stages share: 4-neighbours, inversion, a 3x3 erosion,
// the frame's border, what a mask encloses, the silhouette against flooded backdrop, and keeping
// a mask's significant components (specks dropped). In one place so the stage modules need not
// import each other for them.
import { components, flood } from "../morphology.server";
import { T_DIST } from "./level.server";

/** Calls `look` with each 4-neighbour of pixel i that lies inside the w-wide level of n pixels. */
export function forEachNeighbour4(i: number, w: number, n: number, look: (j: number) => void): void {
  const x = i % w;
  if (x > 0) look(i - 1);
  if (x < w - 1) look(i + 1);
  if (i >= w) look(i - w);
  if (i < n - w) look(i + w);
}

export function invert(m: Uint8Array): Uint8Array {
  const out = new Uint8Array(m.length);
  for (let i = 0; i < m.length; i++) out[i] = m[i] ? 0 : 1;
  return out;
}

/** Erosion by the 3x3 square (a disc of radius 1.5); pixels outside the frame count as set. */
export function erode3x3(mask: Uint8Array, w: number, h: number): Uint8Array {
  const out = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    const up = y > 0 ? (y - 1) * w : y * w;
    const dn = y < h - 1 ? (y + 1) * w : y * w;
    const row = y * w;
    for (let x = 0; x < w; x++) {
      if (!mask[row + x]) continue;
      const l = x > 0 ? x - 1 : x;
      const r = x < w - 1 ? x + 1 : x;
      out[row + x] =
        mask[up + l]! & mask[up + x]! & mask[up + r]! & mask[row + l]! & mask[row + r]! & mask[dn + l]! & mask[dn + x]! & mask[dn + r]!;
    }
  }
  return out;
}

export function frameBorder(w: number, h: number): Uint8Array {
  const s = new Uint8Array(w * h);
  for (let x = 0; x < w; x++) {
    s[x] = 1;
    s[(h - 1) * w + x] = 1;
  }
  for (let y = 0; y < h; y++) {
    s[y * w] = 1;
    s[y * w + w - 1] = 1;
  }
  return s;
}

export interface KeptComponents {
  mask: Uint8Array;
  area: number;
  box: [number, number, number, number] | null;
}

/**
 * Keeps the main subject and significant parts; drops specks and faint blobs. `prior` (is a
 * pixel on the coarse pass's product?) is a late resort: when nothing here is significant,
 * the areas that lie mostly on it are kept. `offBackdrop`, where given, is the last.
 */
export function keepSignificant(
  fg: Uint8Array,
  D: Float32Array,
  w: number,
  h: number,
  minAbsArea: number,
  prior?: (i: number) => boolean,
  /** whether component `l` of `cc`, averaged over it, is off the open backdrop's colour */
  offBackdrop?: (l: number, cc: ReturnType<typeof components>) => boolean,
): KeptComponents {
  const cc = components(fg, w, h, true);
  // strong pixels: clearly unlike the backdrop. Mean distances would be diluted by enclosed
  // background (between a stool's legs) that is only resolved later.
  const strong = new Float64Array(cc.count + 1);
  const distinct = new Float64Array(cc.count + 1);
  // (backdrop-coloured pixels, such as the middle of a faint ring, which the flood could not
  // reach, are left out of the share of strong ones: a white ring on a pale tint, a little
  // under 2 T_DIST on most of it, is strong on a twelfth of itself but a twenty-fifth of the
  // disc it encloses)
  const clean = new Float64Array(cc.count + 1);
  const n = w * h;
  for (let i = 0; i < n; i++) {
    const l = cc.labels[i]!;
    if (!l) continue;
    if (D[i]! >= 2 * T_DIST) strong[l]++;
    if (D[i]! >= 1.5 * T_DIST) distinct[l]++;
    if (D[i]! <= T_DIST) clean[l]++;
  }
  // area of the largest component that passes `test` (0 if none does)
  const largest = (test: (l: number) => boolean) => {
    let max = 0;
    for (let l = 1; l <= cc.count; l++) if (test(l) && cc.area[l]! > max) max = cc.area[l]!;
    return max;
  };
  let significant = (l: number) =>
    cc.area[l]! >= minAbsArea && strong[l]! >= Math.max(3, 0.3 * minAbsArea) && strong[l]! >= 0.05 * (cc.area[l]! - clean[l]!);
  let maxArea = largest(significant);
  if (maxArea === 0) {
    // a faint product (white on a pale tint, a little lighter and of another hue) has no
    // strongly different pixels; it is still a sizeable area that is consistently unlike the
    // backdrop, which a misfit of the backdrop's shading is not
    significant = (l: number) => cc.area[l]! >= Math.max(minAbsArea, 0.002 * n) && distinct[l]! >= 0.5 * cc.area[l]!;
    maxArea = largest(significant);
  }
  if (maxArea === 0 && prior) {
    // the fine level's noise is higher than the coarse level's: a faint product that the coarse
    // pass found (light grey on a pale tint) can fall under both tests here
    const onPrior = new Float64Array(cc.count + 1);
    for (let i = 0; i < n; i++) if (cc.labels[i] && prior(i)) onPrior[cc.labels[i]!]++;
    significant = (l: number) => cc.area[l]! >= minAbsArea && onPrior[l]! >= 0.5 * cc.area[l]!;
    maxArea = largest(significant);
  }
  if (maxArea === 0 && offBackdrop) {
    // ... or pixel by pixel mostly within the noise, where the fine level's noise is high (a
    // white bottle on a pale pink tint, 69% of it within the threshold) and the coarse pass
    // kept a part of it only: averaged over the area, its colour is still off the backdrop's
    significant = (l: number) => cc.area[l]! >= Math.max(minAbsArea, 0.002 * n) && offBackdrop(l, cc);
    maxArea = largest(significant);
  }
  const keep = new Uint8Array(cc.count + 1);
  const minArea = Math.max(minAbsArea, 0.01 * maxArea);
  for (let l = 1; l <= cc.count; l++) if (cc.area[l]! >= minArea && significant(l)) keep[l] = 1;
  return keptOf(cc, keep);
}

/** The components flagged in `keep` (per label) as one mask, with its area and bounding box. */
export function keptOf(cc: ReturnType<typeof components>, keep: Uint8Array): KeptComponents {
  const n = cc.labels.length;
  let box: KeptComponents["box"] = null;
  for (let l = 1; l <= cc.count; l++) {
    if (!keep[l]) continue;
    const b = cc.box[l]!;
    box = box ? [Math.min(box[0], b[0]), Math.min(box[1], b[1]), Math.max(box[2], b[2]), Math.max(box[3], b[3])] : [b[0], b[1], b[2], b[3]];
  }
  const mask = new Uint8Array(n);
  let area = 0;
  for (let i = 0; i < n; i++)
    if (keep[cc.labels[i]!]) {
      mask[i] = 1;
      area++;
    }
  return { mask, area, box };
}

/** Calls `visit` with each fg pixel 4-adjacent to flooded background, the frame's edge left out. */
export function forEachSilhouettePixel(fg: Uint8Array, bg: Uint8Array, w: number, h: number, visit: (i: number) => void): void {
  for (let y = 1; y < h - 1; y++)
    for (let x = 1; x < w - 1; x++) {
      const i = y * w + x;
      if (fg[i] && (bg[i - 1] || bg[i + 1] || bg[i - w] || bg[i + w])) visit(i);
    }
}

/** Mean gradient magnitude on the outer silhouette (fg pixels 4-adjacent to flooded background). */
export function silhouetteEdgeStrength(fg: Uint8Array, bg: Uint8Array, G: Float32Array, w: number, h: number): number {
  let sum = 0;
  let cnt = 0;
  forEachSilhouettePixel(fg, bg, w, h, (i) => {
    sum += G[i]!;
    cnt++;
  });
  return cnt ? sum / cnt : 0;
}

/** Pixels outside `mask` that the frame border cannot reach without crossing it. */
export function enclosedIn(mask: Uint8Array, w: number, h: number, border = frameBorder(w, h)): Uint8Array {
  const outside = invert(mask);
  const open = flood(border, outside, w, h);
  for (let i = 0; i < w * h; i++) outside[i] = outside[i]! & (open[i] ? 0 : 1);
  return outside;
}
