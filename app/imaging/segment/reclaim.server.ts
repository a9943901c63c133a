// Rules run after the fine pass's flood that give flooded patches back to the product (soft
// enclaves, print close to the backdrop's colour, print channels) or regrow backdrop the product
// encloses. Also the residual sampling (Residuals, residualsNear) the fine pass's hole test shares.
import { alphaBoundingBox } from "../compose.server";
import { norm } from "../color.server";
import { boxBlur, chessDistanceInside, chessDistanceTo, components, dilate, erode, flood, squaredDistanceTo } from "../morphology.server";
import { T_DIST, type Level } from "./level.server";
import { RINGING_FRACTION, quantile, type Classified } from "./classify.server";
import { forEachNeighbour4, invert, frameBorder, silhouetteEdgeStrength, enclosedIn } from "./mask-ops.server";
import { EDGE_RING, solidUnreached, ENCLOSED, rayHits } from "./flood.server";

/**
 * Background-coloured patches *inside* the product that the flood reached through the
 * silhouette, typically a specular highlight that crosses the backdrop's colour where it meets
 * the outline. A flooded pixel is enclosed if rays in 3 of the 4 directions hit the product
 * before leaving the background. Such a patch is given back to the product when its border with
 * the product is soft (a shading falloff, unlike the sharp edges around a real gap between
 * product parts; softer still if the patch is mostly shadow-coloured, or large and of another
 * colour than the product just inside the contact) and it opens onto the rest of the
 * background only through a narrow mouth, or when its colour is consistently
 * darker than the backdrop at its mouth (print or shading just inside the per-pixel threshold,
 * reached through an invisible stretch of outline) and, if large, it faces the product more
 * than the backdrop, or when it is shadow-coloured and meets the product with no edge at all,
 * neither at the contact nor a few pixels into the product, even through a mouth too wide for
 * the first rule, and has an outline wherever it opens wide onto the backdrop (a grey product
 * part that the flood took for shadow, not floor shadow beside grey legs).
 */
