import { describe, expect, it } from "vitest";
import { components, maxFilter, squaredDistanceTo } from "~/imaging/morphology.server";
import { quantile } from "~/imaging/segment/classify.server";
import { median } from "~/imaging/background-model.server";

// The raster toolbox's fast paths against plain definitions, on small random rasters that
// include empty and full masks, single rows and columns, and windows wider than the frame.

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
}

interface Case {
  w: number;
  h: number;
  mask: Uint8Array;
  values: Float32Array;
}

function cases(count: number): Case[] {
  const r = rng(42);
  const out: Case[] = [];
  for (let t = 0; t < count; t++) {
    const w = 1 + Math.floor(r() * 40);
    const h = 1 + Math.floor(r() * 40);
    const density = t % 10 === 0 ? 0 : t % 10 === 1 ? 1 : r();
    const mask = new Uint8Array(w * h);
    for (let i = 0; i < mask.length; i++) mask[i] = r() < density ? 1 : 0;
    const values = new Float32Array(w * h).map(() => r() * 100);
    out.push({ w, h, mask, values });
  }
  return out;
}

/** Component id per pixel by repeated relabelling to the smallest neighbour id (slow, obviously right). */
function referenceLabels(mask: Uint8Array, w: number, h: number, eight: boolean): Int32Array {
  const id = new Int32Array(w * h);
  for (let i = 0; i < id.length; i++) id[i] = mask[i] ? i + 1 : 0;
  for (let changed = true; changed; ) {
    changed = false;
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) {
        const i = y * w + x;
        if (!mask[i]) continue;
        for (let dy = -1; dy <= 1; dy++)
          for (let dx = -1; dx <= 1; dx++) {
            if ((dx === 0 && dy === 0) || (!eight && dx !== 0 && dy !== 0)) continue;
            const xx = x + dx;
            const yy = y + dy;
            if (xx < 0 || yy < 0 || xx >= w || yy >= h) continue;
            const j = yy * w + xx;
            if (mask[j] && id[j]! < id[i]!) {
              id[i] = id[j]!;
              changed = true;
            }
          }
      }
  }
  return id;
}

describe("raster toolbox", () => {
  it("labels connected components (4 and 8 neighbours) with areas and boxes, numbered in scan order", () => {
    for (const { w, h, mask } of cases(150))
      for (const eight of [false, true]) {
        const cc = components(mask, w, h, eight);
        const ref = referenceLabels(mask, w, h, eight);
        // scan order: a component's number is its rank by first pixel
        const number = new Map<number, number>();
        for (let i = 0; i < ref.length; i++) if (ref[i] && !number.has(ref[i]!)) number.set(ref[i]!, number.size + 1);
        expect(cc.count).toBe(number.size);
        const area = new Array(cc.count + 1).fill(0);
        const box = Array.from({ length: cc.count + 1 }, () => [w, h, -1, -1]);
        for (let i = 0; i < ref.length; i++) {
          const expected = ref[i] ? number.get(ref[i]!)! : 0;
          expect(cc.labels[i]).toBe(expected);
          if (!expected) continue;
          area[expected]++;
          const b = box[expected]!;
          const x = i % w;
          const y = Math.floor(i / w);
          b[0] = Math.min(b[0]!, x);
          b[1] = Math.min(b[1]!, y);
          b[2] = Math.max(b[2]!, x);
          b[3] = Math.max(b[3]!, y);
        }
        expect(cc.area.slice(1)).toEqual(area.slice(1));
        expect(cc.box.slice(1)).toEqual(box.slice(1));
      }
  });

  it("takes the maximum over a square window, clamped at the frame", () => {
    const r = rng(7);
    for (const { w, h, values } of cases(120)) {
      const rad = 1 + Math.floor(r() * 25);
      const got = maxFilter(values, w, h, rad);
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++) {
          let m = -Infinity;
          for (let yy = Math.max(0, y - rad); yy <= Math.min(h - 1, y + rad); yy++)
            for (let xx = Math.max(0, x - rad); xx <= Math.min(w - 1, x + rad); xx++) m = Math.max(m, values[yy * w + xx]!);
          expect(got[y * w + x]).toBe(m);
        }
    }
  });

  it("gives the exact squared distance to the nearest mask pixel", () => {
    for (const { w, h, mask } of cases(120)) {
      const got = squaredDistanceTo(mask, w, h);
      const points: number[] = [];
      for (let i = 0; i < mask.length; i++) if (mask[i]) points.push(i);
      for (let i = 0; i < mask.length; i++) {
        if (points.length === 0) {
          expect(got[i]).toBeGreaterThan(1e19); // "huge": nothing to be near
          continue;
        }
        let best = Infinity;
        for (const p of points) best = Math.min(best, (p % w - (i % w)) ** 2 + (Math.floor(p / w) - Math.floor(i / w)) ** 2);
        expect(got[i]).toBe(best);
      }
    }
  });

  it("takes quantiles and medians by selection as a full sort would", () => {
    const r = rng(3);
    for (let t = 0; t < 200; t++) {
      const n = 1 + Math.floor(r() * 2000);
      // ties are common in real residuals (quantised pixels)
      const values = Array.from({ length: n }, () => (t % 2 ? Math.round(r() * 20) : r() * 50 - 25));
      const sorted = Float32Array.from(values).sort();
      for (const q of [0, 0.25, 0.5, 0.75, 0.9, 1]) expect(quantile(values, q)).toBe(sorted[Math.floor(q * (n - 1))]);
      const doubles = Float64Array.from(values);
      const s64 = Float64Array.from(values).sort();
      const expected = n % 2 ? s64[(n - 1) / 2] : 0.5 * (s64[n / 2 - 1]! + s64[n / 2]!);
      expect(median(doubles, n)).toBe(expected);
      expect(doubles).toEqual(Float64Array.from(values)); // the caller's samples are left as they were
    }
  });
});
