/**
 * Product / studio-background separation without any learned model: sharp for resampling,
 * OpenCV's GrabCut for the region-level step (5), hand-written pixel maths on raw buffers for
 * everything else.
 *
 *  1. Coarse level (longest side <= COARSE_SIDE): a smooth background model, i.e. a low-order
 *     2-D polynomial per Lab channel, fitted robustly (IRLS, Tukey) to the frame's border ring,
 *     then refitted (degree 3-4, vignettes and sweeps) on pixels classified as background.
 *     The per-channel noise level comes from the residuals. A product can cover much of one
 *     side of the frame and bend the fit: if the product found touches the frame and is not
 *     outlined by edges all round, or if no product is found (here or at full detail), the
 *     ring is fitted again without each side in turn; if that finds nothing either, a faint
 *     area that differs almost everywhere and has a clear outline is taken (white on a pale
 *     tint).
 *  2. Per pixel: noise-normalised Lab distance D to the model, relaxed within one JPEG MCU of
 *     high-contrast edges (ringing, chroma bleeding) where backdrop-coloured pixels are near.
 *     "Shadow-like" pixels are darker than the model with the model's chromaticity: a shadow
 *     scales linear RGB by a common factor, which in Lab scales a*, b* by (L+16)/(Lb+16); beside
 *     the backdrop, a saturated product's chroma may bleed into its shadow. Averaged over a few
 *     pixels, a shadow's hue offset vanishes and a faint product's own stays: where it stays,
 *     pixels are not shadow-like (a white ring on a pink tint).
 *  3. Background = flood from the frame border through pixels that match the model, or are
 *     shadow-like AND smooth (low local Lab range): product edges are steps, shadows are soft.
 *     Flooded shadow pixels that rays show to be enclosed by the thin edge ring of the product
 *     (a grey product whose bottom edge has the colour of its own contact shadow) are blocked
 *     and the flood redone; so are flooded shadow pixels that lie inside a thin, sharp outline
 *     in 3 of 4 directions (a grey product that its contact shadow leaked into). Shadow-like
 *     pixels on a blurred but steep step (the rim of a hard, 2 px-soft contact shadow) are
 *     passable too, where rays show them in the open rather than enclosed by the product.
 *     Background-coloured patches that leaked into the product through a soft, narrow mouth
 *     (a highlight crossing the backdrop colour at the outline), or that are consistently
 *     darker than the backdrop at their mouth (light print shaded to nearly the backdrop's
 *     colour), are given back to the product; so are flooded patches that, averaged over a few
 *     pixels, are lighter than the backdrop around them or of another hue, and that face the
 *     open backdrop along little of their outline (light checks or stripes between dark ones)
 *     or step up from it at their outline (a key's teeth a shade lighter than the backdrop).
 *     Thin lines of shadow that the ray rules blocked across the mouth of a gap (floor shadow
 *     under a stool's rung) count as that gap's mouth, so the gap stays open. A faint product
 *     (a light grey ring on white) is shadow-like all over and its outline's mixed pixels pass
 *     as backdrop: the flood is done again with the sharp steps into faint shadow-like colour
 *     closed, and that result is kept where it leaves much more unreached. A thin band of soft
 *     shadow that ramps from flooded backdrop to a flooded shadow core (a hard shadow's upper
 *     rim between headphone cups) is opened, however the product closes it in.
 *  4. Fine level: the same on a crop around the product (longest side <= FINE_SIDE), seeded by
 *     the coarse background. Enclosed background-coloured regions become holes (a mug handle)
 *     only if they look like the backdrop (noise statistics, up to a smooth shading across a big
 *     hole), are large enough and bounded by sharp, contrasted edges (or, on a faint product,
 *     by a rim nearly as sharp and contrasted as its outer outline); everything else enclosed
 *     is filled. Specks are dropped.
 *  5. Region-level second opinion (OpenCV's GrabCut: colour mixtures of product and backdrop,
 *     edge-aware smoothness, min-cut) in a band around the mask: it gives back product parts
 *     within the backdrop's noise (a white product's shaded side on light grey) and drops
 *     backdrop the mask held whose colour the product lacks. Clearly different pixels, pixels
 *     the reclaim rules gave back and big holes stay fixed; only region-sized changes are
 *     taken, and not when they would redraw much of the product, except refilling a region the
 *     product mostly encloses and the frame does not cut off (a leak) and dropping a detached
 *     blob of shadow; additions that run out to the crop's edge, shadow-like or as clean as the
 *     backdrop, are floor shadow or open backdrop and not taken. A removal must look like
 *     backdrop to the per-pixel model too, and a hole the cut opens stays product if the rest
 *     of the product has its colour (print).
 *  6. Soft alpha: colour-projection matting in a 3 px band around the boundary (linear light,
 *     local foreground/background colours; on a textured product, the nearby product colours
 *     that explain the pixel), then bilinear upsampling to the source size.
 */
import sharp from "sharp";
import { NoSubjectError, ImagingArgumentError } from "./errors.server";
import { labToSrgb8, SRGB_TO_LINEAR, srgbBufferToLab } from "./color.server";
import { alphaBoundingBox } from "./compose.server";
import { evalPlanes, evalPoint, robustFit, type PolyModel, type Samples } from "./background-model.server";
import { binomialBlur, boxBlur, chessDistanceInside, chessDistanceTo, components, dilate, erode, flood, maxFilter, squaredDistanceTo } from "./morphology.server";
import { grabCutMask, TRIMAP } from "./grabcut.server";
import type { RasterImage, SegmentResult } from "./types.server";

export { NoSubjectError } from "./errors.server";

const COARSE_SIDE = 400;
/** background-model refits after the border-ring fit (each: fit, classify, flood) */
const COARSE_REFITS = 2;
const FINE_SIDE = 960;
/** noise-normalised distance above which a pixel differs from the background model */
const T_DIST = 4.5;
/** minimal per-channel noise scales (Lab units): JPEG smooth areas can be unrealistically clean */
const SIGMA_FLOOR: [number, number, number] = [0.7, 1.4, 1.4];

interface MapToFull {
  ox: number;
  oy: number;
  sx: number;
  sy: number;
  FW: number;
  FH: number;
}

interface Level {
  w: number;
  h: number;
  L: Float32Array;
  A: Float32Array;
  B: Float32Array;
  /** 8-bit RGB (3 channels) of the level, for matting */
  rgb: Buffer;
  map: MapToFull;
  /** cached edge strength (model independent) */
  grad?: Float32Array;
  /** cached lightly blurred L plane (model independent) */
  smoothL?: Float32Array;
}

interface Classified {
  /** noise-normalised distance to the background model */
  D: Float32Array;
  /** darker than the model with the model's chromaticity */
  shadowLike: Uint8Array;
  /** Lab gradient magnitude (per level pixel, after a light blur) */
  G: Float32Array;
  /** passable for the background flood */
  passable: Uint8Array;
  /** passable pixels on a faint product's sharp outline (see faintOutlines), or null if none */
  faintOutline: Uint8Array | null;
  /** shadow-like pixels on a steep but blurred step (a hard shadow's rim, or a highlight's falloff) */
  softRim: Uint8Array;
  model: [Float32Array, Float32Array, Float32Array];
  sigma: [number, number, number];
  gradThreshold: number;
}

async function makeLevel(
  image: RasterImage,
  crop: { left: number; top: number; width: number; height: number },
  maxSide: number,
): Promise<Level> {
  const scale = Math.min(1, maxSide / Math.max(crop.width, crop.height));
  const w = Math.max(1, Math.round(crop.width * scale));
  const h = Math.max(1, Math.round(crop.height * scale));
  const full = crop.left === 0 && crop.top === 0 && crop.width === image.width && crop.height === image.height;
  let rgb: Buffer;
  if (full && w === image.width && h === image.height && image.channels === 3) {
    rgb = image.data;
  } else {
    let pipe = sharp(image.data, { raw: { width: image.width, height: image.height, channels: image.channels } });
    if (image.channels === 4) pipe = pipe.removeAlpha();
    if (!full) pipe = pipe.extract(crop);
    if (w !== crop.width || h !== crop.height) pipe = pipe.resize(w, h, { fit: "fill", kernel: "linear" });
    rgb = await pipe.raw().toBuffer();
  }
  const lab = srgbBufferToLab(rgb, w * h, 3);
  return {
    w,
    h,
    L: lab.L,
    A: lab.a,
    B: lab.b,
    rgb,
    map: { ox: crop.left, oy: crop.top, sx: crop.width / w, sy: crop.height / h, FW: image.width, FH: image.height },
  };
}

function samplesFrom(level: Level, select: (i: number) => boolean, maxSamples: number): Samples {
  const { w, h, map } = level;
  const total = w * h;
  const step = Math.max(1, Math.floor(Math.sqrt(total / maxSamples)));
  const idx: number[] = [];
  for (let y = Math.floor(step / 2); y < h; y += step)
    for (let x = Math.floor(step / 2); x < w; x += step) {
      const i = y * w + x;
      if (select(i)) idx.push(i);
    }
  const n = idx.length;
  const s: Samples = {
    u: new Float64Array(n),
    v: new Float64Array(n),
    c0: new Float64Array(n),
    c1: new Float64Array(n),
    c2: new Float64Array(n),
    n,
  };
  for (let k = 0; k < n; k++) {
    const i = idx[k]!;
    const y = (i / w) | 0;
    const x = i - y * w;
    s.u[k] = ((map.ox + (x + 0.5) * map.sx) / map.FW) * 2 - 1;
    s.v[k] = ((map.oy + (y + 0.5) * map.sy) / map.FH) * 2 - 1;
    s.c0[k] = level.L[i]!;
    s.c1[k] = level.A[i]!;
    s.c2[k] = level.B[i]!;
  }
  return s;
}

/** The level's L plane after one light binomial blur (shared by the edge measures). */
function smoothL(level: Level): Float32Array {
  return (level.smoothL ??= binomialBlur(level.L, level.w, level.h, 1));
}

/**
 * Edge strength: Euclidean norm of the per-channel 3x3 ranges (max - min) of the lightly
 * blurred Lab planes. Unlike central differences, the range does not cancel at the centre
 * of a thin line, so a 2-px dark stem is an edge, not a smooth region.
 */
function gradientMagnitude(level: Level): Float32Array {
  const { w, h } = level;
  const planes = [smoothL(level), binomialBlur(level.A, w, h, 1), binomialBlur(level.B, w, h, 1)];
  const G = new Float32Array(w * h);
  const rowMax = new Float32Array(w * h);
  const rowMin = new Float32Array(w * h);
  for (const P of planes) {
    for (let y = 0; y < h; y++) {
      const row = y * w;
      for (let x = 0; x < w; x++) {
        const a = P[row + (x > 0 ? x - 1 : x)]!;
        const b = P[row + x]!;
        const c = P[row + (x < w - 1 ? x + 1 : x)]!;
        rowMax[row + x] = a > b ? (a > c ? a : c) : b > c ? b : c;
        rowMin[row + x] = a < b ? (a < c ? a : c) : b < c ? b : c;
      }
    }
    for (let y = 0; y < h; y++) {
      const up = (y > 0 ? y - 1 : y) * w;
      const dn = (y < h - 1 ? y + 1 : y) * w;
      const row = y * w;
      for (let x = 0; x < w; x++) {
        const mx = Math.max(rowMax[up + x]!, rowMax[row + x]!, rowMax[dn + x]!);
        const mn = Math.min(rowMin[up + x]!, rowMin[row + x]!, rowMin[dn + x]!);
        const r = mx - mn;
        G[row + x] += r * r;
      }
    }
  }
  for (let i = 0; i < w * h; i++) G[i] = Math.sqrt(G[i]!);
  return G;
}

/**
 * A blurred step (a shadow's rim) changes by less than this fraction of its +-3 px step within
 * +-1 px; an anti-aliased product outline changes by nearly all of it.
 */
const SOFT_EDGE_RATIO = 0.55;

/**
 * Marks, among shadow-like pixels that are not passable, those on a blurred step: sampled
 * along the luminance gradient, the step across +-1 px is under SOFT_EDGE_RATIO of the step
 * across +-3 px, and the profile is monotonic (one edge, not two close ones). An
 * anti-aliased product outline completes within +-1 px; a 2 px-soft shadow rim does not.
 * A hard contact shadow only a few pixels deep is a blurred line, not a step: between a
 * product's feet its two rims lie within +-3 px of each other, so neither profile is
 * monotonic. Each rim counts as blurred where its flank, measured from the line's floor, is
 * as soft as a blurred step (valleys in stepSharpness).
 */
function markBlurredSteps(level: Level, shadowLike: Uint8Array, passable: Uint8Array, out: Uint8Array): void {
  const { w, h } = level;
  const P = smoothL(level);
  for (let y = 3; y < h - 3; y++)
    for (let x = 3; x < w - 3; x++) {
      const i = y * w + x;
      if (!shadowLike[i] || passable[i]) continue;
      const u = gradientDirection(P, w, i);
      if (!u) continue;
      const ratio = stepSharpness(P, w, h, x, y, u, true);
      if (ratio !== null && ratio < SOFT_EDGE_RATIO) out[i] = 1;
    }
}

/** A product this close to the backdrop (in units of the threshold) is faint. */
const FAINT_STEP = 3;
/**
 * ... and its outline's edge may be this far under the edge threshold: the sharp step and the
 * gain the closing must bring (FAINT_GAIN) keep noise out (the lower half of a grey key's bow
 * on a grey sweep, whose outline is at 0.5 to 1 of the threshold).
 */
const FAINT_EDGE = 0.5;

/**
 * A faint product a shade darker than the backdrop (a light grey ring on white) is shadow-like
 * all over, and its outline's mixed pixels are within the backdrop's tolerance: the flood
 * passes through them into the product wherever the outline's edge dips under the threshold.
 * Marks the passable pixels that sit on a sharp step (an outline, not a shadow's blurred rim)
 * into faint shadow-like colour two pixels on; null if there are none.
 */
function faintOutlines(level: Level, D: Float32Array, shadowLike: Uint8Array, G: Float32Array, gradThreshold: number, passable: Uint8Array): Uint8Array | null {
  const { w, h } = level;
  const P = smoothL(level);
  let out: Uint8Array | null = null;
  for (let y = 3; y < h - 3; y++)
    for (let x = 3; x < w - 3; x++) {
      const i = y * w + x;
      if (!passable[i] || G[i]! < FAINT_EDGE * gradThreshold || shadowLike[i]) continue;
      const u = gradientDirection(P, w, i);
      if (!u) continue;
      // two pixels towards the darker side
      const j = Math.round(y - 2 * u[1]) * w + Math.round(x - 2 * u[0]);
      if (!shadowLike[j] || !(D[j]! > T_DIST) || D[j]! > FAINT_STEP * T_DIST) continue;
      const ratio = stepSharpness(P, w, h, x, y, u);
      if (ratio === null || ratio < SOFT_EDGE_RATIO) continue;
      (out ??= new Uint8Array(w * h))[i] = 1;
    }
  return out;
}

/** Unit direction of the luminance gradient at interior pixel i (central differences), or null where it is flat. */
function gradientDirection(P: Float32Array, w: number, i: number): [number, number] | null {
  const gx = P[i + 1]! - P[i - 1]!;
  const gy = P[i + w]! - P[i - w]!;
  const g = Math.hypot(gx, gy);
  return g < 1e-3 ? null : [gx / g, gy / g];
}

/** How far (level px) past a valley's floor its far flank is looked for. */
const VALLEY_REACH = 6;
/**
 * The far flank of a thin line of blurred shadow rises at least this share of the near one (it
 * has the backdrop on both sides); the dip of JPEG ringing beside a sharp outline recovers by
 * a little only.
 */
const VALLEY_RISE = 0.5;

/**
 * Along the luminance gradient `u` at (x, y): the step across +-1 px as a share of the step
 * across +-3 px, or null where the profile is not monotonic (two close edges, or noise).
 * With `valleys`, the flank of a valley (a thin dark line) is measured from its floor instead.
 */
