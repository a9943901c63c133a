/**
 * Smooth background model: a low-order 2-D polynomial per Lab channel, fitted robustly
 * (iteratively re-weighted least squares with Tukey's biweight) to background samples.
 * Coordinates are normalised to the full-resolution frame, u,v in [-1, 1], so one model
 * can be evaluated on any crop / scale of the photo.
 */
import quickselect from "quickselect";

export interface PolyModel {
  degree: number;
  /** coefficients per channel (L, a, b), term order: for j=0..d (v power), i=0..d-j (u power) */
  coef: [Float64Array, Float64Array, Float64Array];
  /** robust per-channel residual scale (Lab units) of the samples it was fitted on */
  sigma: [number, number, number];
}

export interface Samples {
  u: Float64Array;
  v: Float64Array;
  c0: Float64Array;
  c1: Float64Array;
  c2: Float64Array;
  n: number;
}

export function termCount(degree: number): number {
  return ((degree + 1) * (degree + 2)) / 2;
}

function basis(u: number, v: number, degree: number, out: Float64Array): void {
  let k = 0;
  let vp = 1;
  for (let j = 0; j <= degree; j++) {
    let up = vp;
    for (let i = 0; i <= degree - j; i++) {
      out[k++] = up;
      up *= u;
    }
    vp *= v;
  }
}

/** Solves the symmetric positive (semi)definite system A x = b in place via Cholesky with ridge. */
function solveSpd(A: Float64Array, b: Float64Array, m: number): Float64Array {
  let tr = 0;
  for (let i = 0; i < m; i++) tr += A[i * m + i]!;
  const ridge = (tr / m) * 1e-7 + 1e-12;
  for (let i = 0; i < m; i++) A[i * m + i] += ridge;
  const Lm = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j <= i; j++) {
      let s = A[i * m + j]!;
      for (let k = 0; k < j; k++) s -= Lm[i * m + k]! * Lm[j * m + k]!;
      if (i === j) Lm[i * m + i] = Math.sqrt(Math.max(s, 1e-18));
      else Lm[i * m + j] = s / Lm[j * m + j]!;
    }
  }
  const y = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    let s = b[i]!;
    for (let k = 0; k < i; k++) s -= Lm[i * m + k]! * y[k]!;
    y[i] = s / Lm[i * m + i]!;
  }
  const x = new Float64Array(m);
  for (let i = m - 1; i >= 0; i--) {
    let s = y[i]!;
    for (let k = i + 1; k < m; k++) s -= Lm[k * m + i]! * x[k]!;
    x[i] = s / Lm[i * m + i]!;
  }
  return x;
}

function weightedFit(s: Samples, w: Float64Array, degree: number): [Float64Array, Float64Array, Float64Array] {
  const m = termCount(degree);
  const A = new Float64Array(m * m);
  const b0 = new Float64Array(m);
  const b1 = new Float64Array(m);
  const b2 = new Float64Array(m);
  const phi = new Float64Array(m);
  for (let k = 0; k < s.n; k++) {
    const wk = w[k]!;
    if (wk <= 0) continue;
    basis(s.u[k]!, s.v[k]!, degree, phi);
    for (let i = 0; i < m; i++) {
      const pi = phi[i]! * wk;
      for (let j = 0; j <= i; j++) A[i * m + j] += pi * phi[j]!;
      b0[i] += pi * s.c0[k]!;
      b1[i] += pi * s.c1[k]!;
      b2[i] += pi * s.c2[k]!;
    }
  }
  for (let i = 0; i < m; i++) for (let j = 0; j < i; j++) A[j * m + i] = A[i * m + j]!;
  return [solveSpd(Float64Array.from(A), b0, m), solveSpd(Float64Array.from(A), b1, m), solveSpd(A, b2, m)];
}

export function evalPoint(coef: Float64Array, degree: number, u: number, v: number): number {
  let k = 0;
  let vp = 1;
  let acc = 0;
  for (let j = 0; j <= degree; j++) {
    let up = vp;
    for (let i = 0; i <= degree - j; i++) {
      acc += coef[k++]! * up;
      up *= u;
    }
    vp *= v;
  }
  return acc;
}

