/**
 * Small raster toolbox on typed arrays (row-major, width w, height h):
 * blurs, exact Euclidean distance transform, connected components, flood fill.
 */

/** Separable box blur of radius r (window 2r+1), edge-clamped, returns a new array. */
export function boxBlur(src: Float32Array, w: number, h: number, r: number): Float32Array {
  if (r <= 0) return Float32Array.from(src);
  const tmp = new Float32Array(w * h);
  const out = new Float32Array(w * h);
  const inv = 1 / (2 * r + 1);
  const line = new Float32Array(Math.max(w, h) + 2 * r + 1);
  // horizontal
  for (let y = 0; y < h; y++) {
    const row = y * w;
    const first = src[row]!;
    const last = src[row + w - 1]!;
    for (let k = 0; k < r; k++) line[k] = first;
    for (let x = 0; x < w; x++) line[r + x] = src[row + x]!;
    for (let k = 0; k <= r; k++) line[r + w + k] = last;
    let acc = 0;
    for (let k = 0; k < 2 * r + 1; k++) acc += line[k]!;
    for (let x = 0; x < w; x++) {
      tmp[row + x] = acc * inv;
      acc += line[x + 2 * r + 1]! - line[x]!;
    }
  }
  // vertical, row-wise with per-column running sums (cache friendly)
  const acc = new Float64Array(w);
  const rowAt = (y: number) => (y < 0 ? 0 : y >= h ? h - 1 : y) * w;
  for (let k = -r; k <= r; k++) {
    const o = rowAt(k);
    for (let x = 0; x < w; x++) acc[x] += tmp[o + x]!;
  }
  for (let y = 0; y < h; y++) {
    const row = y * w;
    const add = rowAt(y + r + 1);
    const sub = rowAt(y - r);
    for (let x = 0; x < w; x++) {
      out[row + x] = acc[x]! * inv;
      acc[x] += tmp[add + x]! - tmp[sub + x]!;
    }
  }
  return out;
}

/** [1 2 1]/4 binomial blur applied `passes` times in both directions (sigma ~ sqrt(passes/2)). */
export function binomialBlur(src: Float32Array, w: number, h: number, passes = 2): Float32Array {
  let a = Float32Array.from(src);
  let b = new Float32Array(w * h);
  for (let p = 0; p < passes; p++) {
    for (let y = 0; y < h; y++) {
      const row = y * w;
      for (let x = 0; x < w; x++) {
        const l = a[row + (x > 0 ? x - 1 : 0)]!;
        const r = a[row + (x < w - 1 ? x + 1 : x)]!;
        b[row + x] = 0.25 * l + 0.5 * a[row + x]! + 0.25 * r;
      }
    }
    for (let y = 0; y < h; y++) {
      const up = (y > 0 ? y - 1 : 0) * w;
      const dn = (y < h - 1 ? y + 1 : y) * w;
      const row = y * w;
      for (let x = 0; x < w; x++) a[row + x] = 0.25 * b[up + x]! + 0.5 * b[row + x]! + 0.25 * b[dn + x]!;
    }
  }
  b = a;
  return b;
}

const INF = 1e20;

function edt1d(f: Float64Array, n: number, d: Float64Array, v: Int32Array, z: Float64Array): void {
  let k = 0;
  v[0] = 0;
  z[0] = -INF;
  z[1] = INF;
  for (let q = 1; q < n; q++) {
    let s = (f[q]! + q * q - (f[v[k]!]! + v[k]! * v[k]!)) / (2 * q - 2 * v[k]!);
    while (s <= z[k]!) {
      k--;
      s = (f[q]! + q * q - (f[v[k]!]! + v[k]! * v[k]!)) / (2 * q - 2 * v[k]!);
    }
    k++;
    v[k] = q;
    z[k] = s;
    z[k + 1] = INF;
  }
  k = 0;
  for (let q = 0; q < n; q++) {
    while (z[k + 1]! < q) k++;
    const dq = q - v[k]!;
    d[q] = dq * dq + f[v[k]!]!;
  }
}

