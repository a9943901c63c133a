// The local on-model renderer: a garment cutout is warped onto a model between its shoulder
// and hip anchors, then lit by the model (the model's luminance shades the garment, so the
// body's roundness and folds read through), its edges feathered and darkened a little, and
// its soft shadow laid on the body. All in linear light. No learned model, no network.
import sharp from "sharp";
import { SRGB_TO_LINEAR, linearToSrgb255, relativeLuminance } from "../color.server";
import { boxBlur } from "../morphology.server";
import type { RasterImage } from "../types.server";
import { garmentFrame, type GarmentFrame } from "./garment-frame.server";
import { meshWarp, type FloatImage } from "./warp.server";
import type { Anchors, GarmentCategory, Point } from "./types";

export interface ModelRaster {
  /** The model photo, oriented sRGB (3 or 4 channels; alpha is ignored). */
  image: RasterImage;
  anchors: Anchors;
  /** 0..255 per pixel: where the body is. The garment's shadow falls only there. */
  bodyMask?: Uint8Array | null;
  /** 0..255 per pixel: a neck that stays in front of a garment's back collar above `neckBase`. */
  neckMask?: Uint8Array | null;
  neckBase?: number;
  /** "form": a smooth drawn dress form; "photo": a real photo (its shading is smoothed first). */
  surface: "form" | "photo";
}

export interface OnModelResult {
  png: Buffer;
  width: number;
  height: number;
  /** Where the garment landed (alpha >= 0.5), for the timeline's meta and for tests. */
  garment: { box: { left: number; top: number; right: number; bottom: number }; centroid: Point; coverage: number };
  frame: GarmentFrame;
}

const add = (a: Point, b: Point): Point => ({ x: a.x + b.x, y: a.y + b.y });
const sub = (a: Point, b: Point): Point => ({ x: a.x - b.x, y: a.y - b.y });
const mul = (a: Point, k: number): Point => ({ x: a.x * k, y: a.y * k });
const len = (a: Point) => Math.hypot(a.x, a.y);
const lerp = (a: Point, b: Point, t: number): Point => ({ x: a.x + (b.x - a.x) * t, y: a.y + (b.y - a.y) * t });

/** The pair as [image-left, image-right]. */
function ordered(a: Point, b: Point): [Point, Point] {
  return a.x <= b.x ? [a, b] : [b, a];
}

interface TargetLines {
  upper: [Point, Point];
  lower: [Point, Point];
}

/**
 * Where the garment's body edges go on the model. Tops and dresses: their shoulder seams sit
 * just outside and above the shoulder anchors; at the hips they hang a little wider than the
 * body (cloth does not follow a narrowing torso). Bottoms: the waistband sits below the waist.
 */
function targetLines(anchors: Anchors, category: GarmentCategory): TargetLines {
  const [sl, sr] = ordered(anchors.left_shoulder, anchors.right_shoulder);
  const [hl, hr] = ordered(anchors.left_hip, anchors.right_hip);
  const sc = lerp(sl, sr, 0.5);
  const hc = lerp(hl, hr, 0.5);
  const shoulderHalf = sub(sr, sc);
  const hipHalf = sub(hr, hc);
  const shoulderWidth = 2 * len(shoulderHalf);
  const axis = mul(sub(hc, sc), 1 / Math.max(1e-6, len(sub(hc, sc))));
  const widen = (half: Point, to: number) => mul(half, to / Math.max(1e-6, len(half)));

  if (category === "bottoms") {
    const waist = lerp(sc, hc, 0.74);
    const half = widen(lerp(shoulderHalf, hipHalf, 0.74), Math.max(len(hipHalf) * 1.02, shoulderWidth * 0.42));
    const lowerHalf = widen(hipHalf, Math.max(len(hipHalf) * 1.1, shoulderWidth * 0.45));
    const drop = sub(hc, sc);
    return { upper: [sub(waist, half), add(waist, half)], lower: [sub(add(waist, drop), lowerHalf), add(add(waist, drop), lowerHalf)] };
  }
  // Anchors mark the shoulder joints; the cloth lies on top of the shoulders, a little outside.
  const up = mul(axis, -0.075 * shoulderWidth);
  const upperHalf = mul(shoulderHalf, 1.12);
  const lowerHalf = widen(hipHalf, Math.max(len(hipHalf) * 1.12, len(upperHalf) * 0.94));
  const upperC = add(sc, up);
  return { upper: [sub(upperC, upperHalf), add(upperC, upperHalf)], lower: [sub(hc, lowerHalf), add(hc, lowerHalf)] };
}

