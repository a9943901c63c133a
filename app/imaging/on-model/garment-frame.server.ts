// Where a garment's body is in its cutout: the torso's centre line, its width, and the
// height of the shoulder seams. Read from the alpha mask alone (flat-lay or ghost photos).
import type { GarmentCategory } from "./types";

export interface GarmentFrame {
  /** Bounding box of the opaque garment (alpha >= 128), right/bottom exclusive. */
  box: { left: number; top: number; right: number; bottom: number };
  /** Centre line of the torso. */
  centerX: number;
  /** Width of the garment's body, sleeves excluded (for bottoms: the waistband). */
  bodyWidth: number;
  /** The row that sits on the model's shoulder line (for bottoms: the waistband's top). */
  upperY: number;
  /**
   * Angle below the horizontal (radians) of each sleeve, from its shoulder point to its
   * centre of mass; null when there is no sleeve on that side (image-left, image-right).
   */
  sleeves: [number | null, number | null];
}

export class NoGarmentError extends Error {
  constructor() {
    super("The cutout is empty: no garment to place");
    this.name = "NoGarmentError";
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** The contiguous opaque run of row `y` that contains column `x` (null if `x` is clear). */
function runAt(alpha: Uint8Array, w: number, x: number, y: number): [number, number] | null {
  const row = y * w;
  if (alpha[row + x] < 128) return null;
  let l = x;
  let r = x;
  while (l > 0 && alpha[row + l - 1] >= 128) l--;
  while (r < w - 1 && alpha[row + r + 1] >= 128) r++;
  return [l, r + 1];
}

export function garmentFrame(alpha: Uint8Array, w: number, h: number, category: GarmentCategory = "auto"): GarmentFrame {
  let top = h;
  let bottom = -1;
  let left = w;
  let right = -1;
  for (let y = 0; y < h; y++) {
    const row = y * w;
    for (let x = 0; x < w; x++) {
      if (alpha[row + x] >= 128) {
        if (y < top) top = y;
        bottom = y;
        if (x < left) left = x;
        if (x > right) right = x;
      }
    }
  }
  if (bottom < 0) throw new NoGarmentError();
  const box = { left, top, right: right + 1, bottom: bottom + 1 };
  const height = box.bottom - box.top;

  // Centre line: the mean column of the opaque pixels in the middle band (sleeves are
  // symmetric about it, and the band is mostly body).
  const band = (from: number, to: number) => {
    const rows: number[] = [];
    for (let y = Math.floor(box.top + from * height); y < Math.ceil(box.top + to * height) && y < box.bottom; y++) rows.push(y);
    return rows;
  };
  let sum = 0;
  let count = 0;
  for (const y of band(0.3, 0.6)) {
    for (let x = box.left; x < box.right; x++) {
      if (alpha[y * w + x] >= 128) {
        sum += x;
        count++;
      }
    }
  }
  let centerX = count > 0 ? sum / count : (box.left + box.right) / 2;

  if (category === "bottoms") {
    const rows = band(0, 0.06);
    const widths: number[] = [];
    const centres: number[] = [];
    for (const y of rows) {
      const run = runAt(alpha, w, Math.round(centerX), y);
      if (run) {
        widths.push(run[1] - run[0]);
        centres.push((run[0] + run[1]) / 2);
      }
    }
    const bodyWidth = widths.length > 0 ? median(widths) : box.right - box.left;
    if (centres.length > 0) centerX = median(centres);
    return { box, centerX, bodyWidth, upperY: box.top, sleeves: [null, null] };
  }

  // Body width: the run through the centre line below the sleeves (a sleeve lying apart
  // from the body is a separate run and does not count). Sleeves laid against the body (or a
  // shadow filling the gap) widen those rows; the hem is clear of them, and a top's body is
  // not narrower at the chest than at its hem by much, so the hem caps the estimate. A dress
  // flares below, so its hem never lowers it.
  const runs = (from: number, to: number) => {
    const widths: number[] = [];
    const centres: number[] = [];
    for (const y of band(from, to)) {
      const run = runAt(alpha, w, Math.round(centerX), y);
      if (run) {
        widths.push(run[1] - run[0]);
        centres.push((run[0] + run[1]) / 2);
      }
    }
    return { widths, centres };
  };
  const chest = runs(0.33, 0.55);
  // A long sleeve merged with the body can reach into the hem band; rows below its cuff
  // still show the body alone, so take a low percentile of the band, not its median.
  const hem = runs(0.85, 0.99);
  let bodyWidth = chest.widths.length > 0 ? median(chest.widths) : 0.7 * (box.right - box.left);
  if (chest.centres.length > 0) centerX = median(chest.centres);
  if (hem.widths.length > 0) {
    const order = hem.widths.map((width, i) => ({ width, centre: hem.centres[i] })).sort((a, b) => a.width - b.width);
    const low = order[Math.floor(order.length * 0.25)];
    if (bodyWidth > 1.05 * low.width) {
      // The chest rows include sleeves: both their width and their centre are off.
      bodyWidth = 1.05 * low.width;
      centerX = low.centre;
    }
  }

  // Shoulder seams: the top edge of the columns at the body's sides (a tee's shoulder
  // points), but never lower than a typical shoulder slope (a sleeveless armhole is lower).
  const tops: number[] = [];
  for (const side of [-1, 1]) {
    const x = Math.round(centerX + side * bodyWidth * 0.46);
    if (x < 0 || x >= w) continue;
    for (let y = box.top; y < box.bottom; y++) {
      if (alpha[y * w + x] >= 128) {
        tops.push(y);
        break;
      }
    }
  }
  const slopeCap = box.top + 0.14 * bodyWidth;
  const upperY = tops.length > 0 ? Math.min(slopeCap, tops.reduce((a, b) => a + b, 0) / tops.length) : slopeCap;
  return { box, centerX, bodyWidth, upperY, sleeves: [sleeveAngle(alpha, w, box, centerX, bodyWidth, upperY, -1), sleeveAngle(alpha, w, box, centerX, bodyWidth, upperY, 1)] };
}

/** A sleeve: enough cloth beside the body in its upper part. */
function sleeveAngle(alpha: Uint8Array, w: number, box: GarmentFrame["box"], centerX: number, bodyWidth: number, upperY: number, side: -1 | 1): number | null {
  const edge = centerX + side * bodyWidth * 0.53;
  const bottom = Math.min(box.bottom, upperY + bodyWidth * 1.1);
  let sx = 0;
  let sy = 0;
  let count = 0;
  let total = 0;
  for (let y = box.top; y < box.bottom; y++) {
    for (let x = box.left; x < box.right; x++) {
      if (alpha[y * w + x] < 128) continue;
      total++;
      if (y < bottom && (x - edge) * side > 0) {
        sx += x;
        sy += y;
        count++;
      }
    }
  }
  if (count < total * 0.02) return null;
  const dx = Math.abs(sx / count - (centerX + side * bodyWidth / 2));
  const dy = sy / count - upperY;
  return Math.atan2(dy, dx);
}
