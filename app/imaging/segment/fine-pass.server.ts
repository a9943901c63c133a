// The fine pass (step 4): a crop around the coarse product at FINE_SIDE, classified and flooded
// again, the reclaim rules, enclosed backdrop judged as holes, then region refinement and matting.
// The rules only it uses (soft bands, shadow lines, the crop's box) live here too.
import { evalPlanes, evalPoint, robustFit, type Samples } from "../background-model.server";
import { chessDistanceTo, components, dilate, erode, flood } from "../morphology.server";
import type { RasterImage } from "../types.server";
import { T_DIST, makeLevel, type Level } from "./level.server";
import { quantile, noiseScales, classify, type Classified } from "./classify.server";
import { invert, erode3x3, frameBorder, keepSignificant, silhouetteEdgeStrength, enclosedIn, forEachNeighbour4 } from "./mask-ops.server";
import { floodBackground } from "./flood.server";
import { reclaimSoftEnclaves, regrowEnclosedBackdrop, medianDifference, BAY_OFFSET, reclaimOffsetPrint, offOpenBackdrop, residualsNear, reclaimPrintChannels, pushResidual, type Residuals } from "./reclaim.server";
import type { CoarseResult } from "./coarse-pass.server";
import { refineByRegions, meanColours, colourDistance2 } from "./region-refine.server";
import { softAlpha } from "./matting.server";

const FINE_SIDE = 960;

/** holes smaller than this (eroded level px) are judged by their middle ... */
const SMALL_HOLE = 100;
/** ... when that middle has at least this many pixels */
const SMALL_HOLE_MIDDLE = 8;
/** a hole's rim this many times sharper than required needs only a plain contrast */
const SHARP_RIM = 2;
/** A faint product's hole: its rim at least this share of the outer silhouette's contrast ... */
const FAINT_RIM = 0.75;
/**
 * ... and this share of its edge strength: the gap under a white stool's seat on light grey, in
 * a broad, soft shadow, has a rim whose upper quartile is 0.69 of its outer outline's edge; the
 * handle of a white bag on a pale green tint at JPEG quality 70, 0.60
 */
const FAINT_RIM_EDGE = 0.55;
/** how much further out a hole looks for open backdrop to compare with when none is near */
const WIDE_REACH = 4;

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

/** farthest distance (px) from the product's outline of the backdrop that outlineBackdropD samples */
const OUTLINE_REACH = 6;

/** Median D of the open backdrop 2 to OUTLINE_REACH px outside the product's outline (0 if too few pixels). */
function outlineBackdropD(notBg: Uint8Array, openBackdrop: Float32Array, D: Float32Array, w: number, h: number): number {
  const fromProduct = chessDistanceTo(notBg, w, h);
  const near: number[] = [];
  for (let i = 0; i < w * h; i++) if (openBackdrop[i] && fromProduct[i]! >= 2 && fromProduct[i]! <= OUTLINE_REACH) near.push(D[i]!);
  return near.length > 30 ? quantile(near, 0.5) : 0;
}

interface FineResult {
  level: Level;
  alpha: Float32Array;
  crop: { left: number; top: number; width: number; height: number };
  bgMean: { L: number; a: number; b: number };
}

/**
 * The parts of the eroded coarse background that still join the frame. The coarse flood can
 * slip through a gap in an outline that the fine level sees closed; what lies behind such a gap
 * must be reached again through the fine level's own flood, not seeded into it. A grey blob's
 * highlight of the backdrop's colour, reached through a gap at the blob's waist in the coarse
 * level, was seeded, and the fine flood spread from it through the blob's shadow-coloured body
 * (0.536).
 */
function openPartOf(sure: Uint8Array, w: number, h: number): Uint8Array {
  const edge = frameBorder(w, h);
  for (let i = 0; i < edge.length; i++) edge[i] = edge[i] && sure[i] ? 1 : 0;
  return flood(edge, sure, w, h);
}

/**
 * `keepByAverage`: keep a faint part by its averaged colour where no other test keeps anything
 * (see keepSignificant). Only as a last resort: a highlight kept that way would pre-empt the
 * refits of a fit a big product bent (segment.server.ts).
 */