const smoothstep = (a: number, b: number, x: number) => {
  const t = Math.min(1, Math.max(0, (x - a) / (b - a)));
  return t * t * (3 - 2 * t);
};

/** How far a horizontal line bends where the body turns away (θ of the wrap, radians). */
const WRAP = 0.75;
/** Sleeves of an armless form hang down at about this angle below the horizontal. */
const SLEEVE_HANG = 1.05;

/**
 * Garment pixel → model pixel: a bilinear sheet between the two lines, extended straight
 * beyond them, wrapped around the body (the front is foreshortened towards the sides and
 * horizontal lines curve as on a cylinder seen from chest height), with sleeves that stick
 * out flat in the photo turned down to hang.
 */
function garmentToModel(frame: GarmentFrame, lines: TargetLines) {
  const xl = frame.centerX - frame.bodyWidth / 2;
  const upperLen = len(sub(lines.upper[1], lines.upper[0]));
  const axis = sub(lerp(lines.lower[0], lines.lower[1], 0.5), lerp(lines.upper[0], lines.upper[1], 0.5));
  const drop = len(axis);
  // The same scale down the body as across the shoulders: a garment keeps its proportions.
  const yLower = frame.upperY + (frame.bodyWidth * drop) / upperLen;
  const down = mul(axis, 1 / Math.max(1e-6, drop));
  const slope = (WRAP * Math.cos(WRAP)) / Math.sin(WRAP);
  const turn = frame.sleeves.map((angle) => (angle === null ? 0 : Math.min(0.75, Math.max(0, SLEEVE_HANG - angle))));
  return (p: Point): Point => {
    const t = (2 * (p.x - xl)) / frame.bodyWidth - 1;
    const v = (p.y - frame.upperY) / (yLower - frame.upperY);
    const wrapped = Math.abs(t) <= 1 ? Math.sin(WRAP * t) / Math.sin(WRAP) : Math.sign(t) * (1 + (Math.abs(t) - 1) * slope);
    const u = (wrapped + 1) / 2;
    const top = lerp(lines.upper[0], lines.upper[1], u);
    const bottom = lerp(lines.lower[0], lines.lower[1], u);
    let q = v < 0 ? add(top, mul(axis, v)) : v > 1 ? add(bottom, mul(axis, v - 1)) : lerp(top, bottom, v);
    const tc = Math.min(1, Math.abs(t));
    q = add(q, mul(down, 0.05 * drop * (1 - tc * tc) * (Math.min(1.6, Math.max(-0.3, v)) - 0.35)));
    const side = t < 0 ? 0 : 1;
    const phi = turn[side] * smoothstep(1, 1.3, Math.abs(t)) * (1 - smoothstep(0.55, 0.8, v));
    if (phi > 0) {
      const pivot = lines.upper[side];
      const d = sub(q, pivot);
      const c = Math.cos(phi);
      const s = Math.sin(phi);
      q = side === 1 ? add(pivot, { x: d.x * c - d.y * s, y: d.x * s + d.y * c }) : add(pivot, { x: d.x * c + d.y * s, y: -d.x * s + d.y * c });
    }
    return q;
  };
}

function blur(plane: Float32Array, w: number, h: number, r: number): Float32Array {
  const radius = Math.max(1, Math.round(r));
  return boxBlur(boxBlur(plane, w, h, radius), w, h, radius);
}