export function reclaimSoftEnclaves(bg: Uint8Array, cls: Classified, level: Level): void {
  const { w, h } = level;
  const n = w * h;
  let fgArea = 0;
  // (unreached pixels as clean as the open backdrop: mostly the middles of gaps the flood could
  // not enter, not yet judged as holes)
  let cleanUnreached = 0;
  for (let i = 0; i < n; i++)
    if (!bg[i]) {
      fgArea++;
      if (cls.D[i]! <= T_DIST && !cls.shadowLike[i]) cleanUnreached++;
    }
  if (fgArea === 0) return;
  const solid = solidUnreached(bg, w, h);
  const through = new Uint8Array(n);
  for (let i = 0; i < n; i++) through[i] = bg[i] || !solid[i] ? 1 : 0;
  const hits = rayHits(through, solid, w, h);
  const cand = new Uint8Array(n);
  let any = false;
  for (let i = 0; i < n; i++) {
    const m = hits[i]!;
    if (bg[i] && ENCLOSED[m]) {
      cand[i] = 1;
      any = true;
    }
  }
  if (!any) return;
  const cc = components(cand, w, h, false);
  // per patch: mean edge strength where it touches the product, and how much of its outline
  // opens onto the rest of the background (a highlight streak exits the outline through a
  // narrow mouth; the space between a key's head and teeth is wide open below)
  const outerEdge = silhouetteEdgeStrength(invert(bg), bg, cls.G, w, h);
  const sumG = new Float64Array(cc.count + 1);
  const contact = new Float64Array(cc.count + 1);
  const open = new Float64Array(cc.count + 1);
  // edge strength summed where it opens onto the rest of the background
  const openG = new Float64Array(cc.count + 1);
  // pixels unlike the background model (shadow-coloured)
  const shade = new Float64Array(cc.count + 1);
  // contact with a thin ring of product, beyond which lies the open backdrop
  const ring = new Float64Array(cc.count + 1);
  const openBg = new Uint8Array(n);
  for (let i = 0; i < n; i++) openBg[i] = bg[i] && !cand[i] ? 1 : 0;
  const toOpen = chessDistanceTo(openBg, w, h);
  // thin lines of unreached but passable pixels that join the open backdrop (floor shadow that
  // the ray rules blocked across the mouth of a gap between legs) are part of that backdrop,
  // not product the patch meets; thick ones are product (a grey part taken for shadow). Specks
  // (noise in a floor shadow) are neither: they would count as product met without an edge.
  // So are shadow-like pixels a little too steep to be passable with flooded backdrop on both
  // sides: the trough of a hard contact shadow, between the flooded shadow under a box and the
  // shadow's own blurred rim (that strip was given back as a soft enclave, and the box grew a
  // band of shadow).
  const unreachedPassable = new Uint8Array(n);
  const wallGradient = WALL_GRADIENT * cls.gradThreshold;
  for (let i = 0; i < n; i++)
    unreachedPassable[i] =
      !bg[i] && (cls.passable[i] || (cls.shadowLike[i] && cls.G[i]! < wallGradient && betweenFlooded(bg, i, w, n))) ? 1 : 0;
  const thick = dilate(erode(unreachedPassable, w, h, WALL_WIDTH), w, h, WALL_WIDTH);
  const wall = new Uint8Array(n);
  for (let i = 0; i < n; i++) wall[i] = unreachedPassable[i] && !thick[i] ? 1 : 0;
  const wallOpen = flood(dilate(openBg, w, h, 1), wall, w, h);
  // colour on each side of the contact: the patch pixel, and the product a few pixels in
  const across = new Float64Array(6 * (cc.count + 1));
  const acrossCount = new Int32Array(cc.count + 1);
  for (let i = 0; i < n; i++) {
    const l = cc.labels[i]!;
    if (!l) continue;
    let touchFg = false;
    let touchOpen = false;
    let touchRing = false;
    const look = (j: number) => {
      if (wallOpen[j] || (bg[j] && !cand[j])) touchOpen = true;
      else if (solid[j]) {
        touchFg = true;
        if (toOpen[j]! <= EDGE_RING + 1) touchRing = true;
        const k = stepInside(i, j, ACROSS_DEPTH, w, n);
        if (k >= 0 && solid[k]) {
          const o = 6 * l;
          across[o] += level.L[i]!;
          across[o + 1] += level.A[i]!;
          across[o + 2] += level.B[i]!;
          across[o + 3] += level.L[k]!;
          across[o + 4] += level.A[k]!;
          across[o + 5] += level.B[k]!;
          acrossCount[l]++;
        }
      }
    };
    forEachNeighbour4(i, w, n, look);
    if (touchFg) {
      sumG[l] += cls.G[i]!;
      contact[l]++;
      if (touchRing) ring[l]++;
    }
    if (touchOpen) {
      open[l]++;
      openG[l] += cls.G[i]!;
    }
    if (cls.D[i]! > T_DIST) shade[l]++;
  }
  const reclaim = new Uint8Array(cc.count + 1);
  let anyReclaim = false;
  const thr = Math.max(1.5 * cls.gradThreshold, 0.4 * outerEdge);
  const sampledFor = new Int32Array(n);
  for (let l = 1; l <= cc.count; l++) {
    if (contact[l]! < 4) continue;
    const area = cc.area[l]!;
    const meanG = sumG[l]! / contact[l]!;
    // a shadow-coloured patch that meets the product with no edge at all, and the backdrop
    // along less of its border than the product, is product (half a grey lens, taken for shadow
    // through its bottom edge); pockets of floor shadow beside low-contrast legs, smaller than
    // a fifth of the product, and floor shadow open wide to the backdrop are left alone, and so
    // is floor shadow as large as most of the product itself, measured without the gaps the
    // flood could not enter (the shadow between a thin grey stool's lower legs, beside the
    // unflooded space under its seat), and floor shadow that runs on into the open floor shadow
    // along a wide stretch with no outline there, which a product part has, however faint,
    // but for the narrow mouth its leak came through (the shadow between a pastel stool's lower
    // legs, as pale as the legs)
    const seamless =
      meanG < 0.5 * thr &&
      stepAcross(across, acrossCount, l, cls.sigma) <= SEAMLESS_STEP &&
      shade[l]! >= 0.5 * area &&
      open[l]! < 0.5 * contact[l]! &&
      area >= 0.2 * fgArea &&
      area <= 0.6 * (fgArea - cleanUnreached) &&
      (open[l]! < LEAK_MOUTH * contact[l]! || openG[l]! >= SEAMLESS_OUTLINE * cls.gradThreshold * open[l]!);
    // larger patches are real background (the space under a low-contrast stool's seat, bounded
    // by thick legs), unless much of their border is a thin ring of outline with the open
    // backdrop right behind it (a ball's shaded side, reached through a break in that ring)
    const small = area <= 0.3 * fgArea || (area <= 0.6 * fgArea && ring[l]! >= 0.3 * contact[l]!);
    // (a patch darker than its mouth is print only if it faces the product more than the
    // backdrop: the space under a key's shaft, open wide below, can be darker near a sweep's
    // horizon)
    const facesProduct = open[l]! < BAY_OPEN * contact[l]! || area < BAY_LARGE * fgArea;
    const darkBay = () => facesProduct && darkerThanMouth(l, cc, cand, bg, cls, level, sampledFor, hueAcross(across, acrossCount, l)) >= BAY_OFFSET;
    // (a patch mostly of shadow's colour is the product's shaded side only where it meets the
    // lit side with next to no edge, as a seamless one does: floor shadow between a stool's thin
    // legs meets their outlines, blurred as thin legs are, but edges all the same. So is a large
    // patch whose colour steps away from the product's just inside the contact: a highlight that
    // large fades into the product's colour, while the backdrop between a small pastel stool's
    // legs meets them across a colour step that the photo's size has blurred)
    const stepsAway = area >= STEP_AREA * fgArea && stepAcross(across, acrossCount, l, cls.sigma) > SEAMLESS_STEP;
    const softBorder = meanG < (shade[l]! >= 0.5 * area || stepsAway ? 0.5 : 1) * thr;
    if (seamless || (small && ((softBorder && open[l]! < 0.2 * contact[l]!) || darkBay()))) {
      reclaim[l] = 1;
      anyReclaim = true;
    }
  }
  if (!anyReclaim) return;
  for (let i = 0; i < n; i++) if (reclaim[cc.labels[i]!]) bg[i] = 0;
}

