/**
 * Catalog composite: trim to the subject, scale so its longer side is fill*size, centre it on
 * a square canvas of the background colour, optional soft contact shadow. All blending is done
 * on raw buffers so placement is exact; sharp does the (alpha-premultiplied) resampling.
 */
import sharp from "sharp";
import { parseHexColor } from "./color.server";
import { ImagingArgumentError, NoSubjectError } from "./errors.server";
import type { ComposeOptions, ComposeResult, RasterImage } from "./types.server";

export const DEFAULT_COMPOSE_OPTIONS: ComposeOptions = { size: 2048, fill: 0.85, background: "#ffffff", shadow: true };

/** alpha >= this counts as subject when measuring the bounding box */
export const SUBJECT_ALPHA_THRESHOLD = 128;

export function resolveComposeOptions(options: Partial<ComposeOptions> = {}): ComposeOptions {
  const o: ComposeOptions = {
    size: options.size ?? DEFAULT_COMPOSE_OPTIONS.size,
    fill: options.fill ?? DEFAULT_COMPOSE_OPTIONS.fill,
    background: options.background ?? DEFAULT_COMPOSE_OPTIONS.background,
    shadow: options.shadow ?? DEFAULT_COMPOSE_OPTIONS.shadow,
  };
  if (!Number.isInteger(o.size) || o.size < 16 || o.size > 8192) throw new ImagingArgumentError(`size must be an integer in 16..8192, got ${o.size}`);
  if (!(o.fill > 0 && o.fill <= 1)) throw new ImagingArgumentError(`fill must be in (0, 1], got ${o.fill}`);
  parseHexColor(o.background);
  return o;
}

/** Bounding box of alpha >= threshold, or null if empty. */
export function alphaBoundingBox(alpha: Uint8Array, width: number, height: number, threshold = SUBJECT_ALPHA_THRESHOLD) {
  let x0 = width;
  let y0 = height;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      if (alpha[row + x]! >= threshold) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
  }
  return x1 < 0 ? null : { left: x0, top: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 };
}

export async function composeOnCanvas(image: RasterImage, alpha: Buffer, options: Partial<ComposeOptions> = {}): Promise<ComposeResult> {
  const o = resolveComposeOptions(options);
  const { width: W, height: H, channels } = image;
  if (image.data.length !== W * H * channels) throw new ImagingArgumentError("image.data size does not match width*height*channels");
  if (alpha.length !== W * H) throw new ImagingArgumentError(`alpha has ${alpha.length} bytes, expected ${W * H}`);
  const box = alphaBoundingBox(alpha, W, H);
  if (!box) throw new NoSubjectError();
  const bg = parseHexColor(o.background);
  const size = o.size;
  const scale = (o.fill * size) / Math.max(box.width, box.height);

  // region to resample: subject box plus a few pixels for soft edges
  const pad = Math.max(2, Math.ceil(2 / Math.min(1, scale)));
  const rx0 = Math.max(0, box.left - pad);
  const ry0 = Math.max(0, box.top - pad);
  const rx1 = Math.min(W, box.left + box.width + pad);
  const ry1 = Math.min(H, box.top + box.height + pad);
  const rw = rx1 - rx0;
  const rh = ry1 - ry0;
  const rgba = Buffer.alloc(rw * rh * 4);
  for (let y = 0; y < rh; y++) {
    for (let x = 0; x < rw; x++) {
      const si = (ry0 + y) * W + rx0 + x;
      const p = si * channels;
      const q = (y * rw + x) * 4;
      rgba[q] = image.data[p]!;
      rgba[q + 1] = image.data[p + 1]!;
      rgba[q + 2] = image.data[p + 2]!;
      rgba[q + 3] = alpha[si]!;
    }
  }
  const tw = Math.max(1, Math.round(rw * scale));
  const th = Math.max(1, Math.round(rh * scale));
  const scaled = await sharp(rgba, { raw: { width: rw, height: rh, channels: 4 } })
    .resize(tw, th, { fit: "fill", kernel: scale < 1 ? "lanczos3" : "mitchell" })
    .raw()
    .toBuffer();
  const sx = tw / rw;
  const sy = th / rh;

  // subject box placement (float), centred on the canvas
  const subjW = box.width * sx;
  const subjH = box.height * sy;
  const subjLeft = (size - subjW) / 2;
  const subjTop = (size - subjH) / 2;
  const offX = Math.round(subjLeft - (box.left - rx0) * sx);
  const offY = Math.round(subjTop - (box.top - ry0) * sy);

  const canvas = Buffer.alloc(size * size * 3);
  for (let i = 0; i < size * size; i++) {
    canvas[i * 3] = bg.r;
    canvas[i * 3 + 1] = bg.g;
    canvas[i * 3 + 2] = bg.b;
  }

  if (o.shadow) drawContactShadow(canvas, size, scaled, tw, th, offX, offY);

  for (let y = 0; y < th; y++) {
    const cy = offY + y;
    if (cy < 0 || cy >= size) continue;
    for (let x = 0; x < tw; x++) {
      const cx = offX + x;
      if (cx < 0 || cx >= size) continue;
      const q = (y * tw + x) * 4;
      const a = scaled[q + 3]!;
      if (a === 0) continue;
      const o3 = (cy * size + cx) * 3;
      if (a === 255) {
        canvas[o3] = scaled[q]!;
        canvas[o3 + 1] = scaled[q + 1]!;
        canvas[o3 + 2] = scaled[q + 2]!;
      } else {
        const t = a / 255;
        canvas[o3] = Math.round(scaled[q]! * t + canvas[o3]! * (1 - t));
        canvas[o3 + 1] = Math.round(scaled[q + 1]! * t + canvas[o3 + 1]! * (1 - t));
        canvas[o3 + 2] = Math.round(scaled[q + 2]! * t + canvas[o3 + 2]! * (1 - t));
      }
    }
  }

  const png = await sharp(canvas, { raw: { width: size, height: size, channels: 3 } })
    .png({ compressionLevel: 6, adaptiveFiltering: false, palette: false })
    .toBuffer();
  return {
    png,
    width: size,
    height: size,
    subjectBox: {
      left: Math.round(subjLeft),
      top: Math.round(subjTop),
      width: Math.round(subjW),
      height: Math.round(subjH),
    },
  };
}

