// Piecewise-affine mesh warp: the source is covered by a grid of small triangles, each
// vertex is moved by a forward map, and every destination pixel of a triangle is filled by
// inverse-affine lookup with bilinear sampling. Works for any smooth, non-folding map.
import type { Point } from "./types";

/** Premultiplied RGBA floats (4 per pixel, row-major). */
export interface FloatImage {
  data: Float32Array;
  width: number;
  height: number;
}

function sample(src: FloatImage, sx: number, sy: number, out: Float32Array, o: number) {
  const { data, width: w, height: h } = src;
  const x = sx - 0.5;
  const y = sy - 0.5;
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  const fx = x - x0;
  const fy = y - y0;
  let r = 0;
  let g = 0;
  let b = 0;
  let a = 0;
  // Outside the source is transparent: the edge fades over one pixel.
  for (let k = 0; k < 4; k++) {
    const tx = x0 + (k & 1);
    const ty = y0 + (k >> 1);
    if (tx < 0 || ty < 0 || tx >= w || ty >= h) continue;
    const wt = (k & 1 ? fx : 1 - fx) * (k >> 1 ? fy : 1 - fy);
    const i = (ty * w + tx) * 4;
    r += data[i] * wt;
    g += data[i + 1] * wt;
    b += data[i + 2] * wt;
    a += data[i + 3] * wt;
  }
  out[o] = r;
  out[o + 1] = g;
  out[o + 2] = b;
  out[o + 3] = a;
}

function fillTriangle(src: FloatImage, dst: FloatImage, s: Point[], d: Point[]) {
  // Affine map destination -> source from the three correspondences.
  const [d0, d1, d2] = d;
  const det = (d1.x - d0.x) * (d2.y - d0.y) - (d2.x - d0.x) * (d1.y - d0.y);
  if (Math.abs(det) < 1e-9) return;
  const minX = Math.max(0, Math.floor(Math.min(d0.x, d1.x, d2.x)));
  const maxX = Math.min(dst.width - 1, Math.ceil(Math.max(d0.x, d1.x, d2.x)));
  const minY = Math.max(0, Math.floor(Math.min(d0.y, d1.y, d2.y)));
  const maxY = Math.min(dst.height - 1, Math.ceil(Math.max(d0.y, d1.y, d2.y)));
  const eps = -1e-7;
  for (let y = minY; y <= maxY; y++) {
    const py = y + 0.5;
    for (let x = minX; x <= maxX; x++) {
      const px = x + 0.5;
      const b1 = ((px - d0.x) * (d2.y - d0.y) - (d2.x - d0.x) * (py - d0.y)) / det;
      const b2 = ((d1.x - d0.x) * (py - d0.y) - (px - d0.x) * (d1.y - d0.y)) / det;
      const b0 = 1 - b1 - b2;
      if (b0 < eps || b1 < eps || b2 < eps) continue;
      const sx = b0 * s[0].x + b1 * s[1].x + b2 * s[2].x;
      const sy = b0 * s[0].y + b1 * s[1].y + b2 * s[2].y;
      sample(src, sx, sy, dst.data, (y * dst.width + x) * 4);
    }
  }
}

/**
 * Warps `src` into a new `width`×`height` image through `forward` (source → destination
 * coordinates, pixel-corner convention), sampling a mesh every `step` source pixels.
 */
export function meshWarp(src: FloatImage, forward: (p: Point) => Point, width: number, height: number, step = 8): FloatImage {
  const dst: FloatImage = { data: new Float32Array(width * height * 4), width, height };
  const cols = Math.max(1, Math.ceil(src.width / step));
  const rows = Math.max(1, Math.ceil(src.height / step));
  const grid: Point[] = [];
  const srcPts: Point[] = [];
  for (let j = 0; j <= rows; j++) {
    for (let i = 0; i <= cols; i++) {
      const p = { x: Math.min(src.width, i * step), y: Math.min(src.height, j * step) };
      srcPts.push(p);
      grid.push(forward(p));
    }
  }
  const at = (i: number, j: number) => j * (cols + 1) + i;
  for (let j = 0; j < rows; j++) {
    for (let i = 0; i < cols; i++) {
      // Skip cells with nothing to draw (most of a cutout's bounding box is garment, but not all).
      if (!cellHasInk(src, srcPts[at(i, j)], srcPts[at(i + 1, j + 1)])) continue;
      const a = at(i, j);
      const b = at(i + 1, j);
      const c = at(i, j + 1);
      const e = at(i + 1, j + 1);
      fillTriangle(src, dst, [srcPts[a], srcPts[b], srcPts[e]], [grid[a], grid[b], grid[e]]);
      fillTriangle(src, dst, [srcPts[a], srcPts[e], srcPts[c]], [grid[a], grid[e], grid[c]]);
    }
  }
  return dst;
}

function cellHasInk(src: FloatImage, p0: Point, p1: Point): boolean {
  // One pixel of margin: bilinear taps reach across the cell border.
  const x0 = Math.max(0, Math.floor(p0.x) - 1);
  const y0 = Math.max(0, Math.floor(p0.y) - 1);
  const x1 = Math.min(src.width, Math.ceil(p1.x) + 1);
  const y1 = Math.min(src.height, Math.ceil(p1.y) + 1);
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) if (src.data[(y * src.width + x) * 4 + 3] > 0) return true;
  }
  return false;
}