/** Smallest patch, as a share of the product, whose colour step at the contact makes it backdrop unless its border is very soft. */
const STEP_AREA = 0.05;

/** Half-width (level px) below which blocked shadow is a wall across a gap, not a product part. */
const WALL_WIDTH = 3;

/** Steepest gradient (times the classifier's threshold) of a shadow-like line between flooded pixels that joins them. */
const WALL_GRADIENT = 1.3;

/** Whether pixel i lies in a line at most 2 px thick, horizontal or vertical, with flooded pixels on both sides. */
function betweenFlooded(bg: Uint8Array, i: number, w: number, n: number): boolean {
  const x = i % w;
  const at = (j: number) => j >= 0 && j < n && bg[j] === 1;
  const row = (dx: number) => x + dx >= 0 && x + dx < w && bg[i + dx] === 1;
  const vertical = (at(i - w) && (at(i + w) || at(i + 2 * w))) || (at(i - 2 * w) && at(i + w));
  const horizontal = (row(-1) && (row(1) || row(2))) || (row(-2) && row(1));
  return vertical || horizontal;
}

/** Most of a large dark bay's outline that may open onto the backdrop, as a share of where it meets the product. */
const BAY_OPEN = 0.5;
/** A dark bay is large from this share of the product's area (smaller ones are rim pockets). */
const BAY_LARGE = 0.1;
/** How far into the product (level px) its colour is compared with a patch's, past any mixed rim. */
const ACROSS_DEPTH = 4;
/** Largest noise-normalised colour step between a patch and the product for "no edge at all". */
const SEAMLESS_STEP = 2 * T_DIST;
/**
 * Least mean edge strength (times the classifier's threshold) where such a patch opens onto the
 * backdrop (its outline) when that opening is wider than LEAK_MOUTH of where it meets the
 * product. The flood enters a product part where its outline fails, so a narrow mouth has none.
 */