/**
 * Soft elliptical contact shadow under the subject: centred under the subject's footprint
 * (the columns it occupies in its lowest rows), darkening the canvas multiplicatively.
 */
function drawContactShadow(canvas: Buffer, size: number, rgba: Buffer, tw: number, th: number, offX: number, offY: number): void {
  // subject rows/columns in the scaled layer (alpha >= 128)
  let bottom = -1;
  let top = th;
  let left = tw;
  let right = -1;
  for (let y = 0; y < th; y++)
    for (let x = 0; x < tw; x++)
      if (rgba[(y * tw + x) * 4 + 3]! >= 128) {
        if (y > bottom) bottom = y;
        if (y < top) top = y;
        if (x < left) left = x;
        if (x > right) right = x;
      }
  if (bottom < 0) return;
  const subjH = bottom - top + 1;
  const subjW = right - left + 1;
  const band = Math.max(1, Math.round(subjH * 0.04));
  let fx0 = tw;
  let fx1 = -1;
  for (let y = Math.max(0, bottom - band); y <= bottom; y++)
    for (let x = 0; x < tw; x++)
      if (rgba[(y * tw + x) * 4 + 3]! >= 128) {
        if (x < fx0) fx0 = x;
        if (x > fx1) fx1 = x;
      }
  const footprint = Math.max(fx1 - fx0 + 1, 0.35 * subjW);
  const cx = offX + (fx0 + fx1) / 2;
  const cy = offY + bottom - 0.01 * subjH;
  const rx = 0.55 * footprint;
  const ry = Math.max(2, 0.05 * footprint);
  const soft = Math.max(1.5, 0.012 * size);
  const strength = 0.32;
  const x0 = Math.max(0, Math.floor(cx - rx - 8 * soft));
  const x1 = Math.min(size - 1, Math.ceil(cx + rx + 8 * soft));
  const y0 = Math.max(0, Math.floor(cy - ry - 8 * soft));
  const y1 = Math.min(size - 1, Math.ceil(cy + ry + 8 * soft));
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const u = (x + 0.5 - cx) / rx;
      const v = (y + 0.5 - cy) / ry;
      const d = (Math.sqrt(u * u + v * v) - 1) * ry;
      const t = d / soft;
      if (t > 10) continue;
      const k = 1 - strength / (1 + Math.exp(t));
      const o3 = (y * size + x) * 3;
      canvas[o3] = Math.round(canvas[o3]! * k);
      canvas[o3 + 1] = Math.round(canvas[o3 + 1]! * k);
      canvas[o3 + 2] = Math.round(canvas[o3 + 2]! * k);
    }
  }
}