function stepSharpness(P: Float32Array, w: number, h: number, x: number, y: number, [ux, uy]: [number, number], valleys = false): number | null {
  const at = (px: number, py: number) => {
    if (px < 0) px = 0;
    if (py < 0) py = 0;
    if (px > w - 1) px = w - 1;
    if (py > h - 1) py = h - 1;
    const x0 = Math.floor(px);
    const y0 = Math.floor(py);
    const x1 = Math.min(w - 1, x0 + 1);
    const y1 = Math.min(h - 1, y0 + 1);
    const tx = px - x0;
    const ty = py - y0;
    return (P[y0 * w + x0]! * (1 - tx) + P[y0 * w + x1]! * tx) * (1 - ty) + (P[y1 * w + x0]! * (1 - tx) + P[y1 * w + x1]! * tx) * ty;
  };
  const m3 = at(x - 3 * ux, y - 3 * uy);
  const m1 = at(x - ux, y - uy);
  const p1 = at(x + ux, y + uy);
  const p3 = at(x + 3 * ux, y + 3 * uy);
  if (valleys && m3 > m1 && m1 <= p1 && p1 <= p3 && p3 - m1 >= 1e-3) {
    // the dark side bottoms out and rises again: measure the flank from the valley's floor,
    // if the far side rises back far enough to be the other flank of a line
    let floor = m1;
    let far = m1;
    for (let k = 2; k <= VALLEY_REACH; k++) {
      const v = at(x - k * ux, y - k * uy);
      if (k <= 3) floor = Math.min(floor, v);
      far = Math.max(far, v);
    }
    return far - floor >= VALLEY_RISE * (p3 - floor) ? (p1 - m1) / (p3 - m1) : null;
  }
  if (!(m3 <= m1 && m1 <= p1 && p1 <= p3) || p3 - m3 < 1e-3) return null;
  return (p1 - m1) / (p3 - m3);
}

function quantile(values: Float32Array | number[], q: number): number {
  if (values.length === 0) return 0;
  const a = Float32Array.from(values).sort();
  return a[Math.min(a.length - 1, Math.max(0, Math.floor(q * (a.length - 1))))]!;
}

/** Robust per-channel residual scale against the model on pixels selected by `bg`. */
function noiseScales(level: Level, model: [Float32Array, Float32Array, Float32Array], bg: (i: number) => boolean): [number, number, number] {
  const n = level.w * level.h;
  const step = Math.max(1, Math.floor(n / 60000));
  const r0: number[] = [];
  const r1: number[] = [];
  const r2: number[] = [];
  for (let i = 0; i < n; i += step) {
    if (!bg(i)) continue;
    r0.push(Math.abs(level.L[i]! - model[0][i]!));
    r1.push(Math.abs(level.A[i]! - model[1][i]!));
    r2.push(Math.abs(level.B[i]! - model[2][i]!));
  }
  if (r0.length < 50) return [...SIGMA_FLOOR] as [number, number, number];
  return [
    Math.max(SIGMA_FLOOR[0], 1.4826 * quantile(r0, 0.5)),
    Math.max(SIGMA_FLOOR[1], 1.4826 * quantile(r1, 0.5)),
    Math.max(SIGMA_FLOOR[2], 1.4826 * quantile(r2, 0.5)),
  ];
}

/** Fraction of a nearby edge's contrast that JPEG ringing / chroma bleeding can reach. */
const RINGING_FRACTION = 0.12;
/** Reach of JPEG artifacts around an edge, in full-resolution pixels (one 4:2:0 chroma MCU). */
const RINGING_REACH = 12;
/** Backdrop this close (full-resolution pixels, one MCU) for a pixel to be ringing on it. */
const RINGING_BACKDROP_REACH = 16;

/** Non-zero where a backdrop-coloured pixel (D within the threshold) lies within RINGING_BACKDROP_REACH. */
function nearBackdrop(D: Float32Array, w: number, h: number, fullPerLevel: number): Float32Array {
  const clean = new Float32Array(w * h);
  for (let i = 0; i < w * h; i++) clean[i] = D[i]! <= T_DIST ? 1 : 0;
  return maxFilter(clean, w, h, Math.max(1, Math.round(RINGING_BACKDROP_REACH / fullPerLevel)));
}

/**
 * JPEG compression leaves ringing and chroma bleeding next to strong edges, up to one MCU
 * away, with an amplitude proportional to the edge contrast. Near a high-contrast edge the
 * distance D is therefore rescaled so that deviations below RINGING_FRACTION of the nearby
 * maximum contrast fall under the threshold. Only near backdrop-coloured pixels, though: a
 * pixel with none within an MCU is in an area of its own colour, not ringing on the backdrop
 * (a pastel mug's body between dark dots, all of it within reach of some dot, was flooded).
 */
function suppressRinging(D: Float32Array, w: number, h: number, fullPerLevel: number, backdropNear: Float32Array): void {
  // max over a ~(2r+1)^2 window, computed on 4x4 max-pooled cells (a coarse envelope is enough)
  const r = Math.max(2, Math.round(RINGING_REACH / fullPerLevel));
  const cell = 4;
  const cw = Math.ceil(w / cell);
  const ch = Math.ceil(h / cell);
  const pooled = new Float32Array(cw * ch);
  for (let y = 0; y < h; y++) {
    const prow = ((y / cell) | 0) * cw;
    const row = y * w;
    for (let x = 0; x < w; x++) {
      const v = D[row + x]!;
      const j = prow + ((x / cell) | 0);
      if (v > pooled[j]!) pooled[j] = v;
    }
  }
  const near = maxFilter(pooled, cw, ch, Math.max(1, Math.ceil(r / cell)));
  for (let y = 0; y < h; y++) {
    const prow = ((y / cell) | 0) * cw;
    const row = y * w;
    for (let x = 0; x < w; x++) {
      if (!backdropNear[row + x]) continue;
      const t = RINGING_FRACTION * Math.min(400, near[prow + ((x / cell) | 0)]!);
      if (t > T_DIST) D[row + x] = (D[row + x]! * T_DIST) / t;
    }
  }
}

function classify(level: Level, model: [Float32Array, Float32Array, Float32Array], sigma: [number, number, number], bgHint?: (i: number) => boolean): Classified {
  const { w, h, L, A, B } = level;
  const n = w * h;
  const [ML, MA, MB] = model;
  const D = new Float32Array(n);
  const shadowLike = new Uint8Array(n);
  const [sL, sA, sB] = sigma;
  const sAB = Math.max(sA, sB);
  // shadow-coloured but for a hue shift: how far the shift goes past the plain tolerance
  const hueShifted: number[] = [];
  const excess = new Float32Array(n);
  // shadow-like pixels' offset from the shadow chromaticity, and their tolerance
  const hueOffset: HueOffset = { a: new Float32Array(n), b: new Float32Array(n), tol: new Float32Array(n) };
  for (let i = 0; i < n; i++) {
    const dl = L[i]! - ML[i]!;
    const da = A[i]! - MA[i]!;
    const db = B[i]! - MB[i]!;
    const d = Math.sqrt((dl / sL) ** 2 + (da / sA) ** 2 + (db / sB) ** 2);
    D[i] = d;
    if (d > T_DIST && dl < 0) {
      const q = (L[i]! + 16) / (ML[i]! + 16);
      if (q > 0.45) {
        const ea = A[i]! - q * MA[i]!;
        const eb = B[i]! - q * MB[i]!;
        const tol = 3 * sAB + 1.5 + 0.12 * -dl;
        const err = Math.sqrt(ea * ea + eb * eb);
        if (err <= tol) {
          shadowLike[i] = 1;
          hueOffset.a[i] = ea;
          hueOffset.b[i] = eb;
          hueOffset.tol[i] = tol;
        } else {
          excess[i] = err - tol;
          hueShifted.push(i);
        }
      }
    }
  }
  clearOffHueShadows(level, D, shadowLike, hueOffset, MA, MB);
  const backdropNear = nearBackdrop(D, w, h, level.map.sx);
  if (hueShifted.length > 0) {
    // JPEG chroma bleeding, only beside the backdrop (not between a textured product's dots:
    // a light grey bag's body on lavender turned shadow-like next to its dots)
    const bleed = chromaBleedReach(level, MA, MB);
    for (const i of hueShifted) if (backdropNear[i] && excess[i]! <= RINGING_FRACTION * bleed[i]!) shadowLike[i] = 1;
  }
  suppressRinging(D, w, h, level.map.sx, backdropNear);
  // shadow test again where ringing suppression moved pixels back under the threshold
  for (let i = 0; i < n; i++) if (D[i]! <= T_DIST) shadowLike[i] = 0;
  const G = (level.grad ??= gradientMagnitude(level));
  // gradient noise level on clean background
  const gs: number[] = [];
  const step = Math.max(1, Math.floor(n / 40000));
  for (let i = 0; i < n; i += step) if (D[i]! <= T_DIST && (!bgHint || bgHint(i))) gs.push(G[i]!);
  const gNoise = gs.length > 50 ? quantile(gs, 0.9) : 0.5;
  const gradThreshold = Math.max(4, 2.5 * gNoise);
  const passable = new Uint8Array(n);
  const softRim = new Uint8Array(n);
  for (let i = 0; i < n; i++) passable[i] = D[i]! <= T_DIST || (shadowLike[i] && G[i]! < gradThreshold) ? 1 : 0;
  const faintOutline = faintOutlines(level, D, shadowLike, G, gradThreshold, passable);
  markBlurredSteps(level, shadowLike, passable, softRim);
  return { D, shadowLike, G, passable, faintOutline, softRim, model, sigma, gradThreshold };
}

/** Reach of JPEG chroma bleeding, in full-resolution pixels (4:2:0 halves chroma resolution). */
const CHROMA_BLEED_REACH = 8;

/**
 * Per pixel, the largest chroma difference from the backdrop model within CHROMA_BLEED_REACH
 * (among the pixels `from` selects):
 * JPEG's subsampled chroma smears a saturated product's hue into its contact shadow, by up to
 * RINGING_FRACTION of that difference, and the shadow-like test allows for it near the
 * backdrop (the shadow under a magenta shoe, tinted pink and green, was kept as a band of
 * product).
 */
function chromaBleedReach(level: Level, MA: Float32Array, MB: Float32Array, from: (i: number) => boolean = () => true): Float32Array {
  const { w, h, A, B } = level;
  const chroma = new Float32Array(w * h);
  for (let i = 0; i < w * h; i++) if (from(i)) chroma[i] = Math.hypot(A[i]! - MA[i]!, B[i]! - MB[i]!);
  return maxFilter(chroma, w, h, Math.max(1, Math.round(CHROMA_BLEED_REACH / level.map.sx)));
}

interface HueOffset {
  a: Float32Array;
  b: Float32Array;
  tol: Float32Array;
}

/** Radius (level pixels) of the window over which shadow-like pixels' hue offsets are averaged. */
const HUE_WINDOW = 2;
/** Share of that window that must be shadow-like for its average to count. */
const HUE_SHARE = 0.5;
/**
 * Share of a pixel's own hue tolerance that the window's mean offset may reach: averaged over
 * the window, noise shrinks to about a fifth, a shadow's offset to nearly nothing, and a faint
 * product's own hue stays (0.5 missed a light grey ring a shade warm on white; 0.3 cost a
 * metallic ring on a tint 0.035, before the bleed allowance below).
 */
const HUE_OFFSET = 0.4;

/**
 * The shadow test's hue tolerance is wide because it judges one noisy pixel. Averaged over a
 * few pixels, a shadow keeps the backdrop's chromaticity and a faint product keeps its own: a
 * white ring on a pink tint, a light grey ring a shade warm on white, passed as shadow pixel by
 * pixel and was flooded. Clears shadowLike where the mean offset of the shadow-like pixels
 * around is beyond HUE_OFFSET of the pixel's tolerance, plus the chroma JPEG smears from
 * clearly coloured product pixels nearby (the contact shadow under a grey bottle on green).
 */
function clearOffHueShadows(level: Level, D: Float32Array, shadowLike: Uint8Array, offset: HueOffset, MA: Float32Array, MB: Float32Array): void {
  const { w, h } = level;
  const n = w * h;
  const share = new Float32Array(n);
  for (let i = 0; i < n; i++) share[i] = shadowLike[i]!;
  const meanA = boxBlur(offset.a, w, h, HUE_WINDOW);
  const meanB = boxBlur(offset.b, w, h, HUE_WINDOW);
  const meanShare = boxBlur(share, w, h, HUE_WINDOW);
  const bleed = chromaBleedReach(level, MA, MB, (i) => D[i]! > T_DIST && !shadowLike[i]);
  // (the window means and the bleed are taken before any pixel is cleared, so clearing in place
  // reads nothing it wrote)
  const cleared: number[] = [];
  for (let i = 0; i < n; i++) {
    if (!shadowLike[i] || meanShare[i]! < HUE_SHARE) continue;
    const off = Math.hypot(meanA[i]!, meanB[i]!) / meanShare[i]!;
    if (off > HUE_OFFSET * offset.tol[i]! + RINGING_FRACTION * bleed[i]!) {
      shadowLike[i] = 0;
      cleared.push(i);
    }
  }
  if (cleared.length > 0) restoreShadowOfLocalTint(cleared, shadowLike, offset, meanA, meanB, meanShare, w, h);
}

/** Radius (level pixels) of the wider window whose kept shadow gives the shadow's local tint. */
const SHADOW_TINT_WINDOW = 6;
/** Share of that window that must be kept shadow for its tint to count. */
const SHADOW_TINT_SHARE = 0.3;
/** Share of a pixel's hue tolerance by which its window's mean offset may differ from that tint. */
const SHADOW_TINT_MATCH = 0.25;

/**
 * A shadow on a tinted backdrop can be lit by a fill light of another colour, so its hue drifts
 * off the backdrop's with its depth. Where a band of it, averaged, is off by a little more than
 * clearOffHueShadows allows, but by the same offset as the shadow kept around it, it is that
 * shadow: gives the `cleared` pixels back as shadow-like there. (The floor shadow under a pair of
 * sunglasses on lavender lost a band 7 L units deep, between deeper and fainter shadow that
 * passed, and the band walled in the shadow under the lenses.) A faint product's hue is its
 * own, not that of the shadow around it: letting the tolerance grow with the shadow's depth
 * instead took the light stripes of a metallic headband for shadow (0.904 -> 0.878).
 */
function restoreShadowOfLocalTint(
  cleared: number[],
  shadowLike: Uint8Array,
  offset: HueOffset,
  meanA: Float32Array,
  meanB: Float32Array,
  meanShare: Float32Array,
  w: number,
  h: number,
): void {
  const n = w * h;
  const keptA = new Float32Array(n);
  const keptB = new Float32Array(n);
  const kept = new Float32Array(n);
  for (let i = 0; i < n; i++)
    if (shadowLike[i]) {
      keptA[i] = offset.a[i]!;
      keptB[i] = offset.b[i]!;
      kept[i] = 1;
    }
  const tintA = boxBlur(keptA, w, h, SHADOW_TINT_WINDOW);
  const tintB = boxBlur(keptB, w, h, SHADOW_TINT_WINDOW);
  const tintShare = boxBlur(kept, w, h, SHADOW_TINT_WINDOW);
  for (const i of cleared) {
    const share = tintShare[i]!;
    if (share < SHADOW_TINT_SHARE) continue;
    const da = meanA[i]! / meanShare[i]! - tintA[i]! / share;
    const db = meanB[i]! / meanShare[i]! - tintB[i]! / share;
    if (Math.hypot(da, db) <= SHADOW_TINT_MATCH * offset.tol[i]!) shadowLike[i] = 1;
  }
}

/**
 * Closing faint outlines (see faintOutlines) is kept only where it changes the outcome
 * materially: the unreached area grows by FAINT_GAIN of itself and FAINT_GAIN_AREA of the
 * level. Elsewhere it only stops the flood a pixel early along ordinary outlines and hard
 * shadow rims, which is worth nothing and can tip the colour models later on (a grey box's
 * dots of the backdrop's colour, 0.998 -> 0.907 when closing always).
 */
const FAINT_GAIN = 0.1;
const FAINT_GAIN_AREA = 0.005;

/**
 * Background flood: from the seeds, through pixels that match the model or are smooth shadow;
 * then shadow regions enclosed by the product are blocked and the flood is redone. Done again
 * with faint outlines closed, where there are any (a light grey ring on white, whose body the
 * first flood entered through its outline's gaps).
 */
function floodBackground(seeds: Uint8Array, cls: Classified, w: number, h: number): Uint8Array {
  const reached = floodThrough(seeds, cls, cls.passable, w, h);
  if (!cls.faintOutline) return reached;
  const n = w * h;
  const closed = Uint8Array.from(cls.passable);
  for (let i = 0; i < n; i++) if (cls.faintOutline[i]) closed[i] = 0;
  const reachedClosed = floodThrough(seeds, cls, closed, w, h);
  let gain = 0;
  let unreached = 0;
  for (let i = 0; i < n; i++) {
    if (!reached[i]) unreached++;
    if (reached[i] && !reachedClosed[i]) gain++;
    else if (!reached[i] && reachedClosed[i]) gain--;
  }
  return gain >= FAINT_GAIN * unreached && gain >= FAINT_GAIN_AREA * n ? reachedClosed : reached;
}

/**
 * The flood from the seeds through `base` (the passable mask), with shadow that lies inside a
 * product's outline blocked and the open rims of hard shadows let through.
 */