const SEAMLESS_OUTLINE = 0.5;
const LEAK_MOUTH = 0.1;

/** The pixel `depth` steps from `i` through its neighbour `j`, or -1 outside the level. */
function stepInside(i: number, j: number, depth: number, w: number, n: number): number {
  const d = j - i;
  const k = i + depth * d;
  if (k < 0 || k >= n) return -1;
  // a horizontal step must stay on the row
  if ((d === 1 || d === -1) && Math.floor(k / w) !== Math.floor(i / w)) return -1;
  return k;
}

/** The product's mean colour (L*, a*, b*) beyond a patch's contact less the patch's own there; null where unmeasured. */
function meanStepAcross(across: Float64Array, count: Int32Array, l: number): [number, number, number] | null {
  const c = count[l]!;
  if (c === 0) return null;
  const o = 6 * l;
  return [(across[o + 3]! - across[o]!) / c, (across[o + 4]! - across[o + 1]!) / c, (across[o + 5]! - across[o + 2]!) / c];
}

/** The hue part (a*, b*) of meanStepAcross; null where unmeasured. */
function hueAcross(across: Float64Array, count: Int32Array, l: number): [number, number] | null {
  const step = meanStepAcross(across, count, l);
  return step && [step[1], step[2]];
}

/** Noise-normalised distance between a patch's mean colour at its contact and the product's beyond it. */
function stepAcross(across: Float64Array, count: Int32Array, l: number, sigma: [number, number, number]): number {
  const step = meanStepAcross(across, count, l);
  if (!step) return Infinity;
  return Math.hypot(step[0] / sigma[0], step[1] / sigma[1], step[2] / sigma[2]);
}

/** Largest normalised distance from the model of a pixel that is as clean as the backdrop itself. */
export const CLEAN_DIST = 1;

/**
 * The reclaim rules decide per flooded patch, and a patch can straddle a real hole and the
 * product beside it (the handle's light stripe and half of a mug's handle hole, cut off from the
 * other half by a column where the enclosure rays escaped). Background enclosed by the product
 * grows back into flooded pixels that were given back but are as clean as the backdrop.
 */
export function regrowEnclosedBackdrop(bg: Uint8Array, flooded: Uint8Array, cls: Classified, border: Uint8Array, w: number, h: number): void {
  const n = w * h;
  const enclosed = enclosedIn(invert(bg), w, h, border);
  if (!enclosed.includes(1)) return;
  const clean = new Uint8Array(n);
  for (let i = 0; i < n; i++) clean[i] = enclosed[i] || (flooded[i] && !bg[i] && cls.D[i]! <= CLEAN_DIST) ? 1 : 0;
  const grown = flood(enclosed, clean, w, h);
  for (let i = 0; i < n; i++) if (grown[i]) bg[i] = 1;
}

/** Lab residuals of sampled pixels against the background model, one list per channel. */
export type Residuals = [number[], number[], number[]];

/** Appends pixel i's residual against the background model, per channel. */
export function pushResidual(into: Residuals, i: number, level: Level, model: [Float32Array, Float32Array, Float32Array]): void {
  into[0].push(level.L[i]! - model[0][i]!);
  into[1].push(level.A[i]! - model[1][i]!);
  into[2].push(level.B[i]! - model[2][i]!);
}

/** Per-channel difference of the medians (a - b): robust to noise and to a few stray pixels. */
export function medianDifference(a: Residuals, b: Residuals): [number, number, number] {
  return [0, 1, 2].map((c) => quantile(a[c]!, 0.5) - quantile(b[c]!, 0.5)) as [number, number, number];
}

