// A working level of the segmenter: the photo (or a crop of it) resampled to a bounded size, in
// Lab, with the map back to source pixels, and its model-independent edge measures. T_DIST, the
// threshold every stage compares model distances with, lives here as the lowest shared module.
import sharp from "sharp";
import { srgbBufferToLab } from "../color.server";
import type { Samples } from "../background-model.server";
import { binomialBlur } from "../morphology.server";
import type { RasterImage } from "../types.server";

/** noise-normalised distance above which a pixel differs from the background model */
export const T_DIST = 4.5;

interface MapToFull {
  ox: number;
  oy: number;
  sx: number;
  sy: number;
  FW: number;
  FH: number;
}

export interface Level {
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
  /** cached edge strength in lightness alone (model independent) */
  lightRange?: Float32Array;
  /** cached lightly blurred L plane (model independent) */
  smoothL?: Float32Array;
}

export async function makeLevel(
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

export function samplesFrom(level: Level, select: (i: number) => boolean, maxSamples: number): Samples {
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
export function smoothL(level: Level): Float32Array {
  return (level.smoothL ??= binomialBlur(level.L, level.w, level.h, 1));
}

/**
 * Edge strength: Euclidean norm of the per-channel 3x3 ranges (max - min) of the lightly
 * blurred Lab planes. Unlike central differences, the range does not cancel at the centre
 * of a thin line, so a 2-px dark stem is an edge, not a smooth region.
 */
export function gradientMagnitude(level: Level): Float32Array {
  const { w, h } = level;
  return rangeNorm([smoothL(level), binomialBlur(level.A, w, h, 1), binomialBlur(level.B, w, h, 1)], w, h);
}

/** Edge strength in lightness alone: the 3x3 range of the lightly blurred L plane (see gradientMagnitude). */
export function lightnessRange(level: Level): Float32Array {
  return (level.lightRange ??= rangeNorm([smoothL(level)], level.w, level.h));
}

/** Euclidean norm over `planes` of each pixel's 3x3 range (max - min). */
function rangeNorm(planes: Float32Array[], w: number, h: number): Float32Array {
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