/** 1 inside the quadrilateral from a little above the shoulders to a little below the hips. */
function torsoZone(anchors: Anchors, W: number, H: number): Float32Array {
  const [sl, sr] = ordered(anchors.left_shoulder, anchors.right_shoulder);
  const [hl, hr] = ordered(anchors.left_hip, anchors.right_hip);
  const drop = sub(lerp(hl, hr, 0.5), lerp(sl, sr, 0.5));
  const widen = (a: Point, b: Point, k: number): [Point, Point] => {
    const c = lerp(a, b, 0.5);
    return [add(c, mul(sub(a, c), k)), add(c, mul(sub(b, c), k))];
  };
  const [a, b] = widen(add(sl, mul(drop, -0.15)), add(sr, mul(drop, -0.15)), 1.15);
  const [d, c] = widen(add(hl, mul(drop, -0.1)), add(hr, mul(drop, -0.1)), 1.15);
  const quad = [a, b, c, d];
  const zone = new Float32Array(W * H);
  const xs = quad.map((p) => p.x);
  const ys = quad.map((p) => p.y);
  for (let y = Math.max(0, Math.floor(Math.min(...ys))); y < Math.min(H, Math.ceil(Math.max(...ys))); y++) {
    for (let x = Math.max(0, Math.floor(Math.min(...xs))); x < Math.min(W, Math.ceil(Math.max(...xs))); x++) {
      let inside = true;
      for (let k = 0; k < 4 && inside; k++) {
        const p = quad[k];
        const q = quad[(k + 1) % 4];
        inside = (q.x - p.x) * (y + 0.5 - p.y) - (q.y - p.y) * (x + 0.5 - p.x) >= 0;
      }
      if (inside) zone[y * W + x] = 1;
    }
  }
  return zone;
}

function median(values: Float32Array, count: number): number {
  const sorted = values.slice(0, count).sort();
  return sorted[Math.floor(count / 2)] ?? 1;
}

/** Straight-alpha RGBA bytes → premultiplied linear floats. */
function toPremultipliedLinear(rgba: Buffer, width: number, height: number): FloatImage {
  const data = new Float32Array(width * height * 4);
  for (let i = 0, n = width * height; i < n; i++) {
    const a = rgba[i * 4 + 3] / 255;
    data[i * 4] = SRGB_TO_LINEAR[rgba[i * 4]] * a;
    data[i * 4 + 1] = SRGB_TO_LINEAR[rgba[i * 4 + 1]] * a;
    data[i * 4 + 2] = SRGB_TO_LINEAR[rgba[i * 4 + 2]] * a;
    data[i * 4 + 3] = a;
  }
  return { data, width, height };
}

/** Crops the garment to its box (plus a margin) and shrinks it close to its size on the model. */
async function preparedGarment(garment: RasterImage, frame: GarmentFrame, scale: number) {
  const margin = 4;
  const left = Math.max(0, frame.box.left - margin);
  const top = Math.max(0, frame.box.top - margin);
  const width = Math.min(garment.width, frame.box.right + margin) - left;
  const height = Math.min(garment.height, frame.box.bottom + margin) - top;
  let pipeline = sharp(garment.data, { raw: { width: garment.width, height: garment.height, channels: garment.channels } })
    .ensureAlpha()
    .extract({ left, top, width, height });
  if (scale < 0.95) {
    // Lanczos on premultiplied pixels (sharp does that for alpha images): no aliasing when the
    // mesh warp samples it bilinearly afterwards.
    pipeline = sharp(await pipeline.raw().toBuffer(), { raw: { width, height, channels: 4 } }).resize(
      Math.max(1, Math.round(width * scale)),
      Math.max(1, Math.round(height * scale)),
      { fit: "fill", kernel: "lanczos3" },
    );
  }
  const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
  return { image: toPremultipliedLinear(data, info.width, info.height), left, top, sx: info.width / width, sy: info.height / height };
}

