// Studio's built-in models: dress forms drawn here (SVG rendered by sharp), so every shop
// has models that work offline, with exactly known anchors and body masks. No photos.
import sharp from "sharp";
import type { Anchors } from "./types";

export const MANNEQUIN_WIDTH = 1536;
export const MANNEQUIN_HEIGHT = 2048;

interface FormSpec {
  /** Right half of the torso outline as [dx from the centre line, y], neck base to bottom. */
  outline: [number, number][];
  neckHalfWidth: number;
  neckTop: number;
  /** Torso colours: shadow side, base, highlight (sRGB hex). */
  shadow: string;
  base: string;
  light: string;
  backdrop: [string, string];
  anchors: Anchors;
  /** The neck's lowest visible row: the neck hides a garment's back collar above it. */
  neckBase: number;
}

const CX = MANNEQUIN_WIDTH / 2;

function spec(
  outline: [number, number][],
  colours: { shadow: string; base: string; light: string; backdrop: [string, string] },
  shoulder: [number, number],
  hip: [number, number],
  neck: { halfWidth: number; top: number; base: number },
): FormSpec {
  return {
    outline,
    neckHalfWidth: neck.halfWidth,
    neckTop: neck.top,
    neckBase: neck.base,
    ...colours,
    anchors: {
      // The model's left is the image's right (the form faces the camera).
      left_shoulder: { x: CX + shoulder[0], y: shoulder[1] },
      right_shoulder: { x: CX - shoulder[0], y: shoulder[1] },
      left_hip: { x: CX + hip[0], y: hip[1] },
      right_hip: { x: CX - hip[0], y: hip[1] },
      neck: { x: CX, y: neck.base - 10 },
    },
  };
}

const FORMS = {
  "mannequin-neutral": spec(
    [
      [64, 470], [150, 500], [232, 540], [262, 582], [262, 640], [250, 705], [256, 800], [228, 900],
      [190, 1010], [206, 1110], [236, 1230], [240, 1330], [228, 1430],
    ],
    { shadow: "#8c8378", base: "#d8cfc3", light: "#f1ebe2", backdrop: ["#ebe8e3", "#d9d5cf"] },
    [236, 572],
    [228, 1230],
    { halfWidth: 62, top: 300, base: 476 },
  ),
  "mannequin-athletic": spec(
    [
      [70, 462], [172, 496], [270, 536], [302, 578], [300, 640], [284, 705], [284, 800], [252, 910],
      [216, 1010], [216, 1110], [226, 1230], [230, 1330], [222, 1430],
    ],
    { shadow: "#3e3c3b", base: "#77726d", light: "#a8a29b", backdrop: ["#e7e9ea", "#d3d6d8"] },
    [274, 566],
    [218, 1230],
    { halfWidth: 70, top: 296, base: 468 },
  ),
} satisfies Record<string, FormSpec>;

export type MannequinSlug = keyof typeof FORMS;
export const MANNEQUIN_SLUGS = Object.keys(FORMS) as MannequinSlug[];

/** Smooth closed-ish path through points (Catmull-Rom turned into cubic Béziers). */
function smoothPath(points: [number, number][], move = true): string {
  let d = move ? `M ${points[0][0]} ${points[0][1]}` : `L ${points[0][0]} ${points[0][1]}`;
  for (let i = 0; i < points.length - 1; i++) {
    const p0 = points[Math.max(0, i - 1)];
    const p1 = points[i];
    const p2 = points[i + 1];
    const p3 = points[Math.min(points.length - 1, i + 2)];
    const c1 = [p1[0] + (p2[0] - p0[0]) / 6, p1[1] + (p2[1] - p0[1]) / 6];
    const c2 = [p2[0] - (p3[0] - p1[0]) / 6, p2[1] - (p3[1] - p1[1]) / 6];
    d += ` C ${c1[0].toFixed(1)} ${c1[1].toFixed(1)} ${c2[0].toFixed(1)} ${c2[1].toFixed(1)} ${p2[0]} ${p2[1]}`;
  }
  return d;
}