function floodThrough(seeds: Uint8Array, cls: Classified, base: Uint8Array, w: number, h: number): Uint8Array {
  const blocked = new Uint8Array(w * h);
  let passable = base;
  let reached = floodOnce(seeds, passable, w, h, blocked);
  let withRims = admitOpenShadowRims(reached, cls, base, w, h);
  // the rims depend only on what was reached: find them again only if that changed
  if (rejectImplausibleShadows(reached, cls, base, w, h, blocked, withRims)) {
    reached = floodOnce(seeds, passable, w, h, blocked);
    withRims = admitOpenShadowRims(reached, cls, base, w, h);
  }
  if (withRims) {
    passable = withRims;
    reached = floodOnce(seeds, passable, w, h, blocked);
  }
  if (rejectShadowsInsideOutlines(reached, cls, w, h, blocked)) reached = floodOnce(seeds, passable, w, h, blocked);
  return reached;
}

/**
 * Blurred shadow-like steps are passable where they lie in the open, not inside the product:
 * the rim of a hard contact shadow under a product is open below and to the sides, while the
 * falloff of a highlight on a dark product, or a floor shadow between stool legs, is enclosed
 * by product in >= 3 of 4 directions. Rays pass through background, rims and smooth
 * shadow-like areas (the inside of a hard shadow) and stop at anything else. Returns the
 * passable mask `base` widened by them, or null when nothing was added.
 */
function admitOpenShadowRims(reached: Uint8Array, cls: Classified, base: Uint8Array, w: number, h: number): Uint8Array | null {
  const n = w * h;
  let any = false;
  for (let i = 0; i < n; i++)
    if (cls.softRim[i] && !reached[i]) {
      any = true;
      break;
    }
  if (!any) return null;
  const solid = solidUnreached(reached, w, h);
  const through = new Uint8Array(n);
  for (let i = 0; i < n; i++)
    through[i] = reached[i] || !solid[i] || cls.softRim[i] || (cls.shadowLike[i] && cls.G[i]! < cls.gradThreshold) ? 1 : 0;
  const obstacle = new Uint8Array(n);
  for (let i = 0; i < n; i++) obstacle[i] = through[i] ? 0 : 1;
  const hits = rayHits(through, obstacle, w, h);
  const passable = Uint8Array.from(base);
  let added = false;
  for (let i = 0; i < n; i++)
    if (cls.softRim[i] && !ENCLOSED[hits[i]!]) {
      passable[i] = 1;
      added = true;
    }
  return added ? passable : null;
}

/** Flooded pixels that only the shadow rule let through (unlike the model), or null if none. */
function reachedThroughShadow(reached: Uint8Array, cls: Classified, n: number): Uint8Array | null {
  const shadowOnly = new Uint8Array(n);
  let any = false;
  for (let i = 0; i < n; i++)
    if (reached[i] && cls.D[i]! > T_DIST) {
      shadowOnly[i] = 1;
      any = true;
    }
  return any ? shadowOnly : null;
}

/** Widest run of edge pixels (level px) that still counts as a product's thin edge ring. */
const EDGE_RING = 4;
/** Half-width (level px) below which blocked shadow is a wall across a gap, not a product part. */
const WALL_WIDTH = 3;
/** Mixed (anti-aliased) pixels between the backdrop and a product edge, level px. */
const EDGE_HALO = 2;

/**
 * A grey product flooded through a leak (where its outline has the colour of its contact
 * shadow) ends against the open backdrop with a thin ring of sharp edge pixels all around; a
 * real shadow fades into the backdrop, or ends against the product's body. Rays from every
 * shadow pixel pass through shadow and through whatever lies inside it (print, specks) until
 * they reach open background; a ray "hits a ring" when the last run before the open background
 * is thin edge (1..EDGE_RING px). Shadow pixels that hit rings in >= 3 of the 4 directions lie
 * inside a product's outline and are blocked. Thick runs (stool legs beside their floor
 * shadow) and the frame do not count. Returns true if anything was blocked.
 */
function rejectShadowsInsideOutlines(reached: Uint8Array, cls: Classified, w: number, h: number, blocked: Uint8Array): boolean {
  const n = w * h;
  const shadowOnly = reachedThroughShadow(reached, cls, n);
  if (!shadowOnly) return false;
  // 0 open backdrop, 1 shadow-only, 2 solid (product / edge), 3 other (specks, small islands)
  const kind = new Uint8Array(n);
  const openBg = openBackground(reached, shadowOnly, w, h);
  const solid = solidUnreached(reached, w, h);
  // (a hole the flood did not reach, such as the backdrop seen through a bag's handle, is open
  // backdrop to these walks too: the product's inner outline borders it as its outer outline
  // borders the backdrop, and a light grey bag flooded under its handle is inside both)
  const hole = unreachedBackdrop(reached, cls, w, h);
  for (let i = 0; i < n; i++) kind[i] = openBg[i] || hole[i] ? 0 : shadowOnly[i] ? 1 : solid[i] ? 2 : 3;
  const hits = new Uint8Array(n);
  // walking inward from open background: an anti-aliased halo (<= EDGE_HALO px of shadow-like
  // mixed pixels), then a thin edge run, then shadow again = a ring; shadow right away = a
  // soft shadow edge; a long solid run = a thick product part
  const scan = (start: number, step: number, len: number, bit: number) => {
    let st = 0;
    let pos = 0; // pixels since the last open background (the frame counts as open)
    let solidSeen = 0;
    let decided = false;
    for (let k = 0, i = start; k < len; k++, i += step) {
      const t = kind[i]!;
      if (t === 0) {
        pos = 0;
        solidSeen = 0;
        decided = false;
        st = 0;
        continue;
      }
      pos++;
      if (t === 2) {
        solidSeen++;
        if (!decided && pos > EDGE_RING + EDGE_HALO) {
          st = 0;
          decided = true;
        }
        continue;
      }
      if (!decided) {
        if (solidSeen > 0) {
          st = bit;
          decided = true;
        } else if (pos > EDGE_HALO) {
          st = 0;
          decided = true;
        }
      }
      if (decided && t === 1) hits[i] |= st;
    }
  };
  scanFourWays(w, h, scan);
  let any = false;
  for (let i = 0; i < n; i++)
    if (shadowOnly[i] && ENCLOSED[hits[i]!]) {
      blocked[i] = 1;
      any = true;
    }
  return any;
}

/** Smallest core (level px, after one erosion) of an unreached patch of the backdrop's colour that counts as a hole. */
const HOLE_CORE = 24;

/**
 * Unreached pixels of the backdrop's colour (within T_DIST) in patches whose core, one
 * erosion in, has at least HOLE_CORE pixels: the backdrop seen through holes the flood could
 * not reach, not the odd pixel of product that crosses the backdrop's colour. (Print of the
 * backdrop's colour passes too: rejectShadowsInsideOutlines' walks then see its rim as an
 * outline, as they would an outer one, and rejectImplausibleShadows' rays stop at it as at the
 * open backdrop.)
 */
function unreachedBackdrop(reached: Uint8Array, cls: Classified, w: number, h: number): Uint8Array {
  const n = w * h;
  const clean = new Uint8Array(n);
  for (let i = 0; i < n; i++) clean[i] = !reached[i] && cls.D[i]! <= T_DIST ? 1 : 0;
  const cc = components(erode3x3(clean, w, h), w, h, false);
  const cores = new Uint8Array(n);
  for (let i = 0; i < n; i++) if (cc.labels[i] && cc.area[cc.labels[i]!]! >= HOLE_CORE) cores[i] = 1;
  return flood(cores, clean, w, h);
}

/**
 * Clean background that is part of the open backdrop: components of reached, model-matching
 * pixels that touch the frame (and have at least `minShare` of the largest one's area).
 * Islands where a product's colour crosses the backdrop's, and pockets between product parts
 * and their shadow, do not count.
 */
function openBackground(reached: Uint8Array, shadowOnly: Uint8Array, w: number, h: number, minShare = 0): Uint8Array {
  const n = w * h;
  const clean = new Uint8Array(n);
  for (let i = 0; i < n; i++) clean[i] = reached[i] && !shadowOnly[i] ? 1 : 0;
  const cc = components(clean, w, h, false);
  let largest = 0;
  for (let l = 1; l <= cc.count; l++) largest = Math.max(largest, cc.area[l]!);
  const open = new Uint8Array(cc.count + 1);
  for (let l = 1; l <= cc.count; l++) {
    const [x0, y0, x1, y1] = cc.box[l]!;
    if ((x0 === 0 || y0 === 0 || x1 === w - 1 || y1 === h - 1) && cc.area[l]! >= minShare * largest) open[l] = 1;
  }
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = open[cc.labels[i]!]!;
  return out;
}

function floodOnce(seeds: Uint8Array, passable: Uint8Array, w: number, h: number, blocked: Uint8Array): Uint8Array {
  const n = w * h;
  const reached = new Uint8Array(n);
  const stack = new Int32Array(n);
  let sp = 0;
  for (let i = 0; i < n; i++)
    if (seeds[i] && passable[i] && !blocked[i]) {
      reached[i] = 1;
      stack[sp++] = i;
    }
  const tryPush = (p: number) => {
    if (!reached[p] && !blocked[p] && passable[p]) {
      reached[p] = 1;
      stack[sp++] = p;
    }
  };
  while (sp > 0) {
    const i = stack[--sp]!;
    const x = i % w;
    if (x > 0) tryPush(i - 1);
    if (x < w - 1) tryPush(i + 1);
    if (i >= w) tryPush(i - w);
    if (i < n - w) tryPush(i + w);
  }
  return reached;
}

/**
 * Unreached pixels that belong to a sizeable component (the product and its parts). Small
 * unreached specks (noise, JPEG blocks inside a shadow) are not obstacles for the ray tests.
 */
function solidUnreached(reached: Uint8Array, w: number, h: number): Uint8Array {
  return solidParts(reached, w, h).solid;
}

/** solidUnreached, with the labels of its parts (8-connected; small parts' labels are not in `solid`). */
function solidParts(reached: Uint8Array, w: number, h: number): { solid: Uint8Array; labels: Int32Array; count: number } {
  const n = w * h;
  const un = new Uint8Array(n);
  for (let i = 0; i < n; i++) un[i] = reached[i] ? 0 : 1;
  const cc = components(un, w, h, true);
  let maxA = 0;
  for (let l = 1; l <= cc.count; l++) maxA = Math.max(maxA, cc.area[l]!);
  const minA = Math.min(24, 0.01 * maxA);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const l = cc.labels[i]!;
    if (l && cc.area[l]! >= minA) out[i] = 1;
  }
  return { solid: out, labels: cc.labels, count: cc.count };
}

/**
 * Runs `scan(start, step, len, bit)` along every row and column in both directions; `bit` names
 * the direction a ray from each pixel looks: 1 left, 2 right, 4 up, 8 down (a scan walking
 * rightwards sees what lies to the left of each pixel).
 */
function scanFourWays(w: number, h: number, scan: (start: number, step: number, len: number, bit: number) => void): void {
  for (let y = 0; y < h; y++) {
    scan(y * w, 1, w, 1);
    scan(y * w + w - 1, -1, w, 2);
  }
  for (let x = 0; x < w; x++) {
    scan(x, w, h, 4);
    scan((h - 1) * w + x, -w, h, 8);
  }
}

/** enclosed: product in >= 3 of the 4 directions */
const ENCLOSED: Uint8Array = (() => {
  const t = new Uint8Array(16);
  for (let m = 0; m < 16; m++) {
    const c = (m & 1) + ((m >> 1) & 1) + ((m >> 2) & 1) + ((m >> 3) & 1);
    t[m] = c >= 3 ? 1 : 0;
  }
  return t;
})();

/**
 * For every pixel with through[i] set: bit mask of the directions (1 left, 2 right, 4 up,
 * 8 down) in which the first pixel without through[] is an obstacle (obstacle[j] set).
 */
function rayHits(through: Uint8Array, obstacle: Uint8Array, w: number, h: number): Uint8Array {
  const n = w * h;
  const hits = new Uint8Array(n);
  for (let y = 0; y < h; y++) {
    const row = y * w;
    let st = 0;
    for (let x = 0; x < w; x++) {
      const i = row + x;
      if (through[i]) hits[i] |= st;
      else st = obstacle[i] ? 1 : 0;
    }
    st = 0;
    for (let x = w - 1; x >= 0; x--) {
      const i = row + x;
      if (through[i]) hits[i] |= st;
      else st = obstacle[i] ? 2 : 0;
    }
  }
  for (let x = 0; x < w; x++) {
    let st = 0;
    for (let y = 0; y < h; y++) {
      const i = y * w + x;
      if (through[i]) hits[i] |= st;
      else st = obstacle[i] ? 4 : 0;
    }
    st = 0;
    for (let y = h - 1; y >= 0; y--) {
      const i = y * w + x;
      if (through[i]) hits[i] |= st;
      else st = obstacle[i] ? 8 : 0;
    }
  }
  return hits;
}

/** widest gap of through pixels (level px) inside an obstacle that does not split its run */
const SLIVER = 2;

/**
 * Like rayHits, but only counts obstacles whose run along the ray is at least `minRun` pixels
 * long (a real product part, not just the thin edge ring left around a flooded region). A
 * sliver of up to SLIVER through pixels inside a part (mixed pixels of a pastel leg's edge, of
 * the shadow's hue, passable in some JPEG block rows) does not split it into a thin ring.
 */
function thickRayHits(through: Uint8Array, obstacle: Uint8Array, w: number, h: number, minRun: number): Uint8Array {
  const n = w * h;
  const hits = new Uint8Array(n);
  const scan = (start: number, step: number, len: number, bit: number) => {
    let st = 0;
    let run = 0;
    let before = 0; // the run before the current gap of through pixels
    let gap = 0;
    for (let k = 0, i = start; k < len; k++, i += step) {
      if (through[i]) {
        if (run > 0) {
          st = run >= minRun ? bit : 0;
          before = run;
          run = 0;
          gap = 0;
        }
        gap++;
        hits[i] |= st;
      } else if (obstacle[i]) {
        // (a sliver of through pixels inside a part does not split its run)
        if (run === 0 && gap <= SLIVER && before >= minRun) run = before;
        run++;
      } else {
        st = 0;
        run = 0;
        before = 0;
      }
    }
  };
  scanFourWays(w, h, scan);
  return hits;
}

/**
 * Shadow between thick product parts in >= 3 directions (floor shadow between a stool's legs,
 * under its rung) is floor shadow, unless the product closes it in on all four sides with a
 * thin edge on one: then it is inside the product's outline (the body of a light grey bag
 * between its big dots, its own thin edge on the fourth side).
 */
function betweenThickParts(hits: number, thick: number): boolean {
  return ENCLOSED[thick]! === 1 && (hits !== 15 || thick === 15);
}

/** How far (level px) around a solid part its surroundings are looked at: the width of a step that crosses the backdrop's colour. */
const CROSSING = 4;
/** Largest share of a solid part's surroundings that may be open backdrop for it to be an island in shadow. */
const ISLAND_OPEN = 0.1;
/** Smallest part of the clean backdrop, as a share of the largest, that counts as open backdrop where it touches the frame. */
const OPEN_SHARE = 0.1;

/**
 * Flooded pixels of the backdrop's colour that are not part of the open backdrop (pockets):
 * bands where a product's colour crosses the backdrop's on the way into shadow-coloured
 * product (a highlight's falloff, the JPEG ringing beside a dark check), and patches of
 * backdrop closed in by product and shadow. Null if there are none.
 */
function pocketsOf(reached: Uint8Array, shadowOnly: Uint8Array, w: number, h: number): Uint8Array | null {
  const n = w * h;
  // (the band around a highlight on a product that the frame cuts off touches the frame too,
  // but it is small beside the open backdrop)
  const openBg = openBackground(reached, shadowOnly, w, h, OPEN_SHARE);
  const pocket = new Uint8Array(n);
  let any = false;
  for (let i = 0; i < n; i++)
    if (reached[i] && !shadowOnly[i] && !openBg[i]) {
      pocket[i] = 1;
      any = true;
    }
  return any ? pocket : null;
}

/**
 * A lighter part inside shadow-coloured product (a highlight on a grey blob) is an island in
 * the flooded shadow, and the shading between them crosses the backdrop's colour in a band
 * that the flood reached but that is not part of the open backdrop: marks those bands in `out`
 * so that the rays see past them to the island. Parts that face the open backdrop (pastel legs
 * beside their floor shadow, met across a step of the same kind) are not islands.
 */