/**
 * Exact squared Euclidean distance from every pixel to the nearest pixel with mask[i] != 0
 * (Felzenszwalb & Huttenlocher). Pixels in the mask get 0. If the mask is empty every value is huge.
 */
export function squaredDistanceTo(mask: Uint8Array, w: number, h: number): Float32Array {
  const n = Math.max(w, h);
  const f = new Float64Array(n);
  const d = new Float64Array(n);
  const v = new Int32Array(n);
  const z = new Float64Array(n + 1);
  // Column pass: on a binary mask the 1-D transform is the squared distance to the nearest mask
  // pixel up or down the column; two row-major sweeps find it without striding through memory.
  const grid = new Float64Array(w * h);
  const gap = new Float64Array(w).fill(INF);
  for (let y = 0; y < h; y++) {
    const row = y * w;
    for (let x = 0; x < w; x++) {
      const g = mask[row + x] ? 0 : gap[x]! + 1;
      gap[x] = g;
      grid[row + x] = g;
    }
  }
  gap.fill(INF);
  for (let y = h - 1; y >= 0; y--) {
    const row = y * w;
    for (let x = 0; x < w; x++) {
      const g = mask[row + x] ? 0 : gap[x]! + 1;
      gap[x] = g;
      const near = Math.min(g, grid[row + x]!);
      grid[row + x] = near >= INF ? INF : near * near;
    }
  }
  const out = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    const row = y * w;
    for (let x = 0; x < w; x++) f[x] = grid[row + x]!;
    edt1d(f, w, d, v, z);
    for (let x = 0; x < w; x++) out[row + x] = d[x]!;
  }
  return out;
}

/** Dilation by a disc of radius r (exact, via distance transform). */
export function dilate(mask: Uint8Array, w: number, h: number, r: number): Uint8Array {
  const d2 = squaredDistanceTo(mask, w, h);
  const out = new Uint8Array(w * h);
  const rr = r * r;
  for (let i = 0; i < w * h; i++) out[i] = d2[i]! <= rr ? 1 : 0;
  return out;
}

/** Erosion by a disc of radius r. Pixels outside the frame count as "inside" (no border erosion). */
export function erode(mask: Uint8Array, w: number, h: number, r: number): Uint8Array {
  const inv = new Uint8Array(w * h);
  for (let i = 0; i < w * h; i++) inv[i] = mask[i] ? 0 : 1;
  const d2 = squaredDistanceTo(inv, w, h);
  const out = new Uint8Array(w * h);
  const rr = r * r;
  for (let i = 0; i < w * h; i++) out[i] = mask[i] && d2[i]! > rr ? 1 : 0;
  return out;
}

export interface Components {
  /** 0 = not in mask, otherwise component id 1..count */
  labels: Int32Array;
  count: number;
  /** area[id] */
  area: number[];
  /** bounding boxes: [x0, y0, x1, y1] per id (inclusive) */
  box: Array<[number, number, number, number]>;
}

/**
 * Connected components of mask != 0 (8- or 4-connectivity), numbered in scan order of their
 * first pixel. Works on runs: the runs of each row are joined (union-find) to the runs of the
 * row above that they touch, so each pixel is read once and written once.
 */