export interface Placement {
  frame: GarmentFrame;
  /** Garment pixel → model pixel. */
  toModel: (p: Point) => Point;
  /** Garment pixels per model pixel across the shoulders. */
  scale: number;
}

/** How the garment will sit on a model with these anchors. */
export function planPlacement(garment: RasterImage, anchors: Anchors, category: GarmentCategory = "auto"): Placement {
  if (garment.channels !== 4) throw new Error("on-model rendering needs an RGBA cutout");
  const alpha = new Uint8Array(garment.width * garment.height);
  for (let i = 0; i < alpha.length; i++) alpha[i] = garment.data[i * 4 + 3];
  const frame = garmentFrame(alpha, garment.width, garment.height, category);
  const lines = targetLines(anchors, category);
  return { frame, toModel: garmentToModel(frame, lines), scale: len(sub(lines.upper[1], lines.upper[0])) / frame.bodyWidth };
}

/** The garment's bounding box on the model (sampled along its box's outline). */
export function placedExtent(placement: Placement): { left: number; top: number; right: number; bottom: number } {
  const { box } = placement.frame;
  const extent = { left: Infinity, top: Infinity, right: -Infinity, bottom: -Infinity };
  for (let k = 0; k <= 32; k++) {
    const x = box.left + ((box.right - box.left) * k) / 32;
    const y = box.top + ((box.bottom - box.top) * k) / 32;
    for (const p of [{ x, y: box.top }, { x, y: box.bottom }, { x: box.left, y }, { x: box.right, y }]) {
      const q = placement.toModel(p);
      extent.left = Math.min(extent.left, q.x);
      extent.right = Math.max(extent.right, q.x);
      extent.top = Math.min(extent.top, q.y);
      extent.bottom = Math.max(extent.bottom, q.y);
    }
  }
  return extent;
}