/**
 * Lab distance by which a patch's typical colour must differ from the backdrop's to count as
 * product: darker than the backdrop at its mouth, or print off the open backdrop's colour.
 */
export const BAY_OFFSET = 3;
/** How far (level px) outside a patch its mouth's backdrop is sampled. */
const MOUTH_REACH = 3;

/**
 * How far (Lab units) the typical colour of patch `l` lies from the open backdrop just outside
 * its mouth, both as residuals against the background model; 0 when the patch is the lighter
 * one. Medians over many pixels: sensor noise averages out, while a product colour that sits
 * just inside the per-pixel threshold (light print on a light backdrop, shaded darker) still
 * shows. A real gap is the backdrop itself and matches its mouth; when it does not, it is
 * because a floor shadow darkens the mouth, never the gap, or because JPEG's chroma bleeding
 * tints it towards the product on both sides: up to RINGING_FRACTION of the product's hue step
 * (`productHue`, see hueAcross) that way does not count (the narrow gap between a small pair of
 * red sunglasses' lenses, 3 to 5 units redder and no darker, was given back). Only
 * model-matching pixels count.
 */
function darkerThanMouth(
  l: number,
  cc: ReturnType<typeof components>,
  cand: Uint8Array,
  bg: Uint8Array,
  cls: Classified,
  level: Level,
  /** per-pixel label of the last patch that sampled it as mouth (shared across patches) */
  sampledFor: Int32Array,
  productHue: [number, number] | null,
): number {
  const { w, h } = level;
  const [x0, y0, x1, y1] = cc.box[l]!;
  const inside: Residuals = [[], [], []];
  const mouth: Residuals = [[], [], []];
  const push = (into: Residuals, i: number) => pushResidual(into, i, level, cls.model);
  const clean = (i: number) => bg[i] && cls.D[i]! <= T_DIST;
  for (let y = y0; y <= y1; y++)
    for (let x = x0; x <= x1; x++) {
      const i = y * w + x;
      if (cc.labels[i] !== l || !clean(i)) continue;
      push(inside, i);
      for (let dy = -MOUTH_REACH; dy <= MOUTH_REACH; dy++)
        for (let dx = -MOUTH_REACH; dx <= MOUTH_REACH; dx++) {
          const xx = x + dx;
          const yy = y + dy;
          if (xx < 0 || yy < 0 || xx >= w || yy >= h) continue;
          const j = yy * w + xx;
          if (cand[j] || !clean(j) || sampledFor[j] === l) continue;
          sampledFor[j] = l;
          push(mouth, j);
        }
    }
  if (inside[0].length < 8 || mouth[0].length < 8) return 0;
  const [dL, da, db] = medianDifference(inside, mouth);
  // lighter than the mouth: a real gap with a floor shadow lying across its mouth
  if (dL > 0) return 0;
  const [pa, pb] = productHue ?? [0, 0];
  const p = norm(pa, pb);
  if (p === 0) return Math.hypot(dL, da, db);
  // the hue shift along the product's hue step and across it
  let along = (da * pa + db * pb) / p;
  const athwart = (db * pa - da * pb) / p;
  if (along > 0) along = Math.max(0, along - RINGING_FRACTION * p);
  return Math.hypot(dL, along, athwart);
}

/** Box radius (level px) of the backdrop-only mean used to find print off the backdrop's colour. */
const PRINT_WINDOW = 2;
/** Largest share of a print patch's outline that may face the open backdrop (the rest runs along the product). */
const PRINT_MAX_OPEN = 0.4;

/**
 * Print or panels of a colour close to the backdrop, reached by the flood through an invisible
 * stretch of outline (white stripes on a white or tinted backdrop): each pixel is within the
 * per-pixel threshold, but averaged over a few pixels the patch is consistently lighter than
 * the backdrop model or of another hue, which neither sensor noise nor a shadow explains. Such
 * patches are given back when most of their outline runs along the product (stripes between
 * darker stripes), or when they touch it and their colour steps up at the outline where they
 * face the open backdrop (a key's teeth a shade lighter than the backdrop; offsetSteps). A band
 * of JPEG chroma bleeding along the outline faces the open backdrop on one whole side and has
 * no such step. Averages use backdrop pixels only, so the product does not bleed into them.
 */
