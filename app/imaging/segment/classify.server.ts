// Per-pixel classification of a level against the background model (step 2): noise scales, the
// noise-normalised distance D, shadow-like pixels (hue offsets, chroma bleed, local shadow tint),
// JPEG ringing, and the blurred steps and faint outlines that decide what the flood may pass.
// Both passes classify; everything after the classification only reads it.
import quickselect from "quickselect";
import { norm } from "../color.server";
import { boxBlur, maxFilter } from "../morphology.server";
import { T_DIST, smoothL, gradientMagnitude, lightnessRange, type Level } from "./level.server";

/** minimal per-channel noise scales (Lab units): JPEG smooth areas can be unrealistically clean */
export const SIGMA_FLOOR: [number, number, number] = [0.7, 1.4, 1.4];

export interface Classified {
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
  const g = norm(gx, gy);
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

/**
 * Whether pixel i lies on a sharp step along its luminance gradient, as an anti-aliased product
 * outline does, rather than on a blurred one such as a shadow's rim (see SOFT_EDGE_RATIO).
 */
export function onSharpStep(level: Level, i: number): boolean {
  const { w, h } = level;
  const y = (i / w) | 0;
  const x = i - y * w;
  if (x < 3 || y < 3 || x >= w - 3 || y >= h - 3) return false;
  const P = smoothL(level);
  const u = gradientDirection(P, w, i);
  if (!u) return false;
  const ratio = stepSharpness(P, w, h, x, y, u);
  return ratio !== null && ratio >= SOFT_EDGE_RATIO;
}

export function quantile(values: Float32Array | number[], q: number): number {
  if (values.length === 0) return 0;
  const a = Float32Array.from(values);
  const k = Math.min(a.length - 1, Math.max(0, Math.floor(q * (a.length - 1))));
  // selection, not a full sort: the same value in linear time (medians of 60k samples add up)
  quickselect(a as unknown as number[], k);
  return a[k]!;
}

/** Robust per-channel residual scale against the model on pixels selected by `bg`. */
export function noiseScales(level: Level, model: [Float32Array, Float32Array, Float32Array], bg: (i: number) => boolean): [number, number, number] {
  const n = level.w * level.h;
  const step = Math.max(1, Math.floor(n / 60000));
  const cap = Math.ceil(n / step);
  const r0 = new Float32Array(cap);
  const r1 = new Float32Array(cap);
  const r2 = new Float32Array(cap);
  let m = 0;
  for (let i = 0; i < n; i += step) {
    if (!bg(i)) continue;
    r0[m] = Math.abs(level.L[i]! - model[0][i]!);
    r1[m] = Math.abs(level.A[i]! - model[1][i]!);
    r2[m++] = Math.abs(level.B[i]! - model[2][i]!);
  }
  if (m < 50) return [...SIGMA_FLOOR] as [number, number, number];
  return [
    Math.max(SIGMA_FLOOR[0], 1.4826 * quantile(r0.subarray(0, m), 0.5)),
    Math.max(SIGMA_FLOOR[1], 1.4826 * quantile(r1.subarray(0, m), 0.5)),
    Math.max(SIGMA_FLOOR[2], 1.4826 * quantile(r2.subarray(0, m), 0.5)),
  ];
}

/** Fraction of a nearby edge's contrast that JPEG ringing / chroma bleeding can reach. */
export const RINGING_FRACTION = 0.12;
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

/** Hue tolerance (Lab units) a shadow gains per unit of lightness it is below the backdrop. */
const SHADOW_HUE_PER_DEPTH = 0.12;

/**
 * Half-width (level px) of the window whose median colour tells a surface from ringing (see
 * onSurfaceOfItsOwn). A narrow gap between a small key's teeth takes the teeth's colour in it
 * (91155 0.927 -> 0.920); at 4 that gap kept the backdrop's, but the white between a ball's
 * dark dots was lost around them (105853 0.961 -> 0.919).
 */
const SURFACE_REACH = 3;

/**
 * Whether pixel i, off the backdrop, lies on a surface of a colour of its own rather than on
 * JPEG ringing over the backdrop. Ringing swings both ways about the colour it rings on, so
 * the median colour of the window around a ringing pixel stays near the backdrop's; between
 * the black dots of a white blob on a pale tint, or on a light grey check between dark ones on
 * a pink stool's leg, the median is the surface's colour, and the pixel has it too. Darker
 * than the backdrop with its hue is shadow, or the blur of a dark edge, and stays ringing.
 */
function onSurfaceOfItsOwn(level: Level, model: [Float32Array, Float32Array, Float32Array], sigma: [number, number, number], shadowHueTol: number): (i: number) => boolean {
  const { w, h, L, A, B } = level;
  const [ML, MA, MB] = model;
  const [sL, sA, sB] = sigma;
  const k = SURFACE_REACH;
  const size = (2 * k + 1) * (2 * k + 1);
  const samples = [new Float32Array(size), new Float32Array(size), new Float32Array(size)];
  const median = (a: Float32Array, m: number) => a.subarray(0, m).sort()[m >> 1]!;
  // (a pixel can be asked twice: by the shadow test's chroma-bleed allowance, then by
  // suppressRinging; 0 not asked yet, 1 yes, 2 no)
  const answer = new Uint8Array(w * h);
  const ask = (i: number) => (answer[i] ||= judge(i) ? 1 : 2) === 1;
  const judge = (i: number) => {
    const x = i % w;
    const y = (i - x) / w;
    let m = 0;
    for (let yy = Math.max(0, y - k); yy <= Math.min(h - 1, y + k); yy++)
      for (let j = yy * w + Math.max(0, x - k), end = yy * w + Math.min(w - 1, x + k); j <= end; j++, m++) {
        samples[0][m] = L[j]! - ML[j]!;
        samples[1][m] = A[j]! - MA[j]!;
        samples[2][m] = B[j]! - MB[j]!;
      }
    const dl = median(samples[0], m);
    const da = median(samples[1], m);
    const db = median(samples[2], m);
    // the surface is off the backdrop, and the pixel is of the surface
    if (norm(dl / sL, da / sA, db / sB) <= T_DIST) return false;
    if (norm((L[i]! - ML[i]! - dl) / sL, (A[i]! - MA[i]! - da) / sA, (B[i]! - MB[i]! - db) / sB) > T_DIST) return false;
    if (dl >= 0) return true;
    // (the shadow test of classify, on the median)
    const q = (ML[i]! + dl + 16) / (ML[i]! + 16);
    return norm(MA[i]! + da - q * MA[i]!, MB[i]! + db - q * MB[i]!) > shadowHueTol + SHADOW_HUE_PER_DEPTH * -dl;
  };
  return ask;
}

/**
 * JPEG compression leaves ringing and chroma bleeding next to strong edges, up to one MCU
 * away, with an amplitude proportional to the edge contrast. Near a high-contrast edge the
 * distance D is therefore rescaled so that deviations below RINGING_FRACTION of the nearby
 * maximum contrast fall under the threshold. Only near backdrop-coloured pixels, though: a
 * pixel with none within an MCU is in an area of its own colour, not ringing on the backdrop
 * (a pastel mug's body between dark dots, all of it within reach of some dot, was flooded);
 * and not on a surface of a colour of its own (`ownSurface`, see onSurfaceOfItsOwn): a white
 * blob's body between black dots on a pale tint, within an MCU of both the dots and the
 * backdrop, was flooded (0.112). Returns the pixels it brought under the threshold.
 */
function suppressRinging(D: Float32Array, w: number, h: number, fullPerLevel: number, backdropNear: Float32Array, ownSurface: (i: number) => boolean): number[] {
  const rescued: number[] = [];
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
      if (t <= T_DIST) continue;
      const i = row + x;
      // (asked only where the rescaling would bring the pixel under the threshold)
      if (D[i]! > T_DIST && D[i]! <= t) {
        if (ownSurface(i)) continue;
        rescued.push(i);
      }
      D[i] = (D[i]! * T_DIST) / t;
    }
  }
  return rescued;
}