export function components(mask: Uint8Array, w: number, h: number, eight = true): Components {
  const n = w * h;
  const labels = new Int32Array(n);
  // runs: start x, end x (inclusive), row; parent for union-find
  const cap = (n >> 1) + h + 1;
  const rx0 = new Int32Array(cap);
  const rx1 = new Int32Array(cap);
  const ry = new Int32Array(cap);
  const parent = new Int32Array(cap);
  const find = (r: number) => {
    let root = r;
    while (parent[root] !== root) root = parent[root]!;
    while (parent[r] !== root) {
      const next = parent[r]!;
      parent[r] = root;
      r = next;
    }
    return root;
  };
  const reach = eight ? 1 : 0;
  let runs = 0;
  let prevStart = 0; // first run of the row above
  for (let y = 0; y < h; y++) {
    const row = y * w;
    const rowStart = runs;
    let p = prevStart;
    for (let x = 0; x < w; ) {
      if (!mask[row + x]) {
        x++;
        continue;
      }
      const x0 = x;
      while (x < w && mask[row + x]) x++;
      const x1 = x - 1;
      const r = runs++;
      rx0[r] = x0;
      rx1[r] = x1;
      ry[r] = y;
      parent[r] = r;
      // runs of the row above that touch this one (overlap, or meet diagonally with 8 neighbours)
      while (p < rowStart && rx1[p]! < x0 - reach) p++;
      for (let q = p; q < rowStart && rx0[q]! <= x1 + reach; q++) {
        const a = find(q);
        const b = find(r);
        // (the older root stays the root: ids are settled in scan order below anyway)
        if (a < b) parent[b] = a;
        else if (b < a) parent[a] = b;
      }
    }
    prevStart = rowStart;
  }
  // number the roots in scan order of their first run, which is their first pixel
  const id = new Int32Array(runs);
  const area: number[] = [0];
  const box: Array<[number, number, number, number]> = [[0, 0, 0, 0]];
  let count = 0;
  for (let r = 0; r < runs; r++) {
    const root = find(r);
    let l = id[root]!;
    if (!l) {
      l = id[root] = ++count;
      area.push(0);
      box.push([w, h, -1, -1]);
    }
    const x0 = rx0[r]!;
    const x1 = rx1[r]!;
    const y = ry[r]!;
    area[l] += x1 - x0 + 1;
    const b = box[l]!;
    if (x0 < b[0]) b[0] = x0;
    if (y < b[1]) b[1] = y;
    if (x1 > b[2]) b[2] = x1;
    if (y > b[3]) b[3] = y;
    labels.fill(l, y * w + x0, y * w + x1 + 1);
  }
  return { labels, count, area, box };
}

/**
 * 4-connected flood fill: starts from every pixel with seed[i] != 0 && passable[i] != 0 and
 * spreads through passable pixels. Returns the reached set (also marks into `out` if given).
 */
export function flood(seed: Uint8Array, passable: Uint8Array, w: number, h: number, out?: Uint8Array): Uint8Array {
  const n = w * h;
  const reached = out ?? new Uint8Array(n);
  const stack = new Int32Array(n);
  let sp = 0;
  for (let i = 0; i < n; i++)
    if (seed[i] && passable[i] && !reached[i]) {
      reached[i] = 1;
      stack[sp++] = i;
    }
  while (sp > 0) {
    const i = stack[--sp]!;
    const x = i % w;
    if (x > 0 && passable[i - 1] && !reached[i - 1]) {
      reached[i - 1] = 1;
      stack[sp++] = i - 1;
    }
    if (x < w - 1 && passable[i + 1] && !reached[i + 1]) {
      reached[i + 1] = 1;
      stack[sp++] = i + 1;
    }
    if (i >= w && passable[i - w] && !reached[i - w]) {
      reached[i - w] = 1;
      stack[sp++] = i - w;
    }
    if (i < n - w && passable[i + w] && !reached[i + w]) {
      reached[i + w] = 1;
      stack[sp++] = i + w;
    }
  }
  return reached;
}

/** Marks the outermost `m` pixels of the frame. */
export function borderRing(w: number, h: number, m: number): Uint8Array {
  const out = new Uint8Array(w * h);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      if (x < m || y < m || x >= w - m || y >= h - m) out[y * w + x] = 1;
  return out;
}