export function reclaimOffsetPrint(bg: Uint8Array, cls: Classified, level: Level): void {
  const { model } = cls;
  const { w, h } = level;
  const n = w * h;
  const weight = new Float32Array(n);
  for (let i = 0; i < n; i++) weight[i] = bg[i] && !cls.shadowLike[i] ? 1 : 0;
  const wsum = boxBlur(weight, w, h, PRINT_WINDOW);
  const mean = [level.L, level.A, level.B].map((P, c) => {
    const M = model[c]!;
    const r = new Float32Array(n);
    for (let i = 0; i < n; i++) r[i] = weight[i] ? P[i]! - M[i]! : 0;
    const b = boxBlur(r, w, h, PRINT_WINDOW);
    for (let i = 0; i < n; i++) b[i] = wsum[i]! > 0 ? b[i]! / wsum[i]! : 0;
    return b;
  });
  const off = new Uint8Array(n);
  let any = false;
  for (let i = 0; i < n; i++)
    if (weight[i] && (mean[0]![i]! >= BAY_OFFSET || norm(mean[1]![i]!, mean[2]![i]!) >= BAY_OFFSET)) {
      off[i] = 1;
      any = true;
    }
  if (!any) return;
  const cc = components(off, w, h, false);
  // outline pixels of each patch, and those of them that face the open backdrop
  const facingOpen = new Float64Array(cc.count + 1);
  const outline = new Float64Array(cc.count + 1);
  for (let i = 0; i < n; i++) {
    const l = cc.labels[i]!;
    if (!l) continue;
    let touchOpen = false;
    let edge = false;
    const look = (j: number) => {
      if (bg[j] && !off[j]) touchOpen = true;
      if (!off[j]) edge = true;
    };
    forEachNeighbour4(i, w, n, look);
    if (edge) outline[l]++;
    if (touchOpen) facingOpen[l]++;
  }
  const minSide = 2 * PRINT_WINDOW + 1;
  const minArea = Math.max(12, minSide ** 2);
  let steps: Float64Array | undefined;
  const reclaim = new Uint8Array(cc.count + 1);
  let anyReclaim = false;
  for (let l = 1; l <= cc.count; l++)
    if (
      cc.area[l]! >= minArea &&
      (facingOpen[l]! <= PRINT_MAX_OPEN * outline[l]!
        ? offOpenBackdrop(residualsNear(l, cc, off, weight, level, model))
        : outline[l]! - facingOpen[l]! >= minSide && (steps ??= offsetSteps(cc, off, weight, level, model))[l]! >= OFFSET_STEP)
    ) {
      reclaim[l] = 1;
      anyReclaim = true;
    }
  if (anyReclaim) for (let i = 0; i < n; i++) if (reclaim[cc.labels[i]!]) bg[i] = 0;
}

/**
 * Whether a patch (residualsNear) is still off the colour of the open backdrop around it: the
 * background model can be a few units off across a large product (a steep sweep, extrapolated
 * under a mug), and a mug's hole shares that error with the backdrop next to the mug.
 */
export function offOpenBackdrop(sampled: { inside: Residuals; around: Residuals } | null): boolean {
  return sampled !== null && colourStep(sampled.inside, sampled.around) >= BAY_OFFSET;
}

/** Fewest sampled pixels, inside a patch and around it, for residualsNear to compare their colours. */
const MIN_SAMPLES = 8;