export function classify(level: Level, model: [Float32Array, Float32Array, Float32Array], sigma: [number, number, number], bgHint?: (i: number) => boolean): Classified {
  const { w, h, L, A, B } = level;
  const n = w * h;
  const [ML, MA, MB] = model;
  const D = new Float32Array(n);
  const shadowLike = new Uint8Array(n);
  const [sL, sA, sB] = sigma;
  const sAB = Math.max(sA, sB);
  // a shadow's hue tolerance before the allowance that grows with its depth
  const shadowHueTol = 3 * sAB + 1.5;
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
        const tol = shadowHueTol + SHADOW_HUE_PER_DEPTH * -dl;
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
  const ownSurface = onSurfaceOfItsOwn(level, model, sigma, shadowHueTol);
  if (hueShifted.length > 0) {
    // JPEG chroma bleeding, only beside the backdrop (not between a textured product's dots:
    // a light grey bag's body on lavender turned shadow-like next to its dots), and not on a
    // surface of a colour of its own (a pastel mug's handle between dark blue dots)
    const bleed = chromaBleedReach(level, MA, MB);
    for (const i of hueShifted) if (backdropNear[i] && excess[i]! <= RINGING_FRACTION * bleed[i]! && !ownSurface(i)) shadowLike[i] = 1;
  }
  const rescued = suppressRinging(D, w, h, level.map.sx, backdropNear, ownSurface);
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
  // (ringing swings about the backdrop's colour; a pixel the allowance let in that sits on a
  // strong, sharp step is an outline all the same: a light grey check on a lamp's thin stem
  // beside dark ones, whose edge the allowance broke)
  for (const i of rescued) if (G[i]! >= gradThreshold && onSharpStep(level, i)) passable[i] = 0;
  passChromaRingingShadows(level, MA, MB, shadowLike, passable, shadowHueTol, gradThreshold);
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
function chromaBleedReach(level: Level, MA: Float32Array, MB: Float32Array, from: (i: number) => boolean = () => true, reach = CHROMA_BLEED_REACH): Float32Array {
  const { w, h, A, B } = level;
  const chroma = new Float32Array(w * h);
  for (let i = 0; i < w * h; i++) if (from(i)) chroma[i] = norm(A[i]! - MA[i]!, B[i]! - MB[i]!);
  return maxFilter(chroma, w, h, Math.max(1, Math.round(reach / level.map.sx)));
}

/**
 * Side of a 4:2:0 JPEG MCU, in full-resolution pixels: chroma rings anywhere in the MCU that
 * holds a saturated edge. (The shadow test's hue allowance keeps the shorter
 * CHROMA_BLEED_REACH: at this reach, the floor shadow between a metallic headphones' cups was
 * kept as product, 109056 0.975 -> 0.817.)
 */
const CHROMA_MCU = 16;

/**
 * A hard shadow under a saturated product is tinted by JPEG's chroma ringing in bands of
 * alternating hue across the MCU beside the edge (under a yellow lens: yellow, green, magenta,
 * blue, over 16 px). The hue steps make it rough in Lab, so the flood stopped at it and the band
 * was kept as product. Where the ringing can go past the shadow test's hue tolerance (`hueTol`),
 * a shadow-like pixel is smooth enough if its lightness is. Marks them in `passable`.
 */
function passChromaRingingShadows(level: Level, MA: Float32Array, MB: Float32Array, shadowLike: Uint8Array, passable: Uint8Array, hueTol: number, gradThreshold: number): void {
  let bleed: Float32Array | undefined;
  let lightness: Float32Array | undefined;
  for (let i = 0; i < level.w * level.h; i++) {
    if (passable[i] || !shadowLike[i]) continue;
    bleed ??= chromaBleedReach(level, MA, MB, undefined, CHROMA_MCU);
    if (RINGING_FRACTION * bleed[i]! <= hueTol) continue;
    lightness ??= lightnessRange(level);
    if (lightness[i]! < gradThreshold) passable[i] = 1;
  }
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
    const off = norm(meanA[i]!, meanB[i]!) / meanShare[i]!;
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
    if (norm(da, db) <= SHADOW_TINT_MATCH * offset.tol[i]!) shadowLike[i] = 1;
  }
}