function torsoPath(form: FormSpec): string {
  const right = form.outline.map(([dx, y]) => [CX + dx, y] as [number, number]);
  const left = [...form.outline].reverse().map(([dx, y]) => [CX - dx, y] as [number, number]);
  const bottom = form.outline[form.outline.length - 1];
  // Right side down, a gently curved bottom edge, left side up, then across the neck base.
  return `${smoothPath(right)} Q ${CX} ${bottom[1] + 34} ${CX - bottom[0]} ${bottom[1]} ${smoothPath(left, false).replace(/^L [^C]*/, "")} Z`;
}

function neckPath(form: FormSpec): string {
  const w = form.neckHalfWidth;
  const base = form.outline[0][1] + 24;
  return `M ${CX - w} ${base} C ${CX - w + 4} ${form.neckTop + 120} ${CX - w + 6} ${form.neckTop + 40} ${CX - w + 8} ${form.neckTop}
    L ${CX + w - 8} ${form.neckTop} C ${CX + w - 6} ${form.neckTop + 40} ${CX + w - 4} ${form.neckTop + 120} ${CX + w} ${base} Z`;
}

/** Zooming out keeps the top of the frame in place and lengthens the stand (long garments). */
const ZOOM_ORIGIN_Y = 150;
const zoomTransform = (zoom: number) => `translate(${CX} ${ZOOM_ORIGIN_Y}) scale(${zoom}) translate(${-CX} ${-ZOOM_ORIGIN_Y})`;
const zoomPoint = (x: number, y: number, zoom: number) => ({ x: CX + (x - CX) * zoom, y: ZOOM_ORIGIN_Y + (y - ZOOM_ORIGIN_Y) * zoom });

/**
 * The scene in two layers: the studio `backdrop` (wall, floor shadow) and the `figure` (stand
 * and form, transparent around them). The form's soft cast shadow goes between the two; it
 * is blurred by sharp (SVG blur filters are slow to rasterise).
 */