function markCrossings(
  reached: Uint8Array,
  shadowOnly: Uint8Array,
  pocket: Uint8Array,
  { solid, labels, count }: ReturnType<typeof solidParts>,
  w: number,
  h: number,
  out: Uint8Array,
): void {
  const n = w * h;
  // each pixel within CROSSING + 1 of a solid part takes that part's label (breadth first)
  const label = new Int32Array(n);
  for (let i = 0; i < n; i++) if (solid[i]) label[i] = labels[i]!;
  let frontier: number[] = [];
  for (let i = 0; i < n; i++) if (label[i]) frontier.push(i);
  for (let step = 0; step <= CROSSING && frontier.length > 0; step++) {
    const next: number[] = [];
    for (const i of frontier)
      forEachNeighbour4(i, w, n, (j) => {
        if (!label[j]) {
          label[j] = label[i]!;
          next.push(j);
        }
      });
    frontier = next;
  }
  const enclosed = new Int32Array(count + 1);
  const open = new Int32Array(count + 1);
  for (let i = 0; i < n; i++) {
    const l = label[i]!;
    if (!l || solid[i] || !reached[i]) continue;
    if (shadowOnly[i] || pocket[i]) enclosed[l]++;
    else open[l]++;
  }
  const island = (l: number) => l > 0 && enclosed[l]! > 0 && open[l]! <= ISLAND_OPEN * (open[l]! + enclosed[l]!);
  const beside: number[] = [];
  for (let i = 0; i < n; i++) if (pocket[i] && island(label[i]!)) beside.push(i);
  if (beside.length === 0) return;
  // (labelled only now: most photos have no pocket beside an island)
  const pockets = components(pocket, w, h, false);
  const crossing = new Uint8Array(pockets.count + 1);
  for (const i of beside) crossing[pockets.labels[i]!] = 1;
  for (let i = 0; i < n; i++) if (crossing[pockets.labels[i]!]) out[i] = 1;
}

/** Smallest share of a shadow region that must be closed in on all four sides for any of it to be blocked that way. */
const ALL_FOUR_SHARE = 0.5;
/** Smallest shadow region (level px) blocked that way: specks of floor shadow between a sole and its shadow's core are not product. */
const ALL_FOUR_AREA = 24;

/** Clears `enclosed` in the regions of `shadowOnly` (4-connected) smaller than ALL_FOUR_AREA or of which it covers less than ALL_FOUR_SHARE. */
function keepMostlyClosedIn(enclosed: Uint8Array, shadowOnly: Uint8Array, w: number, h: number): void {
  const n = w * h;
  const cc = components(shadowOnly, w, h, false);
  const count = new Int32Array(cc.count + 1);
  for (let i = 0; i < n; i++) if (enclosed[i]) count[cc.labels[i]!]++;
  for (let i = 0; i < n; i++) {
    const l = cc.labels[i]!;
    if (enclosed[i] && (cc.area[l]! < ALL_FOUR_AREA || count[l]! < ALL_FOUR_SHARE * cc.area[l]!)) enclosed[i] = 0;
  }
}

/**
 * A region reached only through the shadow rule must lie outside the product. A grey product
 * flooded through a leak (its bottom edge has the colour of its own contact shadow, or a
 * highlight reaches the silhouette) is enclosed by its own sharp edges, while a cast shadow
 * spreads out into the open backdrop. Ray test: walking from a shadow pixel left, right, up
 * and down, the first pixel outside the shadow region is either unreached (product) or
 * background. Pixels that hit the product in at least 3 of the 4 directions are enclosed by
 * the product and marked in `blocked`, unless those obstacles are thick product parts (legs
 * and rung of a stool around its floor shadow) rather than the thin ring of edge pixels that
 * a leak leaves around a flooded product. Then again with the rays passing pockets of the
 * backdrop's colour, for shadow closed in on all four sides. `base` is the passable mask this
 * flood started from and `openRims` the one admitOpenShadowRims widened from it (null if it
 * admitted nothing). Returns true if anything was blocked.
 */
function rejectImplausibleShadows(reached: Uint8Array, cls: Classified, base: Uint8Array, w: number, h: number, blocked: Uint8Array, openRims: Uint8Array | null): boolean {
  const n = w * h;
  const shadowOnly = reachedThroughShadow(reached, cls, n);
  if (!shadowOnly) return false;
  // hits[i]: bit mask of directions (1 left, 2 right, 4 up, 8 down) in which the first
  // pixel that is neither shadow nor a small unreached speck is product; open background /
  // frame otherwise
  const parts = solidParts(reached, w, h);
  const solid = parts.solid;
  const transparent = new Uint8Array(n);
  for (let i = 0; i < n; i++) transparent[i] = shadowOnly[i] || (!reached[i] && !solid[i]) ? 1 : 0;
  const pockets = pocketsOf(reached, shadowOnly, w, h);
  if (pockets) markCrossings(reached, shadowOnly, pockets, parts, w, h, transparent);
  // (a patch of the backdrop's colour that the flood has not reached, such as the backdrop
  // under a headphones' arch or a white dot on a grey mug, is no product: a ray stops there as
  // at the open backdrop. Taken for thick product parts, a mug's white dots made its
  // shadow-coloured body, flooded through a leak, look like floor shadow between a stool's
  // legs, and it stayed open.)
  const hole = unreachedBackdrop(reached, cls, w, h);
  const product = new Uint8Array(n);
  for (let i = 0; i < n; i++) product[i] = solid[i] && !hole[i] ? 1 : 0;
  let any = false;
  // `through`: what the rays pass; `allFour`: only shadow closed in on all four sides
  const judge = (through: Uint8Array, allFour: boolean) => {
    const hits = rayHits(through, product, w, h);
    // real product parts (stool legs and rungs) around a floor shadow are thick; a product
    // flooded through a leak is surrounded only by the thin ring of its own edge
    const thick = thickRayHits(through, product, w, h, 4);
    // a thin run that is the open rim of the shadow itself (under a tilted box, beside a thick
    // product part) does not enclose it; a product flooded through a leak has no thick part
    // beside it, only its own ring, soft or not
    let seenThroughRims = hits;
    if (openRims) {
      const throughRims = new Uint8Array(n);
      for (let i = 0; i < n; i++) throughRims[i] = through[i] || (openRims[i] && !base[i] && !reached[i]) ? 1 : 0;
      seenThroughRims = rayHits(throughRims, product, w, h);
    }
    const enclosed = new Uint8Array(n);
    let count = 0;
    for (let i = 0; i < n; i++)
      if (
        shadowOnly[i] &&
        !blocked[i] &&
        (allFour ? hits[i] === 15 : ENCLOSED[hits[i]!]) &&
        !betweenThickParts(hits[i]!, thick[i]!) &&
        (thick[i] === 0 || ENCLOSED[seenThroughRims[i]!])
      ) {
        enclosed[i] = 1;
        count++;
      }
    if (count === 0) return;
    // (seen past pockets, the rays cross far more of the frame: a line of floor shadow between
    // a shoe's sole and the unreached core of its shadow can look closed in too; a part of the
    // product is closed in as a whole)
    if (allFour) keepMostlyClosedIn(enclosed, shadowOnly, w, h);
    for (let i = 0; i < n; i++)
      if (enclosed[i]) {
        blocked[i] = 1;
        any = true;
      }
  };
  judge(transparent, false);
  // Shadow that the product closes in on all four sides, seen past every pocket, lies inside
  // the product: a light check on a stool's leg between two dark ones, whose ends the flood
  // reached through the JPEG ringing beside the dark checks (pockets, where the rays above
  // stopped as if at the open backdrop). A real shadow opens onto the backdrop somewhere:
  // floor shadow under a rung spreads out below the feet.
  if (pockets) {
    const pastPockets = new Uint8Array(n);
    for (let i = 0; i < n; i++) pastPockets[i] = transparent[i] || pockets[i] ? 1 : 0;
    judge(pastPockets, true);
  }
  return any;
}

/**
 * Background-coloured patches *inside* the product that the flood reached through the
 * silhouette, typically a specular highlight that crosses the backdrop's colour where it meets
 * the outline. A flooded pixel is enclosed if rays in 3 of the 4 directions hit the product
 * before leaving the background. Such a patch is given back to the product when its border with
 * the product is soft (a shading falloff, unlike the sharp edges around a real gap between
 * product parts) and it opens onto the rest of the background only through a narrow mouth, or
 * when its colour is consistently darker than the backdrop at its mouth (print or shading
 * just inside the per-pixel threshold, reached through an invisible stretch of outline) and,
 * if large, it faces the product more than the backdrop, or when it is shadow-coloured and
 * meets the product with no edge at all, neither at the contact nor a few pixels into the
 * product, even through a mouth too wide for the first rule (a grey product part that the
 * flood took for shadow, not floor shadow beside grey legs).
 */
function reclaimSoftEnclaves(bg: Uint8Array, cls: Classified, level: Level): void {
  const { w, h } = level;
  const n = w * h;
  let fgArea = 0;
  for (let i = 0; i < n; i++) if (!bg[i]) fgArea++;
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
    if (touchOpen) open[l]++;
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
    // a fifth of the product, and floor shadow open wide to the backdrop are left alone
    const seamless =
      meanG < 0.5 * thr &&
      stepAcross(across, acrossCount, l, cls.sigma) <= SEAMLESS_STEP &&
      shade[l]! >= 0.5 * area &&
      open[l]! < 0.5 * contact[l]! &&
      area >= 0.2 * fgArea &&
      area <= 0.6 * fgArea;
    // larger patches are real background (the space under a low-contrast stool's seat, bounded
    // by thick legs), unless much of their border is a thin ring of outline with the open
    // backdrop right behind it (a ball's shaded side, reached through a break in that ring)
    const small = area <= 0.3 * fgArea || (area <= 0.6 * fgArea && ring[l]! >= 0.3 * contact[l]!);
    // (a patch darker than its mouth is print only if it faces the product more than the
    // backdrop: the space under a key's shaft, open wide below, can be darker near a sweep's
    // horizon)
    const facesProduct = open[l]! < BAY_OPEN * contact[l]! || area < BAY_LARGE * fgArea;
    const darkBay = () => facesProduct && darkerThanMouth(l, cc, cand, bg, cls, level, sampledFor) >= BAY_OFFSET;
    if (seamless || (small && ((meanG < thr && open[l]! < 0.2 * contact[l]!) || darkBay()))) {
      reclaim[l] = 1;
      anyReclaim = true;
    }
  }
  if (!anyReclaim) return;
  for (let i = 0; i < n; i++) if (reclaim[cc.labels[i]!]) bg[i] = 0;
}

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

/** The pixel `depth` steps from `i` through its neighbour `j`, or -1 outside the level. */
function stepInside(i: number, j: number, depth: number, w: number, n: number): number {
  const d = j - i;
  const k = i + depth * d;
  if (k < 0 || k >= n) return -1;
  // a horizontal step must stay on the row
  if ((d === 1 || d === -1) && Math.floor(k / w) !== Math.floor(i / w)) return -1;
  return k;
}

/** Noise-normalised distance between a patch's mean colour at its contact and the product's beyond it. */
function stepAcross(across: Float64Array, count: Int32Array, l: number, sigma: [number, number, number]): number {
  const c = count[l]!;
  if (c === 0) return Infinity;
  const o = 6 * l;
  return Math.hypot(
    (across[o + 3]! - across[o]!) / c / sigma[0],
    (across[o + 4]! - across[o + 1]!) / c / sigma[1],
    (across[o + 5]! - across[o + 2]!) / c / sigma[2],
  );
}

/** Largest normalised distance from the model of a pixel that is as clean as the backdrop itself. */
const CLEAN_DIST = 1;
/** holes smaller than this (eroded level px) are judged by their middle ... */
const SMALL_HOLE = 100;
/** ... when that middle has at least this many pixels */
const SMALL_HOLE_MIDDLE = 8;
/** a hole's rim this many times sharper than required needs only a plain contrast */
const SHARP_RIM = 2;
/** A faint product's hole: its rim at least this share of the outer silhouette's edge and contrast. */
const FAINT_RIM = 0.75;
/** how much further out a hole looks for open backdrop to compare with when none is near */
const WIDE_REACH = 4;

/**
 * The reclaim rules decide per flooded patch, and a patch can straddle a real hole and the
 * product beside it (the handle's light stripe and half of a mug's handle hole, cut off from the
 * other half by a column where the enclosure rays escaped). Background enclosed by the product
 * grows back into flooded pixels that were given back but are as clean as the backdrop.
 */
function regrowEnclosedBackdrop(bg: Uint8Array, flooded: Uint8Array, cls: Classified, border: Uint8Array, w: number, h: number): void {
  const n = w * h;
  const enclosed = enclosedIn(invert(bg), w, h, border);
  if (!enclosed.includes(1)) return;
  const clean = new Uint8Array(n);
  for (let i = 0; i < n; i++) clean[i] = enclosed[i] || (flooded[i] && !bg[i] && cls.D[i]! <= CLEAN_DIST) ? 1 : 0;
  const grown = flood(enclosed, clean, w, h);
  for (let i = 0; i < n; i++) if (grown[i]) bg[i] = 1;
}

/** Lab residuals of sampled pixels against the background model, one list per channel. */
type Residuals = [number[], number[], number[]];

function pushResidual(into: Residuals, i: number, level: Level, model: [Float32Array, Float32Array, Float32Array]): void {
  into[0].push(level.L[i]! - model[0][i]!);
  into[1].push(level.A[i]! - model[1][i]!);
  into[2].push(level.B[i]! - model[2][i]!);
}

/** Per-channel difference of the medians (a - b): robust to noise and to a few stray pixels. */
function medianDifference(a: Residuals, b: Residuals): [number, number, number] {
  return [0, 1, 2].map((c) => quantile(a[c]!, 0.5) - quantile(b[c]!, 0.5)) as [number, number, number];
}

/**
 * Lab distance by which a patch's typical colour must differ from the backdrop's to count as
 * product: darker than the backdrop at its mouth, or print off the open backdrop's colour.
 */
const BAY_OFFSET = 3;
/** How far (level px) outside a patch its mouth's backdrop is sampled. */
const MOUTH_REACH = 3;

/**
 * How far (Lab units) the typical colour of patch `l` lies from the open backdrop just outside
 * its mouth, both as residuals against the background model; 0 when the patch is the lighter
 * one. Medians over many pixels: sensor noise averages out, while a product colour that sits
 * just inside the per-pixel threshold (light print on a light backdrop, shaded darker) still
 * shows. A real gap is the backdrop itself and matches its mouth; when it does not, it is
 * because a floor shadow darkens the mouth, never the gap. Only model-matching pixels count.
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
  return Math.hypot(dL, da, db);
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
function reclaimOffsetPrint(bg: Uint8Array, cls: Classified, level: Level): void {
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
    if (weight[i] && (mean[0]![i]! >= BAY_OFFSET || Math.hypot(mean[1]![i]!, mean[2]![i]!) >= BAY_OFFSET)) {
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
function offOpenBackdrop(sampled: { inside: Residuals; around: Residuals } | null): boolean {
  return sampled !== null && colourStep(sampled.inside, sampled.around) >= BAY_OFFSET;
}

/** Sampled residuals of patch `l` and of the open backdrop (not `off`) within half its size around it; null if too few. */
function residualsNear(
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
  for (let y = Math.max(0, y0 - r); y <= Math.min(h - 1, y1 + r); y += step)
    for (let x = Math.max(0, x0 - r); x <= Math.min(w - 1, x1 + r); x += step) {
      const i = y * w + x;
      if (cc.labels[i] === l) {
        pushResidual(inside, i, level, model);
        insideAt.push(i);
      } else if (open[i] && !off[i]) pushResidual(around, i, level, model);
    }
  return inside[0].length < 8 || around[0].length < 8 ? null : { inside, insideAt, around };
}

/** Largest hue difference (Lab units) between a hole and the open backdrop around it when the model is off there ... */
const HOLE_HUE_SHIFT = 1;
/** ... and for a hole at most SMOOTH_HOLE times as rough as the clean backdrop */
const SMOOTH_HOLE_HUE_SHIFT = 1.5;
const SMOOTH_HOLE = 0.5;

/**
 * Median normalised distance of the samples from their own median colour: the noise of a patch
 * without the model's bias (a hole under a ring, where the fit of a sweep is a unit or two off).
 */
function centredSpread(samples: Residuals, sigma: [number, number, number]): number {
  const mid = samples.map((c) => quantile(c, 0.5));
  const d = samples[0].map((_, k) => Math.hypot(...samples.map((c, ch) => (c[k]! - mid[ch]!) / sigma[ch]!)));
  return quantile(d, 0.5);
}

/** samples below which shadedSpread cannot fit a shading and falls back to centredSpread */
const SHADED_MIN_SAMPLES = 30;
/** share of the level's longer side a patch must span for shadedSpread to take out a quadratic shading */
const SHADED_MIN_SPAN = 0.25;

