// The coarse pass (step 1): the background model fitted on the frame's border ring, refitted on
// what it classifies as backdrop, then flooded and the product kept. Also the checks that
// segmentProduct uses to judge a fit (bent by a product covering a side; a faint product).
import { evalPlanes, robustFit, type PolyModel } from "../background-model.server";
import { components } from "../morphology.server";
import { T_DIST, samplesFrom, type Level } from "./level.server";
import { SIGMA_FLOOR, quantile, noiseScales, classify, type Classified } from "./classify.server";
import { invert, frameBorder, keepSignificant, keptOf, forEachSilhouettePixel, type KeptComponents } from "./mask-ops.server";
import { floodBackground } from "./flood.server";

/** background-model refits after the border-ring fit (each: fit, classify, flood) */
const COARSE_REFITS = 2;

export interface CoarseResult {
  level: Level;
  model: PolyModel;
  cls: Classified;
  background: Uint8Array;
  kept: KeptComponents;
}

export type FrameSide = "top" | "right" | "bottom" | "left";

/**
 * The coarse pass: background model, flood and significant product areas on the whole photo.
 * The model's first fit uses the frame's border ring, without `leaveOut` if given (a side the
 * product covers).
 */
export function coarsePass(level: Level, leaveOut?: FrameSide): CoarseResult {
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

/** share of a faint area's pixels that must differ from the backdrop model */
const FAINT_ABOVE = 0.9;
/** median distance of a faint area, in units of T_DIST */
const FAINT_MEDIAN = 1.2;
/** share of its outline (against flooded backdrop) that must be a clear edge */
const FAINT_OUTLINE = 0.8;
/**
 * ... unless the area is this large (share of the frame), clear of the frame and unlike the
 * backdrop on LARGE_FAINT_ABOVE of itself: a grey mug checked in the backdrop's own grey, whose
 * outline is too faint to be a clear edge at this scale. An empty backdrop's shading leaves no
 * such area unflooded.
 */
const LARGE_FAINT = 0.02;
const LARGE_FAINT_ABOVE = 0.7;

/**
 * Unflooded areas of at least 0.2% of the frame that differ from the backdrop almost
 * everywhere, by a margin, and are framed by a clear edge, or that are large, clear of the frame
 * and differ on most of themselves: a product, not a misfit of the backdrop's shading, which
 * ramps up without an outline. Null if there is none.
 */
export function keepOutlinedFaint(c: CoarseResult): KeptComponents | null {
  const { w, h } = c.level;
  const n = w * h;
  const { D, G, gradThreshold } = c.cls;
  const bg = c.background;
  const cc = components(invert(bg), w, h, true);
  const above = new Float64Array(cc.count + 1);
  const outline = new Float64Array(cc.count + 1);
  const edged = new Float64Array(cc.count + 1);
  const framed = new Uint8Array(cc.count + 1);
  const distances: number[][] = Array.from({ length: cc.count + 1 }, () => []);
  const minArea = Math.max(4, 0.002 * n);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      const l = cc.labels[i]!;
      if (!l || cc.area[l]! < minArea) continue;
      distances[l]!.push(D[i]!);
      if (D[i]! > T_DIST) above[l]++;
      if (x === 0 || y === 0 || x === w - 1 || y === h - 1) {
        framed[l] = 1;
        continue;
      }
      if (bg[i - 1] || bg[i + 1] || bg[i - w] || bg[i + w]) {
        outline[l]++;
        if (G[i]! >= gradThreshold) edged[l]++;
      }
    }
  const keep = new Uint8Array(cc.count + 1);
  for (let l = 1; l <= cc.count; l++) {
    if (cc.area[l]! < minArea || outline[l]! === 0 || quantile(distances[l]!, 0.5) < FAINT_MEDIAN * T_DIST) continue;
    const outlined = above[l]! >= FAINT_ABOVE * cc.area[l]! && edged[l]! >= FAINT_OUTLINE * outline[l]!;
    const large = !framed[l] && cc.area[l]! >= LARGE_FAINT * n && above[l]! >= LARGE_FAINT_ABOVE * cc.area[l]!;
    if (outlined || large) keep[l] = 1;
  }
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
export function refitWithoutCoveredSide(first: CoarseResult, passWithout: (side: FrameSide) => CoarseResult): CoarseResult {
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

export function found(c: CoarseResult): boolean {
  return c.kept.box !== null && c.kept.area > 0;
}