/** Separable square max filter of radius r (window 2r+1), edge-clamped (van Herk / Gil-Werman). */
export function maxFilter(src: Float32Array, w: number, h: number, r: number): Float32Array {
  if (r <= 0) return Float32Array.from(src);
  const tmp = new Float32Array(w * h);
  const out = new Float32Array(w * h);
  const win = 2 * r + 1;
  const cap = Math.max(w, h) + 2 * r;
  const line = new Float32Array(cap);
  const g = new Float32Array(cap);
  const hh = new Float32Array(cap);
  // g: running max from the start of each block of `win`, hh: from its end; a window spans at
  // most two blocks, so its max is hh at its start against g at its end
  const run = (len: number, res: Float32Array, base: number, stride: number) => {
    const L = len + 2 * r;
    for (let b0 = 0; b0 < L; b0 += win) {
      const b1 = Math.min(L, b0 + win);
      let m = line[b0]!;
      g[b0] = m;
      for (let k = b0 + 1; k < b1; k++) g[k] = m = Math.max(m, line[k]!);
      m = line[b1 - 1]!;
      hh[b1 - 1] = m;
      for (let k = b1 - 2; k >= b0; k--) hh[k] = m = Math.max(m, line[k]!);
    }
    for (let k = 0; k < len; k++) res[base + k * stride] = Math.max(hh[k]!, g[k + 2 * r]!);
  };
  for (let y = 0; y < h; y++) {
    const row = y * w;
    for (let k = 0; k < w + 2 * r; k++) {
      const x = k - r;
      line[k] = src[row + (x < 0 ? 0 : x >= w ? w - 1 : x)]!;
    }
    run(w, tmp, row, 1);
  }
  for (let x = 0; x < w; x++) {
    for (let k = 0; k < h + 2 * r; k++) {
      const y = k - r;
      line[k] = tmp[(y < 0 ? 0 : y >= h ? h - 1 : y) * w + x]!;
    }
    run(h, out, x, w);
  }
  return out;
}

/**
 * Chessboard (Chebyshev, 8-neighbour) distance from every pixel to the nearest pixel with
 * mask[i] == 0, capped at 255; pixels with mask[i] == 0 get 0. The frame border is not a
 * boundary (outside pixels count as inside). Two-pass chamfer transform, O(n).
 */
export function chessDistanceInside(mask: Uint8Array, w: number, h: number): Uint8Array {
  const d = new Uint8Array(w * h);
  for (let i = 0; i < w * h; i++) d[i] = mask[i] ? 255 : 0;
  for (let y = 0; y < h; y++) {
    const row = y * w;
    for (let x = 0; x < w; x++) {
      const i = row + x;
      let v = d[i]!;
      if (v === 0) continue;
      if (x > 0 && d[i - 1]! + 1 < v) v = d[i - 1]! + 1;
      if (y > 0) {
        const u = i - w;
        if (d[u]! + 1 < v) v = d[u]! + 1;
        if (x > 0 && d[u - 1]! + 1 < v) v = d[u - 1]! + 1;
        if (x < w - 1 && d[u + 1]! + 1 < v) v = d[u + 1]! + 1;
      }
      d[i] = v;
    }
  }
  for (let y = h - 1; y >= 0; y--) {
    const row = y * w;
    for (let x = w - 1; x >= 0; x--) {
      const i = row + x;
      let v = d[i]!;
      if (v === 0) continue;
      if (x < w - 1 && d[i + 1]! + 1 < v) v = d[i + 1]! + 1;
      if (y < h - 1) {
        const u = i + w;
        if (d[u]! + 1 < v) v = d[u]! + 1;
        if (x > 0 && d[u - 1]! + 1 < v) v = d[u - 1]! + 1;
        if (x < w - 1 && d[u + 1]! + 1 < v) v = d[u + 1]! + 1;
      }
      d[i] = v;
    }
  }
  return d;
}

/** Chessboard distance from every pixel to the nearest pixel with mask[i] != 0 (0 on the mask), capped at 255. */
export function chessDistanceTo(mask: Uint8Array, w: number, h: number): Uint8Array {
  const inv = new Uint8Array(w * h);
  for (let i = 0; i < w * h; i++) inv[i] = mask[i] ? 0 : 1;
  return chessDistanceInside(inv, w, h);
}