/** Sampled residuals of patch `l` and of the open backdrop (not `off`) within half its size around it; null if too few. */
export function residualsNear(
  l: number,
  cc: ReturnType<typeof components>,
  off: Uint8Array,
  /** 1 on open backdrop: flooded, not shadow */
  open: Float32Array,
  level: Level,
  model: [Float32Array, Float32Array, Float32Array],
  reach = 1,
): { inside: Residuals; insideAt: number[]; around: Residuals } | null {
  const { w, h } = level;
  const [x0, y0, x1, y1] = cc.box[l]!;
  const r = reach * Math.max(12, Math.round(0.5 * Math.max(x1 - x0, y1 - y0)));
  const step = Math.max(1, Math.round(r / 16));
  const inside: Residuals = [[], [], []];
  const insideAt: number[] = [];
  const around: Residuals = [[], [], []];
  const takeInside = (i: number) => {
    pushResidual(inside, i, level, model);
    insideAt.push(i);
  };
  for (let y = Math.max(0, y0 - r); y <= Math.min(h - 1, y1 + r); y += step)
    for (let x = Math.max(0, x0 - r); x <= Math.min(w - 1, x1 + r); x += step) {
      const i = y * w + x;
      if (cc.labels[i] === l) takeInside(i);
      else if (open[i] && !off[i]) pushResidual(around, i, level, model);
    }
  if (inside[0].length < MIN_SAMPLES && step > 1) {
    // (a small patch, such as a small key's hole, falls between the grid's points: take all of it)
    for (const c of inside) c.length = 0;
    insideAt.length = 0;
    for (let y = y0; y <= y1; y++) for (let x = x0; x <= x1; x++) if (cc.labels[y * w + x] === l) takeInside(y * w + x);
  }
  return inside[0].length < MIN_SAMPLES || around[0].length < MIN_SAMPLES ? null : { inside, insideAt, around };
}

/** How far (Lab units) the typical colour of `inside` is lighter than, or of another hue than, `around`'s. */
function colourStep(inside: Residuals, around: Residuals): number {
  const [dL, da, db] = medianDifference(inside, around);
  return Math.max(dL, Math.hypot(da, db));
}

/** Depth (level px) of a patch's core and of the open backdrop ring around it, for offsetSteps. */
const STEP_INSET = 2;
const STEP_RING: [number, number] = [3, 6];
/** Smallest colour step (Lab units) at a patch's outline that marks it as a product part. */
const OFFSET_STEP = 2;

/**
 * Per patch of `off`: the colour step (colourStep, as in offOpenBackdrop) from the open backdrop
 * just outside it (STEP_RING px away) to its core (STEP_INSET px in). A product part whose
 * colour sits just inside the per-pixel threshold (a key's teeth a shade lighter than the
 * backdrop) steps up at its outline; a smooth misfit of the background model rises gradually
 * and a band of JPEG chroma bleeding along the outline has no core, so both give ~0.
 */
function offsetSteps(
  cc: ReturnType<typeof components>,
  off: Uint8Array,
  open: Float32Array,
  level: Level,
  model: [Float32Array, Float32Array, Float32Array],
): Float64Array {
  const { w, h } = level;
  const n = w * h;
  const depth = chessDistanceInside(off, w, h);
  const away = chessDistanceTo(off, w, h);
  // the nearest patch of every ring pixel (labels spread outwards, a few px)
  const near = Int32Array.from(cc.labels);
  for (let r = 1; r <= STEP_RING[1]; r++)
    for (let i = 0; i < n; i++)
      if (away[i] === r)
        forEachNeighbour4(i, w, n, (j) => {
          if (!near[i] && away[j] === r - 1 && near[j]) near[i] = near[j]!;
        });
  const core: Residuals[] = [];
  const ring: Residuals[] = [];
  for (let l = 0; l <= cc.count; l++) {
    core.push([[], [], []]);
    ring.push([[], [], []]);
  }
  for (let i = 0; i < n; i++) {
    const l = near[i]!;
    if (!l) continue;
    if (off[i] && depth[i]! > STEP_INSET) pushResidual(core[l]!, i, level, model);
    else if (!off[i] && open[i] && away[i]! >= STEP_RING[0]) pushResidual(ring[l]!, i, level, model);
  }
  const out = new Float64Array(cc.count + 1);
  for (let l = 1; l <= cc.count; l++) {
    if (core[l]![0].length >= 8 && ring[l]![0].length >= 8) out[l] = colourStep(core[l]!, ring[l]!);
  }
  return out;
}