export async function renderOnModel(garment: RasterImage, model: ModelRaster, category: GarmentCategory = "auto"): Promise<OnModelResult> {
  const W = model.image.width;
  const H = model.image.height;
  const n = W * H;

  // 1. Garment geometry and where it goes.
  const { frame, toModel, scale } = planPlacement(garment, model.anchors, category);

  // 2. Warp the garment onto the model's canvas.
  const prepared = await preparedGarment(garment, frame, scale);
  const warped = meshWarp(
    prepared.image,
    (p) => toModel({ x: p.x / prepared.sx + prepared.left, y: p.y / prepared.sy + prepared.top }),
    W,
    H,
    8,
  );

  // 3. Planes of the model in linear light.
  const src = model.image.data;
  const ch = model.image.channels;
  const lum = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    lum[i] = relativeLuminance(SRGB_TO_LINEAR[src[i * ch]], SRGB_TO_LINEAR[src[i * ch + 1]], SRGB_TO_LINEAR[src[i * ch + 2]]);
  }
  const unit = Math.max(W, H) / 1000;

  // 4. Garment coverage: a hair thinner (drops the cutout's fringe), then feathered.
  const cover = new Float32Array(n);
  for (let i = 0; i < n; i++) cover[i] = Math.min(1, Math.max(0, (warped.data[i * 4 + 3] - 0.08) / 0.92));
  let A = boxBlur(cover, W, H, 1);
  if (model.neckMask && model.neckBase !== undefined) {
    const rows = Math.min(H, Math.max(0, Math.round(model.neckBase)));
    for (let i = 0; i < rows * W; i++) A[i] *= 1 - model.neckMask[i] / 255;
  }
  const body = new Float32Array(n);
  if (model.bodyMask) for (let i = 0; i < n; i++) body[i] = model.bodyMask[i] / 255;
  else body.fill(1);
  const bodySoft = model.bodyMask ? blur(body, W, H, 4 * unit) : body;
  // How deep inside the body: the body's shading fades out towards its outline, so cloth
  // hanging past the body does not show the body's contour as a hard line.
  const bodyDeep = model.bodyMask ? blur(body, W, H, 14 * unit) : body;
  // On a photo, only the torso lights the garment: below it are other clothes (dark jeans
  // would print through a dress as if they were shadows), beside it the background.
  const zone = model.surface === "photo" ? blur(torsoZone(model.anchors, W, H), W, H, 20 * unit) : null;

  // 5. Shading: the model's luminance relative to its median under the garment.
  const shade = model.surface === "photo" ? blur(lum, W, H, 3 * unit) : blur(lum, W, H, 1);
  const gamma = model.surface === "photo" ? 0.7 : 0.85;
  const samples = new Float32Array(Math.ceil(n / 3));
  let count = 0;
  for (let i = 0; i < n; i += 3) if (A[i] > 0.5 && bodySoft[i] > 0.5) samples[count++] = shade[i];
  if (count < 50) {
    count = 0;
    for (let i = 0; i < n; i += 3) if (A[i] > 0.5) samples[count++] = shade[i];
  }
  const reference = Math.max(1e-4, median(samples, count));
  const OFF_BODY = 0.9;

  // 6. Edge darkening inside the garment (cloth turns away at its edges) and its soft shadow.
  const inner = blur(A, W, H, 5 * unit);
  // The contact shadow falls a little below and right of the garment: read the blurred
  // coverage that far up and left.
  const contact = blur(A, W, H, 7 * unit);
  const dy = Math.round(5 * unit);
  const dx = Math.round(2 * unit);
  const ambient = blur(A, W, H, 28 * unit);

  // 7. Composite.
  const out = Buffer.alloc(n * 3);
  let sumX = 0;
  let sumY = 0;
  let covered = 0;
  let left = W;
  let right = -1;
  let top = H;
  let bottom = -1;
  for (let i = 0; i < n; i++) {
    const a = A[i];
    const x = i % W;
    const y = (i - x) / W;
    const cast = x >= dx && y >= dy ? contact[i - dy * W - dx] : 0;
    const shadow = (1 - 0.5 * cast * bodySoft[i] * (1 - a)) * (1 - 0.1 * ambient[i] * (1 - a));
    let r = SRGB_TO_LINEAR[src[i * ch]] * shadow;
    let g = SRGB_TO_LINEAR[src[i * ch + 1]] * shadow;
    let b = SRGB_TO_LINEAR[src[i * ch + 2]] * shadow;
    if (a > 0) {
      const wa = warped.data[i * 4 + 3];
      const inv = wa > 1e-4 ? 1 / wa : 0;
      const lit = Math.min(1.3, Math.max(0.4, Math.pow(shade[i] / reference, gamma)));
      const depth = bodyDeep[i] * bodyDeep[i] * (zone ? zone[i] : 1);
      const light = OFF_BODY + (lit - OFF_BODY) * depth;
      const edge = 1 - 0.3 * Math.max(0, a - inner[i]);
      const k = light * edge;
      r = warped.data[i * 4] * inv * k * a + r * (1 - a);
      g = warped.data[i * 4 + 1] * inv * k * a + g * (1 - a);
      b = warped.data[i * 4 + 2] * inv * k * a + b * (1 - a);
      if (a >= 0.5) {
        sumX += x;
        sumY += y;
        covered++;
        if (x < left) left = x;
        if (x > right) right = x;
        if (y < top) top = y;
        if (y > bottom) bottom = y;
      }
    }
    out[i * 3] = Math.round(linearToSrgb255(r));
    out[i * 3 + 1] = Math.round(linearToSrgb255(g));
    out[i * 3 + 2] = Math.round(linearToSrgb255(b));
  }
  const png = await sharp(out, { raw: { width: W, height: H, channels: 3 } }).png({ compressionLevel: 6 }).toBuffer();
  return {
    png,
    width: W,
    height: H,
    garment: {
      box: covered ? { left, top, right: right + 1, bottom: bottom + 1 } : { left: 0, top: 0, right: 0, bottom: 0 },
      centroid: covered ? { x: sumX / covered, y: sumY / covered } : { x: 0, y: 0 },
      coverage: covered / n,
    },
    frame,
  };
}