/** Median of the first n values (the mean of the two middle ones when n is even); leaves `values` as they are. */
export function median(values: Float64Array, n: number): number {
  if (n === 0) return 0;
  const a = Float64Array.from(values.subarray(0, n));
  const hi = n >> 1;
  quickselect(a as unknown as number[], hi);
  if (n % 2) return a[hi]!;
  // selecting a[hi] leaves the smaller half in front of it, so the other middle value is its maximum
  let lo = a[0]!;
  for (let k = 1; k < hi; k++) if (a[k]! > lo) lo = a[k]!;
  return 0.5 * (lo + a[hi]!);
}

/**
 * Robust IRLS fit. `init` weights (optional) start the iteration (e.g. to down-weight
 * suspected foreground). Returns the model with robust residual scales.
 */
export function robustFit(s: Samples, degree: number, iterations = 6, floor: [number, number, number] = [0.3, 0.2, 0.2]): PolyModel {
  const w = new Float64Array(s.n).fill(1);
  let coef = weightedFit(s, w, degree);
  let sigma: [number, number, number] = [1, 1, 1];
  const r0 = new Float64Array(s.n);
  const r1 = new Float64Array(s.n);
  const r2 = new Float64Array(s.n);
  const abs = new Float64Array(s.n);
  for (let it = 0; it < iterations; it++) {
    for (let k = 0; k < s.n; k++) {
      r0[k] = s.c0[k]! - evalPoint(coef[0], degree, s.u[k]!, s.v[k]!);
      r1[k] = s.c1[k]! - evalPoint(coef[1], degree, s.u[k]!, s.v[k]!);
      r2[k] = s.c2[k]! - evalPoint(coef[2], degree, s.u[k]!, s.v[k]!);
    }
    const scales: number[] = [];
    for (const r of [r0, r1, r2]) {
      // scale from the samples that currently carry weight (MAD around 0)
      let m = 0;
      for (let k = 0; k < s.n; k++) if (w[k]! > 0 || it === 0) abs[m++] = Math.abs(r[k]!);
      scales.push(1.4826 * median(abs, m));
    }
    sigma = [Math.max(scales[0]!, floor[0]), Math.max(scales[1]!, floor[1]), Math.max(scales[2]!, floor[2])];
    const c = 4.685;
    for (let k = 0; k < s.n; k++) {
      const d = Math.sqrt((r0[k]! / sigma[0]) ** 2 + (r1[k]! / sigma[1]) ** 2 + (r2[k]! / sigma[2]) ** 2) / Math.sqrt(3);
      const t = d / c;
      w[k] = t < 1 ? (1 - t * t) ** 2 : 0;
    }
    coef = weightedFit(s, w, degree);
  }
  return { degree, coef, sigma };
}

/**
 * Evaluates the model on a grid: pixel (x, y) of a w x h plane maps to full-resolution
 * coordinates X = ox + (x + 0.5) * sx, Y = oy + (y + 0.5) * sy of a FW x FH frame.
 */
export function evalPlanes(
  model: PolyModel,
  w: number,
  h: number,
  map: { ox: number; oy: number; sx: number; sy: number; FW: number; FH: number },
): [Float32Array, Float32Array, Float32Array] {
  const d = model.degree;
  const out: [Float32Array, Float32Array, Float32Array] = [new Float32Array(w * h), new Float32Array(w * h), new Float32Array(w * h)];
  const cu = new Float64Array(d + 1);
  for (let ch = 0; ch < 3; ch++) {
    const coef = model.coef[ch as 0 | 1 | 2];
    const plane = out[ch as 0 | 1 | 2];
    for (let y = 0; y < h; y++) {
      const v = ((map.oy + (y + 0.5) * map.sy) / map.FH) * 2 - 1;
      cu.fill(0);
      let k = 0;
      let vp = 1;
      for (let j = 0; j <= d; j++) {
        for (let i = 0; i <= d - j; i++) cu[i] += coef[k++]! * vp;
        vp *= v;
      }
      const row = y * w;
      for (let x = 0; x < w; x++) {
        const u = ((map.ox + (x + 0.5) * map.sx) / map.FW) * 2 - 1;
        let acc = cu[d]!;
        for (let i = d - 1; i >= 0; i--) acc = acc * u + cu[i]!;
        plane[row + x] = acc;
      }
    }
  }
  return out;
}