/**
 * centredSpread after taking out a smooth shading across the patch. A quadratic across a patch
 * that spans much of the level: a big hole (the middle of a large ring) spans enough of a
 * vignette or sweep that the model's error drifts across it by more than the noise, smoothly;
 * print and texture stay rough around any smooth fit. Across a small patch the backdrop's
 * drift is negligible, and a smooth shading there is the product's own (grey checks on a
 * metallic mug, lighter than the backdrop) unless the patch is darker than the open backdrop
 * around it (`darker`): then a plane, for the edge of a broad shadow that falls across a hole
 * and darkens it along one direction (the backdrop between a stool's lower legs, beside which
 * the shadow spreads).
 */
function shadedSpread(sampled: { inside: Residuals; insideAt: number[] }, box: [number, number, number, number], sigma: [number, number, number], w: number, h: number, darker: boolean): number {
  const { inside, insideAt } = sampled;
  const n = insideAt.length;
  const big = Math.max(box[2] - box[0], box[3] - box[1]) + 1 >= SHADED_MIN_SPAN * Math.max(w, h);
  const degree = big ? 2 : darker ? 1 : 0;
  if (n < SHADED_MIN_SAMPLES || degree === 0) return centredSpread(inside, sigma);
  const u = (i: number) => (2 * (i % w)) / w - 1;
  const v = (i: number) => (2 * Math.floor(i / w)) / h - 1;
  const s: Samples = { u: Float64Array.from(insideAt, u), v: Float64Array.from(insideAt, v), c0: Float64Array.from(inside[0]), c1: Float64Array.from(inside[1]), c2: Float64Array.from(inside[2]), n };
  // plain least squares (no re-weighting): print must not be fitted away as outliers
  const fit = robustFit(s, degree, 0);
  const shaded = [s.c0, s.c1, s.c2].map((c, ch) => insideAt.map((i, k) => c[k]! - evalPoint(fit.coef[ch]!, degree, u(i), v(i)))) as Residuals;
  return centredSpread(shaded, sigma);
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
function reclaimPrintChannels(bg: Uint8Array, cls: Classified, level: Level): Uint8Array | null {
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

/** Calls `look` with each 4-neighbour of pixel i that lies inside the w-wide level of n pixels. */
function forEachNeighbour4(i: number, w: number, n: number, look: (j: number) => void): void {
  const x = i % w;
  if (x > 0) look(i - 1);
  if (x < w - 1) look(i + 1);
  if (i >= w) look(i - w);
  if (i < n - w) look(i + w);
}

function invert(m: Uint8Array): Uint8Array {
  const out = new Uint8Array(m.length);
  for (let i = 0; i < m.length; i++) out[i] = m[i] ? 0 : 1;
  return out;
}

/** Erosion by the 3x3 square (a disc of radius 1.5); pixels outside the frame count as set. */
function erode3x3(mask: Uint8Array, w: number, h: number): Uint8Array {
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

function frameBorder(w: number, h: number): Uint8Array {
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

interface KeptComponents {
  mask: Uint8Array;
  area: number;
  box: [number, number, number, number] | null;
}

/**
 * Keeps the main subject and significant parts; drops specks and faint blobs. `prior` (is a
 * pixel on the coarse pass's product?) is the last resort: when nothing here is significant,
 * the areas that lie mostly on it are kept.
 */
function keepSignificant(fg: Uint8Array, D: Float32Array, w: number, h: number, minAbsArea: number, prior?: (i: number) => boolean): KeptComponents {
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
  const keep = new Uint8Array(cc.count + 1);
  const minArea = Math.max(minAbsArea, 0.01 * maxArea);
  for (let l = 1; l <= cc.count; l++) if (cc.area[l]! >= minArea && significant(l)) keep[l] = 1;
  return keptOf(cc, keep);
}

/** The components flagged in `keep` (per label) as one mask, with its area and bounding box. */
function keptOf(cc: ReturnType<typeof components>, keep: Uint8Array): KeptComponents {
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

interface CoarseResult {
  level: Level;
  model: PolyModel;
  cls: Classified;
  background: Uint8Array;
  kept: KeptComponents;
}

type FrameSide = "top" | "right" | "bottom" | "left";

/**
 * The coarse pass: background model, flood and significant product areas on the whole photo.
 * The model's first fit uses the frame's border ring, without `leaveOut` if given (a side the
 * product covers).
 */
function coarsePass(level: Level, leaveOut?: FrameSide): CoarseResult {
  const { w, h } = level;
  const n = w * h;
  const ring = Math.max(2, Math.round(0.04 * Math.min(w, h)));
  const inRing = (i: number) => {
    const y = (i / w) | 0;
    const x = i - y * w;
    const top = y < ring && leaveOut !== "top";
    const bottom = y >= h - ring && leaveOut !== "bottom";
    const left = x < ring && leaveOut !== "left";
    const right = x >= w - ring && leaveOut !== "right";
    return top || bottom || left || right;
  };
  let model = robustFit(samplesFrom(level, inRing, 6000), 2, 8, SIGMA_FLOOR);
  let planes = evalPlanes(model, w, h, level.map);
  let sigma: [number, number, number] = [
    Math.max(model.sigma[0], SIGMA_FLOOR[0]),
    Math.max(model.sigma[1], SIGMA_FLOOR[1]),
    Math.max(model.sigma[2], SIGMA_FLOOR[2]),
  ];
  let cls = classify(level, planes, sigma);
  const border = frameBorder(w, h);
  // seeds: frame border pixels that match the background model (never shadow-like ones:
  // a grey product cropped by the frame edge would otherwise be flooded from inside)
  const borderSeeds = (c: Classified) => {
    const s = new Uint8Array(n);
    for (let i = 0; i < n; i++) s[i] = border[i] && c.D[i]! <= T_DIST ? 1 : 0;
    return s;
  };
  let bg = floodBackground(borderSeeds(cls), cls, w, h);
  for (let iter = 0; iter < COARSE_REFITS; iter++) {
    const D = cls.D;
    const clean = (i: number) => bg[i] === 1 && D[i]! <= T_DIST;
    let count = 0;
    for (let i = 0; i < n; i++) if (clean(i)) count++;
    const degree = count > 0.3 * n ? 3 : 2;
    model = robustFit(samplesFrom(level, clean, 8000), degree, 4, SIGMA_FLOOR);
    planes = evalPlanes(model, w, h, level.map);
    sigma = noiseScales(level, planes, clean);
    cls = classify(level, planes, sigma, clean);
    bg = floodBackground(borderSeeds(cls), cls, w, h);
  }
  const fg = new Uint8Array(n);
  for (let i = 0; i < n; i++) fg[i] = bg[i] ? 0 : 1;
  const kept = keepSignificant(fg, cls.D, w, h, Math.max(4, 0.0004 * n));
  return { level, model, cls, background: bg, kept };
}

const MATTE_BAND = 3;
const MATTE_RADIUS = 6;
/**
 * how far (times T_DIST) the local foreground must stand out from the backdrop for the mix to
 * be trusted: at 1.5 the noise of a pixel's mix is about a seventh of the step, while the
 * binary mask of a faint product sits a pixel inside its outline (a half-covered pixel is
 * within T_DIST of the backdrop)
 */
const MATTE_CONTRAST = 1.5;
/** largest mix (alpha before clamping) outside the mask that is still a mix of F and B */
const MIX_OVERSHOOT = 1.25;
/** depth inside the mask (px) from which a colour that is no mix of F and B is opaque print */
const PRINT_DEPTH = 2;

/**
 * Soft alpha in [0,1] on the level from a binary mask. Near the boundary (within MATTE_BAND px)
 * alpha is re-estimated by projecting the pixel's linear colour onto the segment between the
 * local background colour B and the local foreground colour F (normalised box means over
 * pixels safely inside each region). This moves the boundary to the true 50% coverage line and
 * removes JPEG ringing / chroma bleeding next to high-contrast edges. Where F and B are too
 * close, or the pixel is not explained as a mix of F and B (texture), the binary mask is kept.
 */
function softAlpha(level: Level, fg: Uint8Array, D: Float32Array): Float32Array {
  // work on the window around the subject only
  const W = level.w;
  const H = level.h;
  let x0 = W;
  let y0 = H;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++)
      if (fg[y * W + x]) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
  const out = new Float32Array(W * H);
  if (x1 < 0) return out;
  const m = MATTE_RADIUS + MATTE_BAND + 2;
  x0 = Math.max(0, x0 - m);
  y0 = Math.max(0, y0 - m);
  x1 = Math.min(W - 1, x1 + m);
  y1 = Math.min(H - 1, y1 + m);
  const w = x1 - x0 + 1;
  const h = y1 - y0 + 1;
  const subFg = new Uint8Array(w * h);
  const subD = new Float32Array(w * h);
  const subRgb = Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y++) {
    const src = (y + y0) * W + x0;
    subFg.set(fg.subarray(src, src + w), y * w);
    subD.set(D.subarray(src, src + w), y * w);
    level.rgb.copy(subRgb, y * w * 3, src * 3, (src + w) * 3);
  }
  const a = softAlphaWindow(subRgb, w, h, subFg, subD);
  for (let y = 0; y < h; y++) out.set(a.subarray(y * w, y * w + w), (y + y0) * W + x0);
  return out;
}

function softAlphaWindow(rgb: Buffer, w: number, h: number, fg: Uint8Array, D: Float32Array): Float32Array {
  const n = w * h;
  const alpha = new Float32Array(n);
  for (let i = 0; i < n; i++) alpha[i] = fg[i]!;
  // chessboard distances to the other side of the boundary (fg pixels: to bg; bg pixels: to fg)
  const dIn = chessDistanceInside(fg, w, h);
  const dOut = chessDistanceTo(fg, w, h);
  const colour = new Float32Array(3 * n);
  for (let k = 0; k < 3 * n; k++) colour[k] = SRGB_TO_LINEAR[rgb[k]!]!;
  const sure = MATTE_BAND + 1;
  const wF = new Float32Array(n);
  const wB = new Float32Array(n);
  const dF = new Float32Array(n);
  // colour references: pixels safely inside each region; the cores of thin parts (>= 2 px
  // from the boundary) contribute with a small weight so thin structures still get estimates
  for (let i = 0; i < n; i++) {
    wF[i] = fg[i] ? (dIn[i]! >= sure ? 1 : dIn[i]! >= 2 ? 0.05 : 0) : 0;
    wB[i] = fg[i] ? 0 : dOut[i]! >= sure ? 1 : dOut[i]! >= 2 ? 0.05 : 0;
    dF[i] = wF[i]! * Math.min(D[i]!, 100);
  }
  const wFb = boxBlur(wF, w, h, MATTE_RADIUS);
  const wBb = boxBlur(wB, w, h, MATTE_RADIUS);
  const dFb = boxBlur(dF, w, h, MATTE_RADIUS);
  const planesF: Float32Array[] = [];
  const planesB: Float32Array[] = [];
  for (let c = 0; c < 3; c++) {
    const pf = new Float32Array(n);
    const pb = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const v = colour[i * 3 + c]!;
      pf[i] = v * wF[i]!;
      pb[i] = v * wB[i]!;
    }
    planesF.push(boxBlur(pf, w, h, MATTE_RADIUS));
    planesB.push(boxBlur(pb, w, h, MATTE_RADIUS));
  }
  const band2 = MATTE_BAND;
  const minW = 0.4 / ((2 * MATTE_RADIUS + 1) * (2 * MATTE_RADIUS + 1));
  for (let i = 0; i < n; i++) {
    const near = fg[i] ? dIn[i]! <= band2 : dOut[i]! <= band2;
    if (!near) continue;
    const wf = wFb[i]!;
    const wb = wBb[i]!;
    const fallback = () => {
      // thin parts / weak contrast: keep the binary decision, softened by one pixel
      const d = fg[i] ? dIn[i]! - 0.5 : 0.5 - dOut[i]!;
      alpha[i] = Math.min(1, Math.max(0, 0.5 + 0.5 * d));
    };
    if (wf < minW || wb < minW) {
      fallback();
      continue;
    }
    // the foreground must stand out clearly from the background for the projection to be trusted
    if (dFb[i]! / wf < MATTE_CONTRAST * T_DIST) {
      fallback();
      continue;
    }
    let num = 0;
    let den = 0;
    let ii = 0;
    const Fv = [0, 0, 0];
    const Bv = [0, 0, 0];
    const Iv = [0, 0, 0];
    for (let c = 0; c < 3; c++) {
      Fv[c] = planesF[c]![i]! / wf;
      Bv[c] = planesB[c]![i]! / wb;
      Iv[c] = colour[i * 3 + c]!;
    }
    if (fg[i]) pickTexturedForeground(colour, w, h, i, dIn, D, Iv, Bv, Fv);
    for (let c = 0; c < 3; c++) {
      num += (Iv[c]! - Bv[c]!) * (Fv[c]! - Bv[c]!);
      den += (Fv[c]! - Bv[c]!) * (Fv[c]! - Bv[c]!);
      ii += (Iv[c]! - Bv[c]!) * (Iv[c]! - Bv[c]!);
    }
    if (den < 1e-6) {
      fallback();
      continue;
    }
    const a = num / den;
    // residual of the two-colour mix, relative to the F-B separation
    const res = Math.max(0, ii - (num * num) / den) / den;
    // unexplained colour (texture/print) inside the subject is opaque; at the outline only where
    // the mix says mostly foreground, since JPEG chroma bleeding a pixel past the outline is
    // unexplained too. Further in it is print whatever the mix says: light dots on a thin dark
    // band project towards a grey backdrop and were cut out as holes.
    if (fg[i] && res > 0.2 && (a > 0.5 || dIn[i]! >= PRINT_DEPTH)) {
      alpha[i] = 1;
      continue;
    }
    // (outside the mask, a colour well past the foreground's own is no mix of the two: shadow
    // darker than a grey product beside it)
    if (!fg[i] && a > MIX_OVERSHOOT) {
      fallback();
      continue;
    }
    alpha[i] = a < 0 ? 0 : a > 1 ? 1 : a;
  }
  return alpha;
}

/** radius (px) of the window of foreground samples an edge pixel of a textured product picks from */
const PICK_RADIUS = 4;
/** depth inside the mask (px) of those samples: clear of the outline's own mixed pixels (2 if none is) */
const PICK_DEPTH = 3;
/**
 * spread of the foreground colours in that window, against their mean's step from the backdrop,
 * above which the mean is no colour of the product: checks, stripes, dots. (At 0.6 the
 * shading and highlights of faint untextured products passed too, and their outlines moved.)
 */
const TEXTURE_SPREAD = 1;
/** squared residual (linear RGB) of a mix with a sample at which the sample's weight is 1/e */
const PICK_RESIDUAL = 2e-4;

/**
 * On a textured product the box mean of the foreground is a colour the product does not have
 * (dark and light checks average to about a mid-grey backdrop), so an edge pixel projected onto
 * it gets any alpha: a small checked shoe lost its outline's checks. There, F becomes the mean of
 * nearby foreground samples weighted by how well each explains the pixel as a mix with B: a
 * dark check's edge pixel picks the dark samples. Untextured products keep the box mean (`F`
 * unchanged): picking among shades of one colour only adds noise. Only pixels inside the mask
 * pick: outside, a contact shadow would pick a dark check and pass for its mix with the backdrop.
 */
function pickTexturedForeground(colour: Float32Array, w: number, h: number, i: number, dIn: Uint8Array, D: Float32Array, I: number[], B: number[], F: number[]): void {
  const x = i % w;
  const y = (i - x) / w;
  const xa = Math.max(0, x - PICK_RADIUS);
  const xb = Math.min(w - 1, x + PICK_RADIUS);
  const ya = Math.max(0, y - PICK_RADIUS);
  const yb = Math.min(h - 1, y + PICK_RADIUS);
  for (let depth = PICK_DEPTH; depth >= 2; depth--) {
    let count = 0;
    let m0 = 0;
    let m1 = 0;
    let m2 = 0;
    let squares = 0;
    for (let yy = ya; yy <= yb; yy++)
      for (let j = yy * w + xa, end = yy * w + xb; j <= end; j++) {
        if (dIn[j]! < depth) continue;
        const c0 = colour[3 * j]!;
        const c1 = colour[3 * j + 1]!;
        const c2 = colour[3 * j + 2]!;
        m0 += c0;
        m1 += c1;
        m2 += c2;
        squares += c0 * c0 + c1 * c1 + c2 * c2;
        count++;
      }
    if (count === 0) continue;
    m0 /= count;
    m1 /= count;
    m2 /= count;
    const spread = Math.sqrt(Math.max(0, squares / count - (m0 * m0 + m1 * m1 + m2 * m2)));
    const step = Math.hypot(m0 - B[0]!, m1 - B[1]!, m2 - B[2]!);
    if (spread < TEXTURE_SPREAD * step) return;
    // samples too close to the backdrop (a grey check on grey) say nothing about the mix
    const minD = MATTE_CONTRAST * T_DIST;
    const e0 = I[0]! - B[0]!;
    const e1 = I[1]! - B[1]!;
    const e2 = I[2]! - B[2]!;
    let sw = 0;
    let f0 = 0;
    let f1 = 0;
    let f2 = 0;
    for (let yy = ya; yy <= yb; yy++)
      for (let j = yy * w + xa, end = yy * w + xb; j <= end; j++) {
        if (dIn[j]! < depth || D[j]! < minD) continue;
        const d0 = colour[3 * j]! - B[0]!;
        const d1 = colour[3 * j + 1]! - B[1]!;
        const d2 = colour[3 * j + 2]! - B[2]!;
        const den = d0 * d0 + d1 * d1 + d2 * d2;
        if (den < 1e-6) continue;
        let a = (e0 * d0 + e1 * d1 + e2 * d2) / den;
        a = a < 0 ? 0 : a > 1 ? 1 : a;
        const r0 = e0 - a * d0;
        const r1 = e1 - a * d1;
        const r2 = e2 - a * d2;
        const weight = Math.exp(-(r0 * r0 + r1 * r1 + r2 * r2) / PICK_RESIDUAL);
        sw += weight;
        f0 += weight * colour[3 * j]!;
        f1 += weight * colour[3 * j + 1]!;
        f2 += weight * colour[3 * j + 2]!;
      }
    if (sw > 1e-9) {
      F[0] = f0 / sw;
      F[1] = f1 / sw;
      F[2] = f2 / sw;
      return;
    }
  }
}

/** Calls `visit` with each fg pixel 4-adjacent to flooded background, the frame's edge left out. */
function forEachSilhouettePixel(fg: Uint8Array, bg: Uint8Array, w: number, h: number, visit: (i: number) => void): void {
  for (let y = 1; y < h - 1; y++)
    for (let x = 1; x < w - 1; x++) {
      const i = y * w + x;
      if (fg[i] && (bg[i - 1] || bg[i + 1] || bg[i - w] || bg[i + w])) visit(i);
    }
}

/** Mean gradient magnitude on the outer silhouette (fg pixels 4-adjacent to flooded background). */
function silhouetteEdgeStrength(fg: Uint8Array, bg: Uint8Array, G: Float32Array, w: number, h: number): number {
  let sum = 0;
  let cnt = 0;
  forEachSilhouettePixel(fg, bg, w, h, (i) => {
    sum += G[i]!;
    cnt++;
  });
  return cnt ? sum / cnt : 0;
}

interface FineResult {
  level: Level;
  alpha: Float32Array;
  crop: { left: number; top: number; width: number; height: number };
  bgMean: { L: number; a: number; b: number };
}

async function finePass(image: RasterImage, coarse: CoarseResult): Promise<FineResult> {
  const c = coarse.level;
  const box = boxWithNearbyParts(coarse);
  // coarse box -> full-res crop with margin
  const fx0 = box[0] * c.map.sx;
  const fy0 = box[1] * c.map.sy;
  const fx1 = (box[2] + 1) * c.map.sx;
  const fy1 = (box[3] + 1) * c.map.sy;
  const margin = Math.max(12, 0.08 * Math.max(fx1 - fx0, fy1 - fy0), 3 * c.map.sx);
  const left = Math.max(0, Math.floor(fx0 - margin));
  const top = Math.max(0, Math.floor(fy0 - margin));
  const right = Math.min(image.width, Math.ceil(fx1 + margin));
  const bottom = Math.min(image.height, Math.ceil(fy1 + margin));
  const crop = { left, top, width: right - left, height: bottom - top };
  const level = await makeLevel(image, crop, FINE_SIDE);
  const { w, h } = level;
  const n = w * h;

  // coarse masks mapped to this level
  const coarseIndex = new Int32Array(n);
  for (let y = 0; y < h; y++) {
    const cy = Math.min(c.h - 1, Math.max(0, Math.floor((level.map.oy + (y + 0.5) * level.map.sy) / c.map.sy)));
    for (let x = 0; x < w; x++) {
      const cx = Math.min(c.w - 1, Math.max(0, Math.floor((level.map.ox + (x + 0.5) * level.map.sx) / c.map.sx)));
      coarseIndex[y * w + x] = cy * c.w + cx;
    }
  }
  const coarseBgSure = erode(coarse.background, c.w, c.h, 2);
  const coarseClean = (i: number) => coarseBgSure[coarseIndex[i]!] === 1 && coarse.cls.D[coarseIndex[i]!]! <= T_DIST;

  const planes = evalPlanes(coarse.model, w, h, level.map);
  const sigma = noiseScales(level, planes, coarseClean);
  const cls = classify(level, planes, sigma, coarseClean);

  const border = frameBorder(w, h);
  const seeds = Uint8Array.from(border);
  for (let i = 0; i < n; i++) {
    if (coarseBgSure[coarseIndex[i]!]) seeds[i] = 1;
    if (cls.D[i]! > T_DIST) seeds[i] = 0;
  }
  const bg = floodBackground(seeds, cls, w, h);
  const flooded = Uint8Array.from(bg);
  reclaimSoftEnclaves(bg, cls, level);
  reclaimOffsetPrint(bg, cls, level);
  const printChannels = reclaimPrintChannels(bg, cls, level);
  regrowEnclosedBackdrop(bg, flooded, cls, border, w, h);
  openSoftBands(bg, cls, level);

  // --- enclosed background (holes) vs. small noise holes
  const notBg = new Uint8Array(n);
  let fgArea = 0;
  for (let i = 0; i < n; i++)
    if (!bg[i]) {
      notBg[i] = 1;
      fgArea++;
    }
  const cand = new Uint8Array(n);
  for (let i = 0; i < n; i++) cand[i] = notBg[i] && cls.D[i]! <= T_DIST && !printChannels?.[i] ? 1 : 0;
  const candCore = erode3x3(cand, w, h);
  const cc = components(candCore, w, h, false);
  const minHole = Math.max(12, 0.003 * fgArea);
  const holeSeeds = new Uint8Array(n);
  if (cc.count > 0) {
    // Reference statistics of clean background: distribution of D and edge strength of the
    // product's outer silhouette.
    const refD: number[] = [];
    const stepR = Math.max(1, Math.floor(n / 30000));
    for (let i = 0; i < n; i += stepR) if (bg[i] && coarseClean(i)) refD.push(cls.D[i]!);
    const refMedian = refD.length > 30 ? quantile(refD, 0.5) : 1.5;
    const outerEdge = silhouetteEdgeStrength(notBg, bg, cls.G, w, h);
    const openBackdrop = new Float32Array(n);
    for (let i = 0; i < n; i++) openBackdrop[i] = bg[i] && !cls.shadowLike[i] ? 1 : 0;
    const ok = new Uint8Array(cc.count + 1);
    const perComp: number[][] = [];
    for (let l = 0; l <= cc.count; l++) perComp.push([]);
    // (sampled: a few thousand values per component are plenty for a median)
    const seen = new Int32Array(cc.count + 1);
    for (let i = 0; i < n; i++) {
      const l = cc.labels[i]!;
      if (!l || cc.area[l]! < minHole) continue;
      const every = Math.max(1, Math.floor(cc.area[l]! / 3000));
      if (seen[l]++ % every === 0) perComp[l]!.push(cls.D[i]!);
    }
    // a small hole is mostly within the blur and JPEG ringing of its dark rim: judge it by its
    // middle (one more erosion) where that leaves enough pixels
    const inner: (number[] | null)[] = perComp.map(() => null);
    const smallCore = erode3x3(candCore, w, h);
    for (let i = 0; i < n; i++) {
      const l = cc.labels[i]!;
      if (!l || !smallCore[i] || cc.area[l]! < minHole || cc.area[l]! >= SMALL_HOLE) continue;
      (inner[l] ??= []).push(cls.D[i]!);
    }
    for (let l = 1; l <= cc.count; l++) {
      if (cc.area[l]! < minHole) continue;
      // a real hole shows the background itself: same distance statistics as clean background,
      // or as the background right around the product there (e.g. both under a cast shadow)
      const med = quantile(perComp[l]!, 0.5);
      const middle = inner[l];
      const [bx0, by0, bx1, by1] = cc.box[l]!;
      const r = Math.max(12, Math.round(0.5 * Math.max(bx1 - bx0, by1 - by0)));
      const local: number[] = [];
      const stepL = Math.max(1, Math.round(r / 12));
      for (let y = Math.max(0, by0 - r); y <= Math.min(h - 1, by1 + r); y += stepL)
        for (let x = Math.max(0, bx0 - r); x <= Math.min(w - 1, bx1 + r); x += stepL) {
          const i = y * w + x;
          if (bg[i]) local.push(cls.D[i]!);
        }
      const localMedian = local.length > 30 ? quantile(local, 0.5) : refMedian;
      const cleanD = Math.max(2 * refMedian, 0.3 * T_DIST);
      let likeClean = med <= cleanD;
      const likeLocal = Math.abs(med - localMedian) <= 1;
      // ... or as smooth as the clean backdrop and of the colour of the open backdrop around it,
      // where the model is off (the middle of a big ring on a sweep). A sweep's misfit shifts
      // lightness more than hue; light checks a shade off the backdrop differ in both.
      const sampled = residualsNear(l, cc, candCore, openBackdrop, level, cls.model);
      const shift = sampled ? medianDifference(sampled.inside, sampled.around) : null;
      // (no open backdrop near the middle of a big part, such as a key's bow: look further out)
      const likeAround = () => {
        const near = sampled ?? residualsNear(l, cc, candCore, openBackdrop, level, cls.model, WIDE_REACH);
        const step = sampled ? shift : near ? medianDifference(near.inside, near.around) : null;
        if (step === null || Math.abs(step[0]) >= BAY_OFFSET) return false;
        // (darker than the open backdrop: in a shadow, which may shade it)
        const spread = shadedSpread(near!, cc.box[l]!, cls.sigma, w, h, step[0] < 0);
        // (a patch half as rough as the clean backdrop is no print or texture, and may be off
        // in hue by more: the middle of a big ring under a strong vignette, whose curve the
        // quadratic model cannot follow there)
        const hueShift = Math.hypot(step[1], step[2]);
        return spread <= cleanD && (hueShift < HOLE_HUE_SHIFT || (hueShift < SMOOTH_HOLE_HUE_SHIFT && spread <= SMOOTH_HOLE * cleanD));
      };
      // (the middle of a small hole: unless it is measurably off the open backdrop's colour,
      // like a light stripe between dark ones)
      const offColour = shift !== null && (Math.abs(shift[0]) >= BAY_OFFSET || Math.hypot(shift[1], shift[2]) >= HOLE_HUE_SHIFT);
      if (!likeClean && middle && middle.length >= SMALL_HOLE_MIDDLE && !offColour) likeClean = quantile(middle, 0.5) <= cleanD;
      if (!likeClean && !likeLocal && !likeAround()) continue;
      // ... and not light print of another hue (white stripes on a tinted backdrop), which
      // reclaimOffsetPrint gave back for the same reason
      if (offOpenBackdrop(sampled)) continue;
      ok[l] = 1;
    }
    for (let i = 0; i < n; i++) if (ok[cc.labels[i]!]) holeSeeds[i] = 1;
    // ... and is bounded by the product itself: just outside the candidate there must be a
    // sharp edge and clearly non-background colour (as on the product's outer silhouette),
    // not a soft shading falloff (highlights, bright print matching the backdrop). The edge is
    // judged by its upper quartile: a metallic ring's inner rim can fade to the backdrop's
    // colour over half its length and still be a sharp edge elsewhere.
    if (holeSeeds.some((v) => v === 1)) {
      const grown = flood(holeSeeds, cand, w, h);
      const hc = components(grown, w, h, false);
      const dHole = chessDistanceTo(grown, w, h);
      const dBg = chessDistanceTo(bg, w, h);
      const outerD: number[] = [];
      for (let i = 0; i < n; i++) if (notBg[i] && dBg[i]! >= 2 && dBg[i]! <= 3) outerD.push(cls.D[i]!);
      const outerMedD = outerD.length ? quantile(outerD, 0.5) : 0;
      const ringG: number[][] = [];
      const ringD: number[][] = [];
      for (let l = 0; l <= hc.count; l++) {
        ringG.push([]);
        ringD.push([]);
      }
      const lab = hc.labels;
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++) {
          const i = y * w + x;
          const d2 = dHole[i]!;
          if (d2 === 0 || d2 > 3) continue;
          let l = 0;
          for (let dy = -3; dy <= 3 && !l; dy++)
            for (let dx = -3; dx <= 3 && !l; dx++) {
              const yy = y + dy;
              const xx = x + dx;
              if (yy >= 0 && yy < h && xx >= 0 && xx < w) l = lab[yy * w + xx]!;
            }
          if (!l) continue;
          if (d2 <= 2) ringG[l]!.push(cls.G[i]!);
          if (d2 >= 2) ringD[l]!.push(cls.D[i]!);
        }
      const accepted = new Uint8Array(hc.count + 1);
      for (let l = 1; l <= hc.count; l++) {
        const g = ringG[l]!.length ? quantile(ringG[l]!, 0.75) : 0;
        const d = ringD[l]!.length ? quantile(ringD[l]!, 0.5) : 0;
        const needG = Math.max(cls.gradThreshold, 0.35 * outerEdge);
        const clearly = d >= Math.max(1.5 * T_DIST, Math.min(0.4 * outerMedD, 2.5 * T_DIST));
        // (a very sharp rim needs less contrast: the rim of a big ring striped black and white
        // on a pastel backdrop is half white, a little below the outer silhouette's share)
        if (g >= needG && (clearly || (g >= SHARP_RIM * needG && d >= 1.5 * T_DIST))) accepted[l] = 1;
        // (a faint product's outline is itself under those floors: the handle of a white bag on
        // a pale tint is an outline like its outer one, as sharp and as far off the backdrop)
        else if (g >= FAINT_RIM * outerEdge && d >= T_DIST && d >= FAINT_RIM * outerMedD) accepted[l] = 1;
      }
      for (let i = 0; i < n; i++) if (holeSeeds[i] && !accepted[lab[i]!]) holeSeeds[i] = 0;
    }
  }
  // A validated hole may contain the product's shadow (e.g. the lower part of a ring's hole):
  // grow it through smooth shadow too, but only where that shadow stays clear of the outer
  // background. A grey product whose inner edge has the colour of the shadow would otherwise
  // be flooded from its own hole all the way to its outer silhouette.
  const holesClean = flood(holeSeeds, cand, w, h);
  const passInside = new Uint8Array(n);
  for (let i = 0; i < n; i++) passInside[i] = notBg[i] && cls.passable[i] ? 1 : 0;
  const holesAll = flood(holeSeeds, passInside, w, h);
  const holes = holesClean;
  const extra = new Uint8Array(n);
  let anyExtra = false;
  for (let i = 0; i < n; i++)
    if (holesAll[i] && !holesClean[i]) {
      extra[i] = 1;
      anyExtra = true;
    }
  if (anyExtra) {
    const dOuter = chessDistanceTo(bg, w, h);
    const ec = components(extra, w, h, false);
    const nearOuter = new Uint8Array(ec.count + 1);
    for (let i = 0; i < n; i++) if (ec.labels[i] && dOuter[i]! <= 3) nearOuter[ec.labels[i]!] = 1;
    for (let i = 0; i < n; i++) if (ec.labels[i] && !nearOuter[ec.labels[i]!]) holes[i] = 1;
  }

  const fg = new Uint8Array(n);
  for (let i = 0; i < n; i++) fg[i] = !bg[i] && !holes[i] ? 1 : 0;
  const onCoarseProduct = (i: number) => coarse.kept.mask[coarseIndex[i]!] === 1;
  dropShadowLines(fg, cls, w, h);
  const kept = keepSignificant(fg, cls.D, w, h, Math.max(6, 0.0004 * (w * h)), onCoarseProduct);
  const mask = await refineByRegions(level, cls, kept, flooded);
  const alpha = softAlpha(level, mask, cls.D);

  // mean background colour (model over clean background pixels)
  let sL = 0;
  let sa = 0;
  let sb = 0;
  let cnt = 0;
  const cd = coarse.cls.D;
  for (let i = 0; i < c.w * c.h; i++)
    if (coarse.background[i] && cd[i]! <= T_DIST) {
      sL += coarse.cls.model[0][i]!;
      sa += coarse.cls.model[1][i]!;
      sb += coarse.cls.model[2][i]!;
      cnt++;
    }
  const bgMean = cnt ? { L: sL / cnt, a: sa / cnt, b: sb / cnt } : { L: 100, a: 0, b: 0 };
  return { level, alpha, crop, bgMean };
}

/** longest run (level px) of soft shadow between two stretches of flooded backdrop that is opened */
const SOFT_BAND = 12;
/** least step in L (Lab) between a soft band's two ends, and how far (L) past them it may stray */
const SOFT_BAND_STEP = 2;
const SOFT_BAND_SLACK = 1;

/**
 * Opens thin bands of soft shadow left between two stretches of flooded backdrop: along a row
 * or a column, a run of at most SOFT_BAND shadow-like pixels, each smooth or on a blurred step
 * and at least one blurred, with flooded backdrop at both ends. The upper rim of a hard contact
 * shadow between headphone cups or stool legs is such a band: closed in by the product on three
 * sides, it stayed shut to the flood (and was kept as product), though the backdrop above it and
 * the shadow's core below were both flooded. A product part's outline is sharp, neither smooth
 * nor blurred, so no run crosses one; nor does a run cross a part of shadow's colour whose
 * outline is faint, since the band must ramp from one end's lightness to the other's.
 */
function openSoftBands(bg: Uint8Array, cls: Classified, level: Level): void {
  const { w, h } = level;
  const soft = (i: number) => !bg[i] && cls.shadowLike[i] === 1 && (cls.passable[i] === 1 || cls.softRim[i] === 1);
  const open = new Uint8Array(w * h);
  const L = level.L;
  // from the backdrop's side down to the shadow's core: a ramp between the two ends (a light
  // check on a stool's leg, the backdrop's colour on either side, dips below both)
  const isRamp = (start: number, step: number, a: number, b: number) => {
    const la = L[start + a * step]!;
    const lb = L[start + b * step]!;
    const lo = Math.min(la, lb);
    const hi = Math.max(la, lb);
    if (hi - lo < SOFT_BAND_STEP) return false;
    for (let t = a + 1; t < b; t++) {
      const v = L[start + t * step]!;
      if (v < lo - SOFT_BAND_SLACK || v > hi + SOFT_BAND_SLACK) return false;
    }
    return true;
  };
  const openRuns = (start: number, step: number, len: number) => {
    for (let k = 0; k < len; ) {
      if (!soft(start + k * step)) {
        k++;
        continue;
      }
      let end = k;
      let blurred = false;
      for (; end < len && soft(start + end * step); end++) if (cls.softRim[start + end * step]) blurred = true;
      if (blurred && k > 0 && end < len && end - k <= SOFT_BAND && bg[start + (k - 1) * step] && bg[start + end * step] && isRamp(start, step, k - 1, end))
        for (let t = k; t < end; t++) open[start + t * step] = 1;
      k = end;
    }
  };
  for (let y = 0; y < h; y++) openRuns(y * w, 1, w);
  for (let x = 0; x < w; x++) openRuns(x, w, h);
  for (let i = 0; i < w * h; i++) if (open[i]) bg[i] = 1;
}

/**
 * Drops parts of `fg` that are lines (no pixel with all eight neighbours in `fg`) of mostly
 * shadow-like colour, apart from the product: the strips of a hard contact shadow (2 px soft)
 * that the ray rules blocked between two of its own edges, which are too sharp to be passable.
 * The largest part stays, whatever its shape.
 */
function dropShadowLines(fg: Uint8Array, cls: Classified, w: number, h: number): void {
  const n = w * h;
  const cc = components(fg, w, h, true);
  if (cc.count < 2) return;
  const core = erode3x3(fg, w, h);
  const cored = new Uint8Array(cc.count + 1);
  const shadow = new Int32Array(cc.count + 1);
  let largest = 1;
  for (let l = 2; l <= cc.count; l++) if (cc.area[l]! > cc.area[largest]!) largest = l;
  cored[largest] = 1;
  for (let i = 0; i < n; i++) {
    const l = cc.labels[i]!;
    if (!l) continue;
    if (core[i]) cored[l] = 1;
    shadow[l] += cls.shadowLike[i]!;
  }
  for (let i = 0; i < n; i++) {
    const l = cc.labels[i]!;
    if (l && !cored[l] && 2 * shadow[l]! >= cc.area[l]!) fg[i] = 0;
  }
}

/** how far (share of the product's longer side) unkept coarse parts may lie to widen the fine crop */
const NEARBY_PARTS = 0.1;

/**
 * The kept product's coarse bounding box, widened to the unflooded parts near it that were
 * not kept on their own: a part joined to the product only by a line thinner than a coarse
 * pixel (a faint lamp base below a thin stem, inside its contact shadow) is a separate, weak
 * component at the coarse level, and outside the crop the fine level would never see it. The
 * fine level decides whether it is product. Parts that are mostly shadow-like are left out:
 * specks of floor shadow only move the crop, and with it the fine level's noise estimate.
 */
function boxWithNearbyParts(coarse: CoarseResult): [number, number, number, number] {
  const { w, h } = coarse.level;
  const box: [number, number, number, number] = [...coarse.kept.box!];
  const gap = Math.max(3, Math.round(NEARBY_PARTS * Math.max(box[2] - box[0], box[3] - box[1])));
  const near = dilate(coarse.kept.mask, w, h, gap);
  const cc = components(invert(coarse.background), w, h, true);
  const touched = new Uint8Array(cc.count + 1);
  for (let i = 0; i < w * h; i++) if (near[i] && cc.labels[i]) touched[cc.labels[i]!] = 1;
  const shadowy = new Float64Array(cc.count + 1);
  for (let i = 0; i < w * h; i++) if (cc.labels[i] && coarse.cls.shadowLike[i]) shadowy[cc.labels[i]!]++;
  for (let l = 1; l <= cc.count; l++) {
    if (!touched[l] || shadowy[l]! >= 0.5 * cc.area[l]!) continue;
    const b = cc.box[l]!;
    box[0] = Math.min(box[0], b[0]);
    box[1] = Math.min(box[1], b[1]);
    box[2] = Math.max(box[2], b[2]);
    box[3] = Math.max(box[3], b[3]);
  }
  return box;
}

/** width of the band around the mask that GrabCut may give to the product, as a share of its size */
const REGION_BAND = 0.1;
/** holes of at least this share of the product's area are left to the hole tests */
const HOLE_PROTECTED = 0.02;
/** most the cut may add to, or take from, the product, as shares of its area (see refineByRegions) */
const MAX_ADDED = 0.3;
const MAX_REMOVED = 0.1;
/** share of a region the cut removes that must look like backdrop (within the noise, or shadow) */
const REMOVED_LIKE = 0.5;
/** share of an added region's outline along the product for it to be a refilled leak */
const REFILL_ENCLOSED = 0.75;
/** share of a part of the mask a removal must cover, and of shadow in it, to be floor shadow */
const SHADOW_BLOB = 0.9;
/** a detached part is at least this far (level pixels) from the rest of the product */
const DETACHED_GAP = 3;
/** GrabCut iterations (colour models refitted, cut redone) */
const REGION_ITERATIONS = 2;

/**
 * Region-level second opinion on the mask (see grabcut.server.ts): pixels clearly unlike the
 * backdrop and not shadow, and pixels the reclaim rules gave back from the flood (`flooded`),
 * stay product; the rest of the mask and a band around it are open.
 * Only changes that are regions, not a pixel of boundary jitter, are taken.
 */
async function refineByRegions(level: Level, cls: Classified, kept: KeptComponents, flooded: Uint8Array): Promise<Uint8Array> {
  const { w, h } = level;
  const n = w * h;
  if (!kept.box) return kept.mask;
  const [bx0, by0, bx1, by1] = kept.box;
  const band = Math.max(6, Math.round(REGION_BAND * Math.max(bx1 - bx0 + 1, by1 - by0 + 1)));
  const near = chessDistanceTo(kept.mask, w, h);
  const trimap = new Uint8Array(n);
  const area = kept.area;
  for (let i = 0; i < n; i++) {
    if (kept.mask[i]) {
      // pixels the reclaim rules gave back from the flood (print a shade off the backdrop)
      // were decided on evidence the colour models do not weigh
      const sure = (cls.D[i]! > 2 * T_DIST && !cls.shadowLike[i]) || flooded[i] === 1;
      trimap[i] = sure ? TRIMAP.product : TRIMAP.maybeProduct;
    } else trimap[i] = near[i]! <= band ? TRIMAP.maybeBackdrop : TRIMAP.backdrop;
  }
  // Big holes passed the hole tests (a handle, a ring's middle) and stay: a small product's
  // colour model can hold enough of the backdrop's colour, from its mixed outline, to fill
  // them. Small ones stay open to the cut (print dots of the backdrop's colour).
  const holes = components(enclosedIn(kept.mask, w, h), w, h, false);
  const bigHole = Math.max(HOLE_PROTECTED * area, 1);
  for (let i = 0; i < n; i++) if (holes.labels[i] && holes.area[holes.labels[i]!]! >= bigHole) trimap[i] = TRIMAP.backdrop;
  const cut = await grabCutMask(level.rgb, w, h, trimap, REGION_ITERATIONS);
  const changed = new Uint8Array(n);
  for (let i = 0; i < n; i++) changed[i] = cut[i] !== kept.mask[i] ? 1 : 0;
  const solid = dilate(erode(changed, w, h, 1), w, h, 1);
  const cc = components(solid, w, h, false);
  const minArea = Math.max(12, 0.002 * area);
  // A removal must look like backdrop to the per-pixel model too (within its noise, or
  // shadow): a product's own shade that the colour models cannot place (a pastel band's darker
  // side on grey) stays.
  const backdropLike = new Int32Array(cc.count + 1);
  for (let i = 0; i < n; i++) if (changed[i] && !cut[i] && (cls.D[i]! <= T_DIST || cls.shadowLike[i])) backdropLike[cc.labels[i]!]++;
  const outward = backdropToCropEdge(level, cls, cut, changed, cc);
  const taken = (i: number) => {
    const l = cc.labels[i]!;
    return changed[i] === 1 && l > 0 && cc.area[l]! >= minArea && !outward[l] && (cut[i] === 1 || backdropLike[l]! >= REMOVED_LIKE * cc.area[l]!);
  };
  const solo = judgedAlone(cls, kept.mask, changed, cc, w, h);
  const alone = (i: number) => solo[cc.labels[i]!] === 1;
  let added = 0;
  let removed = 0;
  for (let i = 0; i < n; i++) if (taken(i) && !alone(i)) cut[i] ? added++ : removed++;
  // The cut corrects the rim; when it wants to redraw much of the product, its colour models
  // are confused (print of the backdrop's colour, shadow of the product's) and that direction
  // of change is dropped.
  const mayAdd = added <= MAX_ADDED * area;
  const mayRemove = removed <= MAX_REMOVED * area;
  const mask = Uint8Array.from(kept.mask);
  for (let i = 0; i < n; i++) if (taken(i) && (alone(i) || (cut[i] ? mayAdd : mayRemove))) mask[i] = cut[i]!;
  keepPrintOfOwnColour(level, cls, kept.mask, mask);
  reopenHolesOfForeignColour(level, cls, kept.mask, holes, mask);
  return mask;
}

/** share of an addition that must be shadow-like for it to be floor shadow when it reaches the crop's edge */
const OUTWARD_SHADOW = 0.5;
/** ... or as clean as the backdrop itself (normalised distance within CLEAN_DIST) */
const OUTWARD_CLEAN = 0.5;

/**
 * Regions of change (labelled by `cc`) that add mostly shadow-like pixels, or pixels as clean as
 * the backdrop itself, and reach an edge of the crop that lies inside the photo: they run out
 * past the margin the crop keeps around the product, so they are floor shadow or open backdrop,
 * however much the product's colour model likes them (a small stool's wide shadow band once a
 * bay of it was in the mask; the light grey above a seat with light grey blotches). A white
 * product's shaded side that the coarse pass missed can reach the crop's edge too, but it is
 * neither shadow-like nor that clean. Clean additions that reach the photo's own frame are
 * open backdrop too (the hole of a mug's handle that the frame cuts off, filled by a colour
 * model that holds the light band on the mug); shadow-like ones there may be a grey product
 * that the frame cuts off.
 */
function backdropToCropEdge(level: Level, cls: Classified, cut: Uint8Array, changed: Uint8Array, cc: ReturnType<typeof components>): Uint8Array {
  const { w, h } = level;
  const { ox, oy, sx, sy, FW, FH } = level.map;
  const inner = [ox > 0, oy > 0, ox + w * sx < FW - 0.5, oy + h * sy < FH - 0.5];
  const atEdge = new Uint8Array(cc.count + 1);
  const atFrame = new Uint8Array(cc.count + 1);
  const added = new Int32Array(cc.count + 1);
  const shadow = new Int32Array(cc.count + 1);
  const clean = new Int32Array(cc.count + 1);
  for (let i = 0; i < w * h; i++) {
    const l = cc.labels[i]!;
    if (!l || !changed[i] || !cut[i]) continue;
    added[l]++;
    shadow[l] += cls.shadowLike[i]!;
    if (cls.D[i]! <= CLEAN_DIST) clean[l]++;
    const x = i % w;
    const y = (i / w) | 0;
    if ((inner[0] && x === 0) || (inner[1] && y === 0) || (inner[2] && x === w - 1) || (inner[3] && y === h - 1)) atEdge[l] = 1;
    else if (x === 0 || y === 0 || x === w - 1 || y === h - 1) atFrame[l] = 1;
  }
  const outward = new Uint8Array(cc.count + 1);
  for (let l = 1; l <= cc.count; l++) {
    if (atEdge[l] && (shadow[l]! >= OUTWARD_SHADOW * added[l]! || clean[l]! >= OUTWARD_CLEAN * added[l]!)) outward[l] = 1;
    if (atFrame[l] && clean[l]! >= OUTWARD_CLEAN * added[l]!) outward[l] = 1;
  }
  return outward;
}

/**
 * Regions of change (labelled by `cc`) that are judged on their own, not counted in the caps
 * on how much the cut may redraw. An addition whose outline runs mostly along the product
 * refills a leak (a grey bag's body flooded as shadow through a highlight at its outline),
 * unless it reaches the frame: the gap between a stool's legs cut off by the bottom edge is
 * framed by the product on three sides and open beyond the fourth. A
 * removal of nearly all of a part of the mask that is all shadow and clear of the rest of the
 * product drops floor shadow (a blob between a stool's legs), not a piece of a grey product
 * cut off by a thin seam (a headband's segment); a blob of shadow can be in pieces itself.
 */
function judgedAlone(cls: Classified, before: Uint8Array, changed: Uint8Array, cc: ReturnType<typeof components>, w: number, h: number): Uint8Array {
  const n = w * h;
  const parts = components(before, w, h, true);
  const outline = new Int32Array(cc.count + 1);
  const onProduct = new Int32Array(cc.count + 1);
  const shadow = new Int32Array(cc.count + 1);
  const size = new Int32Array(cc.count + 1);
  const part = new Int32Array(cc.count + 1);
  // (a region can hold both directions where the outline shifts; the larger one names it)
  const removed = new Int32Array(cc.count + 1);
  // (the level's edge: the photo's frame, or a crop edge, which lies in open backdrop)
  const border = frameBorder(w, h);
  const atFrame = new Uint8Array(cc.count + 1);
  for (let i = 0; i < n; i++) {
    const l = cc.labels[i]!;
    if (!l || !changed[i]) continue;
    size[l]++;
    if (border[i]) atFrame[l] = 1;
    shadow[l] += cls.shadowLike[i]!;
    if (before[i]) {
      part[l] = parts.labels[i]!;
      removed[l]++;
    }
    forEachNeighbour4(i, w, n, (j) => {
      if (cc.labels[j] === l) return;
      outline[l]++;
      if (before[j]) onProduct[l]++;
    });
  }
  const solo = new Uint8Array(cc.count + 1);
  const shadowPart = new Uint8Array(parts.count + 1);
  const removal = new Uint8Array(cc.count + 1);
  for (let l = 1; l <= cc.count; l++) {
    if (!size[l]) continue;
    if (2 * removed[l]! > size[l]!) {
      removal[l] = 1;
      if (size[l]! >= SHADOW_BLOB * parts.area[part[l]!]! && shadow[l]! >= SHADOW_BLOB * size[l]!) {
        solo[l] = 1;
        shadowPart[part[l]!] = 1;
      }
    } else if (!atFrame[l] && onProduct[l]! >= REFILL_ENCLOSED * outline[l]!) solo[l] = 1;
  }
  if (!shadowPart.includes(1)) return solo;
  const rest = new Uint8Array(n);
  for (let i = 0; i < n; i++) rest[i] = before[i] && !shadowPart[parts.labels[i]!] ? 1 : 0;
  const toRest = chessDistanceTo(rest, w, h);
  for (let i = 0; i < n; i++) {
    const l = cc.labels[i]!;
    if (removal[l] && changed[i] && toRest[i]! <= DETACHED_GAP) solo[l] = 0;
  }
  return solo;
}

/** share of the product that must have a hole's colour for the hole to be print */
const OWN_COLOUR_SHARE = 0.05;

/**
 * Holes the cut opened (not widened) inside the product are undone when their colour is
 * common on the rest of the product: white dots on a black bottle are print, however well
 * the white backdrop's colour model fits them. A hole of a colour the product lacks (the
 * backdrop seen through a key's ring, which the hole tests missed under its shadow) stays.
 */
function keepPrintOfOwnColour(level: Level, cls: Classified, before: Uint8Array, mask: Uint8Array): void {
  const { w, h } = level;
  const n = w * h;
  const opened = components(enclosedIn(mask, w, h), w, h, false);
  if (opened.count === 0) return;
  const widens = new Uint8Array(opened.count + 1);
  for (let i = 0; i < n; i++) if (opened.labels[i] && !before[i]) widens[opened.labels[i]!] = 1;
  const colours = meanColours(level, opened);
  const product = sampleOf(mask, n);
  const keep = new Uint8Array(opened.count + 1);
  for (let l = 1; l <= opened.count; l++) if (!widens[l] && shareOfColour(level, cls, product, colours, l) >= OWN_COLOUR_SHARE) keep[l] = 1;
  setChosen(mask, opened.labels, keep, 1);
}

/** Sets `mask` to `value` on the regions whose label is flagged in `chosen`, in one pass. */
function setChosen(mask: Uint8Array, labels: Int32Array, chosen: Uint8Array, value: number): void {
  for (let i = 0; i < labels.length; i++) if (chosen[labels[i]!]) mask[i] = value;
}

/** mean edge strength a reopened hole's rim needs, as a share of the outer silhouette's */
const REOPEN_RIM = 0.75;

/**
 * The other way round: a hole that passed the hole tests but was too small to be kept from
 * the cut, and that the cut filled, opens again when its colour is rare on the product and
 * its rim is an outline as sharp as the outer one: the backdrop seen through a small pastel
 * key's bow, which the key's colour model took in with the backdrop's colour of its own mixed
 * outline. Print of the backdrop's colour repeats on the product (keepPrintOfOwnColour); a
 * highlight of it on a metallic box fades into the box, a softer rim than the box's outline.
 * `holes` labels the holes of `before` (refineByRegions has them already).
 */
function reopenHolesOfForeignColour(
  level: Level,
  cls: Classified,
  before: Uint8Array,
  holes: ReturnType<typeof components>,
  mask: Uint8Array,
): void {
  const { w, h } = level;
  const n = w * h;
  if (holes.count === 0) return;
  const filled = new Int32Array(holes.count + 1);
  for (let i = 0; i < n; i++) if (holes.labels[i] && mask[i]) filled[holes.labels[i]!]++;
  const colours = meanColours(level, holes);
  // (the filled holes themselves are not the product they are compared with)
  const product = sampleOf(mask, n, holes.labels);
  const reopen: number[] = [];
  for (let l = 1; l <= holes.count; l++)
    if (2 * filled[l]! >= holes.area[l]! && shareOfColour(level, cls, product, colours, l) < OWN_COLOUR_SHARE) reopen.push(l);
  if (reopen.length === 0) return;
  // edge strength on each hole's rim (product pixels beside it) against the outer silhouette's
  const rimSum = new Float64Array(holes.count + 1);
  const rimCount = new Int32Array(holes.count + 1);
  for (let i = 0; i < n; i++) {
    if (!before[i]) continue;
    let l = 0;
    forEachNeighbour4(i, w, n, (j) => {
      if (holes.labels[j]) l = holes.labels[j]!;
    });
    if (!l) continue;
    rimSum[l] += cls.G[i]!;
    rimCount[l]++;
  }
  const outside = new Uint8Array(n);
  for (let i = 0; i < n; i++) outside[i] = !before[i] && !holes.labels[i] ? 1 : 0;
  const outline = silhouetteEdgeStrength(before, outside, cls.G, w, h);
  const open = new Uint8Array(holes.count + 1);
  for (const l of reopen) if (rimSum[l]! >= REOPEN_RIM * outline * rimCount[l]!) open[l] = 1;
  setChosen(mask, holes.labels, open, 0);
}

/** Mean Lab colour of each labelled region, three values per label. */
function meanColours(level: Level, regions: ReturnType<typeof components>): Float64Array {
  const { L, A, B } = level;
  const sum = new Float64Array(3 * (regions.count + 1));
  for (let i = 0; i < regions.labels.length; i++) {
    const l = regions.labels[i]!;
    if (!l) continue;
    sum[3 * l] += L[i]!;
    sum[3 * l + 1] += A[i]!;
    sum[3 * l + 2] += B[i]!;
  }
  for (let l = 1; l <= regions.count; l++) for (let c = 0; c < 3; c++) sum[3 * l + c]! /= regions.area[l]!;
  return sum;
}

/** About 20 000 evenly spread pixels of `mask` (outside `except`, if given): plenty for a share. */
function sampleOf(mask: Uint8Array, n: number, except?: Int32Array): number[] {
  let area = 0;
  for (let i = 0; i < n; i++) area += mask[i]!;
  const every = Math.max(1, Math.floor(area / 20000));
  const out: number[] = [];
  for (let i = 0, k = 0; i < n; i++) if (mask[i] && !except?.[i] && k++ % every === 0) out.push(i);
  return out;
}

/** Share of the sampled pixels within T_DIST (in the backdrop's noise) of region l's mean colour. */
function shareOfColour(level: Level, cls: Classified, sample: number[], colours: Float64Array, l: number): number {
  if (sample.length === 0) return 0;
  const { L, A, B } = level;
  const [sL, sA, sB] = cls.sigma;
  const mL = colours[3 * l]!;
  const mA = colours[3 * l + 1]!;
  const mB = colours[3 * l + 2]!;
  let alike = 0;
  for (const i of sample) {
    const d2 = ((L[i]! - mL) / sL) ** 2 + ((A[i]! - mA) / sA) ** 2 + ((B[i]! - mB) / sB) ** 2;
    if (d2 <= T_DIST * T_DIST) alike++;
  }
  return alike / sample.length;
}

/** Pixels outside `mask` that the frame border cannot reach without crossing it. */
function enclosedIn(mask: Uint8Array, w: number, h: number, border = frameBorder(w, h)): Uint8Array {
  const outside = invert(mask);
  const open = flood(border, outside, w, h);
  for (let i = 0; i < w * h; i++) outside[i] = outside[i]! & (open[i] ? 0 : 1);
  return outside;
}

/** Bilinear upsampling of a level's alpha into the full-resolution alpha buffer. */
function upsampleInto(out: Buffer, fullW: number, alpha: Float32Array, w: number, h: number, crop: { left: number; top: number; width: number; height: number }): void {
  const sx = w / crop.width;
  const sy = h / crop.height;
  for (let Y = 0; Y < crop.height; Y++) {
    let fy = (Y + 0.5) * sy - 0.5;
    if (fy < 0) fy = 0;
    if (fy > h - 1) fy = h - 1;
    const y0 = Math.floor(fy);
    const y1 = Math.min(h - 1, y0 + 1);
    const ty = fy - y0;
    const orow = (crop.top + Y) * fullW + crop.left;
    for (let X = 0; X < crop.width; X++) {
      let fx = (X + 0.5) * sx - 0.5;
      if (fx < 0) fx = 0;
      if (fx > w - 1) fx = w - 1;
      const x0 = Math.floor(fx);
      const x1 = Math.min(w - 1, x0 + 1);
      const tx = fx - x0;
      const a =
        (alpha[y0 * w + x0]! * (1 - tx) + alpha[y0 * w + x1]! * tx) * (1 - ty) +
        (alpha[y1 * w + x0]! * (1 - tx) + alpha[y1 * w + x1]! * tx) * ty;
      out[orow + X] = Math.round(a * 255);
    }
  }
}

function validateImage(image: RasterImage): void {
  if (!image || !Buffer.isBuffer(image.data)) throw new ImagingArgumentError("image.data must be a Buffer");
  if (!Number.isInteger(image.width) || !Number.isInteger(image.height) || image.width < 1 || image.height < 1)
    throw new ImagingArgumentError("image width/height must be positive integers");
  if (image.channels !== 3 && image.channels !== 4) throw new ImagingArgumentError("image.channels must be 3 or 4");
  if (image.data.length !== image.width * image.height * image.channels)
    throw new ImagingArgumentError(
      `image.data has ${image.data.length} bytes, expected ${image.width * image.height * image.channels}`,
    );
}

/** If the source already carries a real cut-out alpha channel, use it as the mask. */
function existingAlpha(image: RasterImage): Buffer | null {
  if (image.channels !== 4) return null;
  const n = image.width * image.height;
  let transparent = 0;
  let opaque = 0;
  for (let i = 0, p = 3; i < n; i++, p += 4) {
    const a = image.data[p]!;
    if (a < 128) transparent++;
    if (a >= 128) opaque++;
  }
  if (transparent < 0.01 * n || opaque === 0) return null;
  const alpha = Buffer.alloc(n);
  for (let i = 0, p = 3; i < n; i++, p += 4) alpha[i] = image.data[p]!;
  return alpha;
}

/**
 * Separates the product from a studio background. Returns a soft alpha mask at the source
 * resolution. Throws NoSubjectError when nothing but background is found.
 */
export async function segmentProduct(image: RasterImage): Promise<SegmentResult> {
  validateImage(image);
  const { width, height } = image;
  const n = width * height;

  const pre = existingAlpha(image);
  if (pre) {
    let cov = 0;
    for (let i = 0; i < n; i++) if (pre[i]! >= 128) cov++;
    return { alpha: pre, width, height, coverage: cov / n, background: { r: 255, g: 255, b: 255 } };
  }

  const coarseLevel = await makeLevel(image, { left: 0, top: 0, width, height }, COARSE_SIDE);
  // (a pass without a given side is the same whichever check asks for it first)
  const passes = new Map<FrameSide, CoarseResult>();
  const passWithout = (side: FrameSide) => passes.get(side) ?? passes.set(side, coarsePass(coarseLevel, side)).get(side)!;
  const first = refitWithoutCoveredSide(coarsePass(coarseLevel), passWithout);
  const result = found(first) ? await fullDetail(image, first) : null;
  if (result) return result;
  // A product that covers a large part of one side of the frame (a big ball cut off by the
  // bottom edge) can bend the border ring's fit until the backdrop itself looks like shadow:
  // everything is flooded, or only a highlight is left, which the fine pass then drops. Fit
  // again without each side in turn and keep the best fit that finds a product (lowest noise
  // on the backdrop).
  let best: CoarseResult | null = null;
  for (const side of ["bottom", "top", "left", "right"] as const) {
    const c = passWithout(side);
    if (found(c) && (!best || c.cls.sigma[0] < best.cls.sigma[0])) best = c;
  }
  const retried = best ? await fullDetail(image, best) : null;
  if (retried) return retried;
  // Last resort, once no fit found anything the usual way: a faint product (white on a pale
  // tint) can sit evenly just above the threshold with few clearly different pixels. Empty
  // backdrops leave no such area; see keepOutlinedFaint.
  const faint = keepOutlinedFaint(first);
  const last = faint ? await fullDetail(image, { ...first, kept: faint }) : null;
  if (!last) throw new NoSubjectError();
  return last;
}

/** share of a faint area's pixels that must differ from the backdrop model */
const FAINT_ABOVE = 0.9;
/** median distance of a faint area, in units of T_DIST */
const FAINT_MEDIAN = 1.2;
/** share of its outline (against flooded backdrop) that must be a clear edge */
const FAINT_OUTLINE = 0.8;

/**
 * Unflooded areas of at least 0.2% of the frame that differ from the backdrop almost
 * everywhere, by a margin, and are framed by a clear edge: a product, not a misfit of the
 * backdrop's shading, which ramps up without an outline. Null if there is none.
 */
function keepOutlinedFaint(c: CoarseResult): KeptComponents | null {
  const { w, h } = c.level;
  const n = w * h;
  const { D, G, gradThreshold } = c.cls;
  const bg = c.background;
  const cc = components(invert(bg), w, h, true);
  const above = new Float64Array(cc.count + 1);
  const outline = new Float64Array(cc.count + 1);
  const edged = new Float64Array(cc.count + 1);
  const distances: number[][] = Array.from({ length: cc.count + 1 }, () => []);
  const minArea = Math.max(4, 0.002 * n);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      const l = cc.labels[i]!;
      if (!l || cc.area[l]! < minArea) continue;
      distances[l]!.push(D[i]!);
      if (D[i]! > T_DIST) above[l]++;
      if (x === 0 || y === 0 || x === w - 1 || y === h - 1) continue;
      if (bg[i - 1] || bg[i + 1] || bg[i - w] || bg[i + w]) {
        outline[l]++;
        if (G[i]! >= gradThreshold) edged[l]++;
      }
    }
  const keep = new Uint8Array(cc.count + 1);
  for (let l = 1; l <= cc.count; l++)
    if (
      cc.area[l]! >= minArea &&
      outline[l]! > 0 &&
      above[l]! >= FAINT_ABOVE * cc.area[l]! &&
      quantile(distances[l]!, 0.5) >= FAINT_MEDIAN * T_DIST &&
      edged[l]! >= FAINT_OUTLINE * outline[l]!
    )
      keep[l] = 1;
  const kept = keptOf(cc, keep);
  return kept.box ? kept : null;
}