function formSvg(form: FormSpec, zoom: number, layer: "backdrop" | "figure"): string {
  const W = MANNEQUIN_WIDTH;
  const H = MANNEQUIN_HEIGHT;
  const bottomY = form.outline[form.outline.length - 1][1];
  const standTop = zoomPoint(CX, bottomY, zoom).y;
  const torso = torsoPath(form);
  const neck = neckPath(form);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}">
  <defs>
    <linearGradient id="wall" x1="0" y1="0" x2="0" y2="1">
      <stop offset="0" stop-color="${form.backdrop[1]}"/>
      <stop offset="0.35" stop-color="${form.backdrop[0]}"/>
      <stop offset="0.8" stop-color="${form.backdrop[0]}"/>
      <stop offset="1" stop-color="${form.backdrop[1]}"/>
    </linearGradient>
    <radialGradient id="vignette" cx="0.5" cy="0.45" r="0.75">
      <stop offset="0.55" stop-color="#000" stop-opacity="0"/>
      <stop offset="1" stop-color="#000" stop-opacity="0.16"/>
    </radialGradient>
    <linearGradient id="round" x1="0" y1="0" x2="1" y2="0">
      <stop offset="0" stop-color="${form.shadow}"/>
      <stop offset="0.1" stop-color="${form.base}"/>
      <stop offset="0.36" stop-color="${form.light}"/>
      <stop offset="0.55" stop-color="${form.light}"/>
      <stop offset="0.8" stop-color="${form.base}"/>
      <stop offset="0.95" stop-color="${form.shadow}"/>
      <stop offset="1" stop-color="${form.shadow}"/>
    </linearGradient>
    <linearGradient id="depth" x1="0" y1="0" x2="0" y2="1">
      <stop offset="0" stop-color="#000" stop-opacity="0"/>
      <stop offset="0.12" stop-color="#000" stop-opacity="0.10"/>
      <stop offset="0.3" stop-color="#000" stop-opacity="0"/>
      <stop offset="0.5" stop-color="#000" stop-opacity="0.06"/>
      <stop offset="0.62" stop-color="#000" stop-opacity="0.14"/>
      <stop offset="0.8" stop-color="#000" stop-opacity="0"/>
      <stop offset="1" stop-color="#000" stop-opacity="0.22"/>
    </linearGradient>
    <radialGradient id="bust" cx="0.5" cy="0.5" r="0.5">
      <stop offset="0" stop-color="#fff" stop-opacity="0.22"/>
      <stop offset="1" stop-color="#fff" stop-opacity="0"/>
    </radialGradient>
    <linearGradient id="metal" x1="0" y1="0" x2="1" y2="0">
      <stop offset="0" stop-color="#3b3835"/>
      <stop offset="0.4" stop-color="#8d8780"/>
      <stop offset="1" stop-color="#2e2c2a"/>
    </linearGradient>
    <linearGradient id="wood" x1="0" y1="0" x2="1" y2="0">
      <stop offset="0" stop-color="#5a3f29"/>
      <stop offset="0.45" stop-color="#9b7450"/>
      <stop offset="1" stop-color="#4a3322"/>
    </linearGradient>
    <radialGradient id="floor" cx="0.5" cy="0.5" r="0.5">
      <stop offset="0" stop-color="#000" stop-opacity="0.3"/>
      <stop offset="0.6" stop-color="#000" stop-opacity="0.16"/>
      <stop offset="1" stop-color="#000" stop-opacity="0"/>
    </radialGradient>
    <clipPath id="torsoClip"><path d="${torso}"/></clipPath>
  </defs>
  ${
    layer === "backdrop"
      ? `<rect width="${W}" height="${H}" fill="url(#wall)"/>
  <rect width="${W}" height="${H}" fill="url(#vignette)"/>
  <ellipse cx="${CX + 30}" cy="${H - 122}" rx="330" ry="62" fill="url(#floor)"/>`
      : `<rect x="${CX - 12}" y="${standTop - 10}" width="24" height="${H - 140 - standTop}" fill="url(#metal)"/>
  <ellipse cx="${CX}" cy="${H - 140}" rx="210" ry="30" fill="url(#wood)"/>
  <ellipse cx="${CX}" cy="${H - 146}" rx="204" ry="22" fill="#000" opacity="0.12"/>
  <g transform="${zoomTransform(zoom)}">
  <path d="${neck}" fill="url(#round)"/>
  <ellipse cx="${CX}" cy="${form.neckTop + 2}" rx="${form.neckHalfWidth - 6}" ry="16" fill="url(#wood)"/>
  <path d="${torso}" fill="url(#round)"/>
  <g clip-path="url(#torsoClip)">
    <rect x="0" y="${form.outline[0][1] - 20}" width="${W}" height="${bottomY - form.outline[0][1] + 80}" fill="url(#depth)"/>
    <ellipse cx="${CX - 110}" cy="800" rx="150" ry="120" fill="url(#bust)"/>
    <ellipse cx="${CX + 110}" cy="800" rx="150" ry="120" fill="url(#bust)" opacity="0.6"/>
  </g>
  <path d="M ${CX - form.outline[form.outline.length - 1][0]} ${bottomY} Q ${CX} ${bottomY + 34} ${CX + form.outline[form.outline.length - 1][0]} ${bottomY}"
    fill="none" stroke="#000" stroke-opacity="0.25" stroke-width="6"/>
  </g>`
  }
</svg>`;
}

function maskSvg(form: FormSpec, part: "body" | "neck", zoom: number): string {
  const shapes = part === "neck" ? `<path d="${neckPath(form)}" fill="#fff"/>` : `<path d="${torsoPath(form)}" fill="#fff"/><path d="${neckPath(form)}" fill="#fff"/>`;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${MANNEQUIN_WIDTH}" height="${MANNEQUIN_HEIGHT}"><rect width="100%" height="100%" fill="#000"/><g transform="${zoomTransform(zoom)}">${shapes}</g></svg>`;
}