export async function finePass(image: RasterImage, coarse: CoarseResult, { keepByAverage = false } = {}): Promise<FineResult> {
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
  const coarseSeeds = openPartOf(coarseBgSure, c.w, c.h);
  for (let i = 0; i < n; i++) {
    if (coarseSeeds[coarseIndex[i]!]) seeds[i] = 1;
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
    const cleanD = Math.max(2 * refMedian, 0.3 * T_DIST);
    // (JPEG keeps the noise in blocks that hold an edge and smooths it away on the flat backdrop:
    // a hole shares its blocks with the product's rim, so it may be as rough as the backdrop
    // just outside the outline, whose blocks hold an edge too)
    let roughD: number | undefined;
    const rough = () => (roughD ??= Math.max(cleanD, 2 * outlineBackdropD(notBg, openBackdrop, cls.D, w, h)));
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
        let hueShift = Math.hypot(step[1], step[2]);
        if (hueShift >= HOLE_HUE_SHIFT) hueShift = hueShiftPastBleed(step, rimResiduals(cc.box[l]!, notBg, cand, level, cls.model), near!.around);
        return spread <= rough() && (hueShift < HOLE_HUE_SHIFT || (hueShift < SMOOTH_HOLE_HUE_SHIFT && spread <= SMOOTH_HOLE * rough()));
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
          // (where the rim is smooth shadow, that is shadow seen through the hole, which the hole
          // takes in further on: it says nothing of the product's edge. A big ring's hole, its
          // lower part in the ring's cast shadow, was judged by that soft boundary too)
          if (!l || (cls.passable[i] && cls.shadowLike[i])) continue;
          if (d2 <= 2) ringG[l]!.push(cls.G[i]!);
          if (d2 >= 2) ringD[l]!.push(cls.D[i]!);
        }
      // (grown through candidates, a hole may take in patches the tests above rejected, such
      // as the rest of a white ball's shaded side between its dots, a shade lighter than the
      // backdrop: where it takes in more of them than of what they accepted, it is one of them)
      const seeded = new Int32Array(hc.count + 1);
      const refused = new Int32Array(hc.count + 1);
      for (let i = 0; i < n; i++) {
        const k = hc.labels[i]!;
        if (!k) continue;
        const l = cc.labels[i]!;
        if (holeSeeds[i]) seeded[k]++;
        else if (l && cc.area[l]! >= minHole && !ok[l]) refused[k]++;
      }
      const accepted = new Uint8Array(hc.count + 1);
      for (let l = 1; l <= hc.count; l++) {
        if (refused[l]! > seeded[l]!) continue;
        const g = ringG[l]!.length ? quantile(ringG[l]!, 0.75) : 0;
        const d = ringD[l]!.length ? quantile(ringD[l]!, 0.5) : 0;
        const dUpper = ringD[l]!.length ? quantile(ringD[l]!, 0.75) : 0;
        const needG = Math.max(cls.gradThreshold, 0.35 * outerEdge);
        const needD = Math.max(1.5 * T_DIST, Math.min(0.4 * outerMedD, 2.5 * T_DIST));
        // (the contrast too may be judged by its upper quartile where half the rim at least is
        // past the backdrop's noise: a metallic ring's shading brings half its inner rim to just
        // past the noise of a white backdrop, while the rest is as far off it as its outline)
        const clearly = d >= needD || (d >= T_DIST && dUpper >= needD);
        // (a very sharp rim needs less contrast: the rim of a big ring striped black and white
        // on a pastel backdrop is half white, a little below the outer silhouette's share)
        if (g >= needG && (clearly || (g >= SHARP_RIM * needG && d >= 1.5 * T_DIST))) accepted[l] = 1;
        // (a faint product's outline is itself under those floors: the handle of a white bag on
        // a pale tint is an outline like its outer one, as sharp and as far off the backdrop. Its
        // contrast too is judged by its upper quartile, as above: the handle's inner rim on a pale
        // green tint at JPEG quality 70 has a median 0.74 of the outline's, an upper quartile 0.80)
        else if (g >= FAINT_RIM_EDGE * outerEdge && d >= T_DIST && dUpper >= FAINT_RIM * outerMedD) accepted[l] = 1;
      }
      dropRepeatedHoles(accepted, hc, fgArea);
      dropHolesAroundIslands(accepted, grown, hc, cls, w, h);
      dropHolesOfProductColour(accepted, hc, notBg, level, cls);
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
    const refused = new Uint8Array(ec.count + 1);
    for (let i = 0; i < n; i++) if (ec.labels[i] && dOuter[i]! <= 3) refused[ec.labels[i]!] = 1;
    // (shadow seen through a hole meets the hole's clean part along much of its width; a long
    // region reached only through a narrow mouth is a part of the product of the shadow's
    // colour, such as a grey stripe on a metallic bag below its handle's hole)
    const mouth = new Int32Array(ec.count + 1);
    for (let i = 0; i < n; i++) {
      const l = ec.labels[i]!;
      if (!l) continue;
      let touches = false;
      forEachNeighbour4(i, w, n, (j) => {
        if (holesClean[j]) touches = true;
      });
      if (touches) mouth[l]++;
    }
    for (let l = 1; l <= ec.count; l++) {
      const [x0, y0, x1, y1] = ec.box[l]!;
      if (mouth[l]! < MOUTH_SHARE * Math.max(x1 - x0 + 1, y1 - y0 + 1)) refused[l] = 1;
    }
    for (let i = 0; i < n; i++) if (ec.labels[i] && !refused[ec.labels[i]!]) holes[i] = 1;
  }

  // A hole is backdrop too: a soft band may lead from it down into a flooded shadow core (the
  // upper rim of a hard contact shadow under the gap between headphone cups, which the ray rules
  // shut as inside the product, and which the hole could not grow into since it meets the
  // outer backdrop)
  const open = Uint8Array.from(bg);
  for (let i = 0; i < n; i++) if (holes[i]) open[i] = 1;
  openSoftBands(open, cls, level);
  const fg = new Uint8Array(n);
  for (let i = 0; i < n; i++) fg[i] = open[i] ? 0 : 1;
  const onCoarseProduct = (i: number) => coarse.kept.mask[coarseIndex[i]!] === 1;
  dropShadowLines(fg, cls, w, h);
  // (the open backdrop: what the mask leaves out, shadow aside)
  let openAround: Float32Array | undefined;
  const offBackdrop = (l: number, parts: ReturnType<typeof components>) => {
    openAround ??= Float32Array.from(fg, (v, i) => (!v && !cls.shadowLike[i] ? 1 : 0));
    return offOpenBackdrop(residualsNear(l, parts, fg, openAround, level, cls.model));
  };
  const kept = keepSignificant(fg, cls.D, w, h, Math.max(6, 0.0004 * (w * h)), onCoarseProduct, keepByAverage ? offBackdrop : undefined);
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