/** below this share of clear edge on its outline, a product touching the frame is checked for a bent fit */
const BENT_FIT_OUTLINE = 0.95;
/** how much clearer a refit's outline must be to replace the first fit */
const BENT_FIT_GAIN = 0.1;

/**
 * A product that covers much of one side of the frame (a big box cut off by the bottom edge,
 * with the backdrop's colour darkened) can bend the border ring's fit towards its own colour:
 * the backdrop beside it then reads as product and the product as backdrop. The backdrop
 * drifts across the threshold without an edge, so such a "product" has a blurred outline. When
 * the first fit's product touches the frame and its outline is not all edge, fit again without
 * each side it touches, and keep a refit whose product is clearly better outlined.
 */
function refitWithoutCoveredSide(first: CoarseResult, passWithout: (side: FrameSide) => CoarseResult): CoarseResult {
  if (!found(first)) return first;
  const sides = touchedSides(first);
  if (!sides.length) return first;
  let bestShare = outlineEdgeShare(first);
  if (bestShare >= BENT_FIT_OUTLINE) return first;
  let best = first;
  const needed = bestShare + BENT_FIT_GAIN;
  for (const side of sides) {
    const c = passWithout(side);
    const share = found(c) ? outlineEdgeShare(c) : 0;
    if (share >= needed && share > bestShare) {
      best = c;
      bestShare = share;
    }
  }
  return best;
}