export interface Mannequin {
  slug: MannequinSlug;
  zoom: number;
  png: Buffer;
  width: number;
  height: number;
  anchors: Anchors;
  /** 0..255 per pixel: where the form is (the garment's shadow falls only there). */
  bodyMask: Buffer;
  /** 0..255 per pixel: the neck, which stays in front of a garment's back collar above `neckBase`. */
  neckMask: Buffer;
  neckBase: number;
}

/** A few drawn forms (each ~10 MB with its masks), least recently used dropped first. */
const cache = new Map<string, Promise<Mannequin>>();
const CACHE_SIZE = 4;

async function maskOf(svg: string): Promise<Buffer> {
  return sharp(Buffer.from(svg)).extractChannel(0).raw().toBuffer();
}

/** The form's shadow on the wall: its silhouette, offset to the lower right, very soft. */
async function castShadow(bodyMask: Buffer, zoom: number): Promise<Buffer> {
  const W = MANNEQUIN_WIDTH;
  const H = MANNEQUIN_HEIGHT;
  const dx = Math.round(46 * zoom);
  const dy = Math.round(28 * zoom);
  const shifted = Buffer.alloc(W * H);
  for (let y = dy; y < H; y++) bodyMask.copy(shifted, y * W + dx, (y - dy) * W, (y - dy) * W + W - dx);
  const alpha = await sharp(shifted, { raw: { width: W, height: H, channels: 1 } })
    .blur(34 * zoom)
    .linear(0.16, 0)
    .extractChannel(0)
    .raw()
    .toBuffer();
  return sharp({ create: { width: W, height: H, channels: 3, background: "#000000" } })
    .joinChannel(alpha, { raw: { width: W, height: H, channels: 1 } })
    .png()
    .toBuffer();
}

/** Rounds a zoom to the steps that are drawn (and cached). */
export function zoomStep(zoom: number): number {
  return Math.min(1, Math.max(0.5, Math.floor(zoom * 20) / 20));
}

/**
 * Draws (once per process and zoom) a built-in dress form. `zoom` < 1 draws the form smaller
 * on the same canvas, so a long garment fits in the frame.
 */
export function mannequin(slug: MannequinSlug, zoom = 1): Promise<Mannequin> {
  const z = zoomStep(zoom);
  const key = `${slug}@${z}`;
  let pending = cache.get(key);
  if (pending) {
    cache.delete(key);
    cache.set(key, pending);
  } else {
    const form = FORMS[slug];
    pending = (async () => {
      const [backdrop, figure, bodyMask, neckMask] = await Promise.all([
        sharp(Buffer.from(formSvg(form, z, "backdrop"))).png().toBuffer(),
        sharp(Buffer.from(formSvg(form, z, "figure"))).png().toBuffer(),
        maskOf(maskSvg(form, "body", z)),
        maskOf(maskSvg(form, "neck", z)),
      ]);
      const png = await sharp(backdrop)
        .composite([{ input: await castShadow(bodyMask, z) }, { input: figure }])
        .removeAlpha()
        .png()
        .toBuffer();
      return { slug, zoom: z, png, width: MANNEQUIN_WIDTH, height: MANNEQUIN_HEIGHT, anchors: mannequinAnchors(slug, z), bodyMask, neckMask, neckBase: zoomPoint(CX, form.neckBase, z).y };
    })();
    pending.catch(() => cache.delete(key));
    cache.set(key, pending);
    if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value!);
  }
  return pending;
}

export function mannequinAnchors(slug: MannequinSlug, zoom = 1): Anchors {
  const a = FORMS[slug].anchors;
  const z = (p: { x: number; y: number }) => zoomPoint(p.x, p.y, zoom);
  return {
    left_shoulder: z(a.left_shoulder),
    right_shoulder: z(a.right_shoulder),
    left_hip: z(a.left_hip),
    right_hip: z(a.right_hip),
    neck: a.neck ? z(a.neck) : null,
  };
}