/** Widest channel that can be print, as a fraction of the product's longer side. */
const CHANNEL_WIDTH = 0.1;
/** Share of a channel's outline that must run along the product. */
const CHANNEL_MIN_ALONG = 0.6;

/**
 * Backdrop-coloured print across a thin product part (grey stripes on a mid-grey backdrop
 * across a key's shaft or a mug's handle): the flood enters each gap through its invisible
 * ends, and leaves narrow channels that cross the part and open onto the backdrop at both
 * ends. A real gap between product parts (key teeth, fork tines) opens at one end only; a
 * single slit (an open ring) is left alone, since print repeats: the channels are given back
 * only when at least two of them cross the product.
 */
export function reclaimPrintChannels(bg: Uint8Array, cls: Classified, level: Level): Uint8Array | null {
  const { w, h } = level;
  const n = w * h;
  const box = alphaBoundingBox(invert(bg), w, h, 1);
  if (!box) return null;
  const r = Math.max(2, 0.5 * CHANNEL_WIDTH * (Math.max(box.width, box.height) - 1));
  // closing of the product (without specks, which would bridge to the outline) by a disc of
  // radius r; the frame counts as open backdrop, so a strip along the frame is not closed
  const grown = dilate(solidUnreached(bg, w, h), w, h, r);
  const framed = frameBorder(w, h);
  const outside = new Uint8Array(n);
  for (let i = 0; i < n; i++) outside[i] = !grown[i] || framed[i] ? 1 : 0;
  const shrunk = squaredDistanceTo(outside, w, h);
  const channel = new Uint8Array(n);
  for (let i = 0; i < n; i++) channel[i] = bg[i] && shrunk[i]! > r * r ? 1 : 0;
  const cc = components(channel, w, h, false);
  if (cc.count === 0) return null;
  // the stretches of open backdrop each channel opens onto, and its outline along the product
  const mouthMask = new Uint8Array(n);
  const along = new Float64Array(cc.count + 1);
  const openEdge = new Float64Array(cc.count + 1);
  const shade = new Float64Array(cc.count + 1);
  for (let i = 0; i < n; i++) {
    const l = cc.labels[i]!;
    if (!l) continue;
    if (cls.D[i]! > T_DIST) shade[l]++;
    forEachNeighbour4(i, w, n, (j) => {
      if (!bg[j]) along[l]++;
      else if (!channel[j]) {
        openEdge[l]++;
        mouthMask[j] = 1;
      }
    });
  }
  const mc = components(mouthMask, w, h, true);
  const mouths = Array.from({ length: cc.count + 1 }, () => new Set<number>());
  for (let i = 0; i < n; i++) {
    const l = cc.labels[i]!;
    if (l) forEachNeighbour4(i, w, n, (j) => mc.labels[j] && mouths[l]!.add(mc.labels[j]!));
  }
  // crossing: opens onto the backdrop at both ends, runs along the product on both sides for
  // at least the widest channel's width, is bounded mostly by the product, and has the
  // backdrop's colour (a strip of shadow between a product and its hard shadow is not print)
  const crossing: number[] = [];
  for (let l = 1; l <= cc.count; l++)
    if (
      mouths[l]!.size >= 2 &&
      along[l]! >= 4 * r &&
      along[l]! >= CHANNEL_MIN_ALONG * (along[l]! + openEdge[l]!) &&
      shade[l]! <= 0.5 * cc.area[l]!
    )
      crossing.push(l);
  if (crossing.length < 2) return null;
  const take = new Uint8Array(cc.count + 1);
  for (const l of crossing) take[l] = 1;
  const taken = new Uint8Array(n);
  for (let i = 0; i < n; i++)
    if (take[cc.labels[i]!]) {
      bg[i] = 0;
      taken[i] = 1;
    }
  return taken;
}