/** share of the kept product's outline against flooded backdrop (frame edge excluded) that is a clear edge */
function outlineEdgeShare(c: CoarseResult): number {
  const { G, gradThreshold } = c.cls;
  let outline = 0;
  let edged = 0;
  forEachSilhouettePixel(c.kept.mask, c.background, c.level.w, c.level.h, (i) => {
    outline++;
    if (G[i]! >= gradThreshold) edged++;
  });
  return outline ? edged / outline : 0;
}

/** frame sides the kept product touches */
function touchedSides(c: CoarseResult): FrameSide[] {
  const { w, h } = c.level;
  const box = c.kept.box;
  if (!box) return [];
  const sides: FrameSide[] = [];
  if (box[1] === 0) sides.push("top");
  if (box[2] === w - 1) sides.push("right");
  if (box[3] === h - 1) sides.push("bottom");
  if (box[0] === 0) sides.push("left");
  return sides;
}

function found(c: CoarseResult): boolean {
  return c.kept.box !== null && c.kept.area > 0;
}

/** The fine pass on the coarse result's product, at the source size; null if it keeps nothing. */
async function fullDetail(image: RasterImage, coarse: CoarseResult): Promise<SegmentResult | null> {
  const { width, height } = image;
  const n = width * height;
  const fine = await finePass(image, coarse);
  const alpha = Buffer.alloc(n);
  upsampleInto(alpha, width, fine.alpha, fine.level.w, fine.level.h, fine.crop);
  let cov = 0;
  for (let i = 0; i < n; i++) if (alpha[i]! >= 128) cov++;
  if (cov === 0) return null;
  const background = labToSrgb8(fine.bgMean.L, fine.bgMean.a, fine.bgMean.b);
  return { alpha, width, height, coverage: cov / n, background };
}