/** largest share of the way from the backdrop's hue to its rim's that a hole's hue may go by chroma bleeding */
const BLEED_SHARE = 0.75;
/** largest share of that way a hole's hue may overshoot the other way (JPEG's ringing) */
const RINGING_SHARE = 0.5;
/** how far (level px) around a hole's box the product's rim is sampled for its colour */
const RIM_REACH = 3;

/** Residuals of the product pixels (`product`, not `hole`) within RIM_REACH of a hole's box; null if too few. */
function rimResiduals(
  [x0, y0, x1, y1]: [number, number, number, number],
  product: Uint8Array,
  hole: Uint8Array,
  level: Level,
  model: [Float32Array, Float32Array, Float32Array],
): Residuals | null {
  const { w, h } = level;
  const rim: Residuals = [[], [], []];
  for (let y = Math.max(0, y0 - RIM_REACH); y <= Math.min(h - 1, y1 + RIM_REACH); y++)
    for (let x = Math.max(0, x0 - RIM_REACH); x <= Math.min(w - 1, x1 + RIM_REACH); x++) {
      const i = y * w + x;
      if (product[i] && !hole[i]) pushResidual(rim, i, level, model);
    }
  return rim[0].length >= 8 ? rim : null;
}

/**
 * The part of a hole's hue shift from the open backdrop (`step`, as medianDifference gives it)
 * that JPEG's chroma subsampling does not explain. A small hole shares its chroma blocks with
 * the product's rim around it, so its hue moves from the backdrop's towards the rim's, part of
 * the way: along that line the shift is bleeding, and only what lies off it is the hole's own.
 * The backdrop seen through a light grey key's bow, darker in the key's shadow, took 0.6 of the
 * way to the key's warm grey, 1.65 off the backdrop's hue and 0.15 off that line (0.894). All
 * the way (BLEED_SHARE) it is a part of the product's hue: a grey ball's light side, nearly the
 * backdrop's lightness, was opened as a hole (110083 0.990 -> 0.930).
 * The quantised chroma blocks ring too: the white hole of a small violet key at JPEG quality 70
 * overshot 0.42 of the way away from the key's hue, 7.3 off the backdrop's and 0.8 off that line.
 */
function hueShiftPastBleed(step: [number, number, number], rim: Residuals | null, around: Residuals): number {
  const shift = Math.hypot(step[1], step[2]);
  if (!rim) return shift;
  const [, pa, pb] = medianDifference(rim, around);
  const rimShift2 = pa * pa + pb * pb;
  if (rimShift2 < 1e-6) return shift;
  const t = (step[1] * pa + step[2] * pb) / rimShift2;
  return t >= -RINGING_SHARE && t <= BLEED_SHARE ? Math.hypot(step[1] - t * pa, step[2] - t * pb) : shift;
}

