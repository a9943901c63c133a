/**
 * Colour helpers: sRGB <-> linear light <-> CIE Lab (D65), hex parsing.
 * All conversions work on raw interleaved 8-bit buffers or float planes.
 */
import { ImagingArgumentError } from "./errors.server";

/** sRGB 8-bit value -> linear light [0,1]. */
export const SRGB_TO_LINEAR: Float32Array = (() => {
  const t = new Float32Array(256);
  for (let i = 0; i < 256; i++) {
    const c = i / 255;
    t[i] = c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
  }
  return t;
})();

/** Relative luminance of a linear RGB colour (Rec. 709 primaries, 4-digit weights). */
export function relativeLuminance(r: number, g: number, b: number): number {
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

export function linearToSrgb(v: number): number {
  const c = v <= 0 ? 0 : v >= 1 ? 1 : v;
  return c <= 0.0031308 ? c * 12.92 : 1.055 * Math.pow(c, 1 / 2.4) - 0.055;
}

const LIN_LUT_SIZE = 4096;
/** linear [0,1] quantised to 4096 steps -> sRGB [0,1]. */
const LINEAR_TO_SRGB_LUT: Float32Array = (() => {
  const t = new Float32Array(LIN_LUT_SIZE + 1);
  for (let i = 0; i <= LIN_LUT_SIZE; i++) t[i] = linearToSrgb(i / LIN_LUT_SIZE);
  return t;
})();

/** Fast linear [0,1] -> sRGB [0,255] (float, not rounded). */
export function linearToSrgb255(v: number): number {
  if (v <= 0) return 0;
  if (v >= 1) return 255;
  const f = v * LIN_LUT_SIZE;
  const i = f | 0;
  const w = f - i;
  return 255 * (LINEAR_TO_SRGB_LUT[i]! * (1 - w) + LINEAR_TO_SRGB_LUT[i + 1]! * w);
}

// D65 reference white
const XN = 0.95047;
const YN = 1.0;
const ZN = 1.08883;
const EPS = 216 / 24389;
const KAPPA = 24389 / 27;

function labF(t: number): number {
  return t > EPS ? Math.cbrt(t) : (KAPPA * t + 16) / 116;
}
function labFInv(f: number): number {
  const f3 = f * f * f;
  return f3 > EPS ? f3 : (116 * f - 16) / KAPPA;
}

export interface LabPlanes {
  L: Float32Array;
  a: Float32Array;
  b: Float32Array;
}

/** Linear RGB -> Lab into out[0..2]. */
export function linearRgbToLab(r: number, g: number, b: number, out: Float64Array | Float32Array | number[]): void {
  const x = (0.4124564 * r + 0.3575761 * g + 0.1804375 * b) / XN;
  const y = (0.2126729 * r + 0.7151522 * g + 0.072175 * b) / YN;
  const z = (0.0193339 * r + 0.119192 * g + 0.9503041 * b) / ZN;
  const fx = labF(x);
  const fy = labF(y);
  const fz = labF(z);
  out[0] = 116 * fy - 16;
  out[1] = 500 * (fx - fy);
  out[2] = 200 * (fy - fz);
}

/** Lab -> linear RGB into out[0..2] (not clamped). */
export function labToLinearRgb(L: number, a: number, bb: number, out: Float64Array | Float32Array | number[]): void {
  const fy = (L + 16) / 116;
  const fx = fy + a / 500;
  const fz = fy - bb / 200;
  const x = labFInv(fx) * XN;
  const y = (L > KAPPA * EPS ? fy * fy * fy : L / KAPPA) * YN;
  const z = labFInv(fz) * ZN;
  out[0] = 3.2404542 * x - 1.5371385 * y - 0.4985314 * z;
  out[1] = -0.969266 * x + 1.8760108 * y + 0.041556 * z;
  out[2] = 0.0556434 * x - 0.2040259 * y + 1.0572252 * z;
}

/** Converts an interleaved 8-bit sRGB buffer (3 or 4 channels; alpha ignored) to Lab planes. */
export function srgbBufferToLab(data: Uint8Array, pixels: number, channels: number): LabPlanes {
  const L = new Float32Array(pixels);
  const A = new Float32Array(pixels);
  const B = new Float32Array(pixels);
  const lut = SRGB_TO_LINEAR;
  const tmp = new Float64Array(3);
  // Cache by packed colour: studio photos have many repeated colours.
  let lastKey = -1;
  let l0 = 0;
  let a0 = 0;
  let b0 = 0;
  for (let i = 0, p = 0; i < pixels; i++, p += channels) {
    const r = data[p]!;
    const g = data[p + 1]!;
    const b = data[p + 2]!;
    const key = (r << 16) | (g << 8) | b;
    if (key !== lastKey) {
      linearRgbToLab(lut[r]!, lut[g]!, lut[b]!, tmp);
      l0 = tmp[0]!;
      a0 = tmp[1]!;
      b0 = tmp[2]!;
      lastKey = key;
    }
    L[i] = l0;
    A[i] = a0;
    B[i] = b0;
  }
  return { L, a: A, b: B };
}

export function srgb8ToLab(r: number, g: number, b: number): [number, number, number] {
  const out = [0, 0, 0];
  linearRgbToLab(SRGB_TO_LINEAR[r & 255]!, SRGB_TO_LINEAR[g & 255]!, SRGB_TO_LINEAR[b & 255]!, out);
  return [out[0]!, out[1]!, out[2]!];
}

export function labToSrgb8(L: number, a: number, b: number): { r: number; g: number; b: number } {
  const out = [0, 0, 0];
  labToLinearRgb(L, a, b, out);
  return {
    r: Math.round(linearToSrgb255(out[0]!)),
    g: Math.round(linearToSrgb255(out[1]!)),
    b: Math.round(linearToSrgb255(out[2]!)),
  };
}

/** Parses "#rrggbb" (or "#rgb"). Throws ImagingArgumentError otherwise. */
export function parseHexColor(hex: string): { r: number; g: number; b: number } {
  const m6 = /^#?([0-9a-f]{6})$/i.exec(hex.trim());
  if (m6) {
    const v = parseInt(m6[1]!, 16);
    return { r: (v >> 16) & 255, g: (v >> 8) & 255, b: v & 255 };
  }
  const m3 = /^#?([0-9a-f]{3})$/i.exec(hex.trim());
  if (m3) {
    const s = m3[1]!;
    return {
      r: parseInt(s[0]! + s[0]!, 16),
      g: parseInt(s[1]! + s[1]!, 16),
      b: parseInt(s[2]! + s[2]!, 16),
    };
  }
  throw new ImagingArgumentError(`Invalid colour "${hex}": expected "#rrggbb"`);
}

/**
 * Euclidean length of a 2- or 3-component difference (a Lab step). Math.hypot guards against
 * overflow that colour differences cannot reach and is about ten times slower in per-pixel loops.
 */
export function norm(a: number, b: number, c = 0): number {
  return Math.sqrt(a * a + b * b + c * c);
}