/** least width of the mouth through which a hole's shadow is seen, as a share of the shadow's longer side */
const MOUTH_SHARE = 0.5;

/** colour distance (times T_DIST, in the backdrop's noise) within which a product pixel has a hole's colour */
const PRINT_MATCH = 0.5;
/** least share of the rest of the product with a hole's colour, off the backdrop there, that makes the hole print */
const PRINT_SHARE = 0.02;
/** ... and least area of it, as a share of the hole's own area */
const PRINT_AREA = 0.75;

/**
 * Clears `accepted` for holes (`hc`) whose colour the rest of the product (`product`, outside
 * every grown hole) has where it is clearly off the backdrop: grey checks on a white bag, a
 * shade darker than the backdrop, match it where a vignette darkens it and are bounded by the
 * white checks' sharp, contrasted edges, yet the same grey covers the bag's other checks, off
 * the backdrop there. Stripes of the backdrop's own colour on a key match it everywhere and say
 * nothing about its bow's hole. The backdrop seen through a hole matches the product only by
 * chance, on a pixel here and there, so the match is tight, and must cover about as much as the
 * hole itself: a stool's gap, seen down into floor shadow the flood left as product, matches a
 * little of that shadow.
 */
function dropHolesOfProductColour(accepted: Uint8Array, hc: ReturnType<typeof components>, product: Uint8Array, level: Level, cls: Classified): void {
  const labels: number[] = [];
  for (let l = 1; l < accepted.length; l++) if (accepted[l]) labels.push(l);
  if (labels.length === 0) return;
  const n = level.w * level.h;
  const mean = meanColours(level, hc);
  const limit = (PRINT_MATCH * T_DIST) ** 2;
  const alike = new Float64Array(accepted.length);
  let sampled = 0;
  // (every third pixel: plenty for a share)
  const every = 3;
  for (let i = 0; i < n; i += every) {
    if (!product[i] || hc.labels[i]) continue;
    sampled++;
    if (cls.D[i]! <= T_DIST) continue;
    for (const l of labels) if (colourDistance2(level, cls.sigma, i, mean, l) <= limit) alike[l]++;
  }
  for (const l of labels) if (alike[l]! >= PRINT_SHARE * sampled && every * alike[l]! >= PRINT_AREA * hc.area[l]!) accepted[l] = 0;
}

/** least number of accepted holes, round and of about one size, that are print, not holes */
const REPEATED_HOLES = 3;
/** "about one size": within this factor of their median area, either way */
const HOLE_SIZE_FACTOR = 1.33;
/** a dot is at most this share of the product's area (a stool's gaps are larger) */
const DOT_SHARE = 0.02;
/** a round dot's bounding box: the longer side at most this many times the shorter */
const ROUND_ASPECT = 2;

/**
 * Clears `accepted` for holes (`hc`) that repeat: REPEATED_HOLES or more, small, round and of
 * about one size, are dots of the backdrop's colour printed on the product (grey dots on green
 * sunglasses on grey), which pass every hole test. A product shows the backdrop through one or
 * two holes (a handle, a ring's middle, a pair of finger holes), through gaps larger than a dot
 * (a stool's) or long ones (a chair back's slats), not through a pattern of small round ones.
 */
function dropRepeatedHoles(accepted: Uint8Array, hc: ReturnType<typeof components>, productArea: number): void {
  const dotLike = (l: number) => {
    if (hc.area[l]! > DOT_SHARE * productArea) return false;
    const [x0, y0, x1, y1] = hc.box[l]!;
    const a = x1 - x0 + 1;
    const b = y1 - y0 + 1;
    return Math.max(a, b) <= ROUND_ASPECT * Math.min(a, b);
  };
  const sizes: number[] = [];
  for (let l = 1; l < accepted.length; l++) if (accepted[l] && dotLike(l)) sizes.push(hc.area[l]!);
  if (sizes.length < REPEATED_HOLES) return;
  const median = quantile(sizes, 0.5);
  const alike = (l: number) => dotLike(l) && hc.area[l]! <= HOLE_SIZE_FACTOR * median && hc.area[l]! * HOLE_SIZE_FACTOR >= median;
  let count = 0;
  for (let l = 1; l < accepted.length; l++) if (accepted[l] && alike(l)) count++;
  if (count < REPEATED_HOLES) return;
  for (let l = 1; l < accepted.length; l++) if (accepted[l] && alike(l)) accepted[l] = 0;
}

/** least area (level px) of a part of the product inside a hole that makes the hole a highlight's falloff */
const ISLAND_MIN = 4;
/**
 * ... with most of it this far (times T_DIST) from the backdrop: a highlight's core, not where
 * the model is a little off in the middle of a big hole
 */
const ISLAND_CONTRAST = 2;
/**
 * ... and at least this share of the hole's area: a falloff ring is thin beside its core (a hole
 * that grew along the falloff of a highlight next to it is still a hole)
 */
const ISLAND_SHARE = 0.5;

/**
 * Clears `accepted` for holes (`hc`, within `grown`) that ring a part of the product, clearly
 * unlike the backdrop and not shadow: a strong highlight on a dark product crosses the
 * backdrop's colour in a ring around its bright core, which looks like backdrop and is bounded
 * by contrast on both sides. A real hole shows only the backdrop inside it, and perhaps shadow,
 * or a patch where the model is a little off.
 */
function dropHolesAroundIslands(accepted: Uint8Array, grown: Uint8Array, hc: ReturnType<typeof components>, cls: Classified, w: number, h: number): void {
  const islands = components(enclosedIn(grown, w, h), w, h, false);
  if (islands.count === 0) return;
  const lit = new Int32Array(islands.count + 1);
  for (let i = 0; i < w * h; i++) if (islands.labels[i] && !cls.shadowLike[i] && cls.D[i]! > ISLAND_CONTRAST * T_DIST) lit[islands.labels[i]!]++;
  for (let i = 0; i < w * h; i++) {
    const k = islands.labels[i]!;
    if (!k || islands.area[k]! < ISLAND_MIN || 2 * lit[k]! < islands.area[k]!) continue;
    forEachNeighbour4(i, w, w * h, (j) => {
      const l = hc.labels[j]!;
      if (l && islands.area[k]! >= ISLAND_SHARE * hc.area[l]!) accepted[l] = 0;
    });
  }
}

/** longest run (level px) of soft shadow between two stretches of flooded backdrop that is opened */
const SOFT_BAND = 12;
/** least step in L (Lab) between a soft band's two ends, and how far (L) past them it may stray */
const SOFT_BAND_STEP = 2;
const SOFT_BAND_SLACK = 1;
/** longest run (level px) of a whole shadow's line between two stretches of backdrop that is opened */
const SHADOW_LINE = 2 * SOFT_BAND;

/**
 * Opens thin bands of soft shadow left between two stretches of flooded backdrop: along a row
 * or a column, a run of at most SOFT_BAND shadow-like pixels, each smooth or on a blurred step
 * and at least one blurred, with flooded backdrop at both ends. The upper rim of a hard contact
 * shadow between headphone cups or stool legs is such a band: closed in by the product on three
 * sides, it stayed shut to the flood (and was kept as product), though the backdrop above it and
 * the shadow's core below were both flooded. A product part's outline is sharp, neither smooth
 * nor blurred, so no run crosses one; nor does a run cross a part of shadow's colour whose
 * outline is faint, since the band must ramp from one end's lightness to the other's. A whole
 * shadow's line between two stretches of backdrop, up to SHADOW_LINE long, dips and rises
 * again, and is opened when both its flanks are blurred rims. Once the holes are known it runs
 * again with them as backdrop: the band under the hole between two cups leads from the hole,
 * not from flooded backdrop.
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
  // ... or a whole shadow's line between two stretches of backdrop: down from one end to its
  // core and up to the other, with a blurred rim on each flank (a hard contact shadow under the
  // gap between headphone cups, deeper than a ramp's reach, between that gap and the floor)
  const isShadowLine = (start: number, step: number, a: number, b: number) => {
    const at = (t: number) => L[start + t * step]!;
    let core = a;
    for (let t = a + 1; t < b; t++) if (at(t) < at(core)) core = t;
    if (core === a || core === b) return false;
    for (let t = a + 1; t <= core; t++) if (at(t) > at(t - 1) + SOFT_BAND_SLACK) return false;
    for (let t = core + 1; t <= b; t++) if (at(t) < at(t - 1) - SOFT_BAND_SLACK) return false;
    let rimBefore = false;
    let rimAfter = false;
    for (let t = a + 1; t < core; t++) if (cls.softRim[start + t * step]) rimBefore = true;
    for (let t = core + 1; t < b; t++) if (cls.softRim[start + t * step]) rimAfter = true;
    return rimBefore && rimAfter;
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
      const between = k > 0 && end < len && bg[start + (k - 1) * step] === 1 && bg[start + end * step] === 1;
      if (between && ((blurred && end - k <= SOFT_BAND && isRamp(start, step, k - 1, end)) || (end - k <= SHADOW_LINE && isShadowLine(start, step, k - 1, end))))
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
