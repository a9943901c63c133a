// Soft alpha (step 6): colour-projection matting in a band around the mask's boundary, in linear
// light, and the bilinear upsampling of the alpha to the source size. It only reads the final
// mask and the distances, so it is separate from the decisions made before it.
import { SRGB_TO_LINEAR, norm, relativeLuminance } from "../color.server";
import { boxBlur, chessDistanceInside, chessDistanceTo, dilate, erode } from "../morphology.server";
import { T_DIST, type Level } from "./level.server";

const MATTE_BAND = 3;
const MATTE_RADIUS = 6;
/**
 * how far (times T_DIST) the local foreground must stand out from the backdrop for the mix to
 * be trusted: at 1.5 the noise of a pixel's mix is about a seventh of the step, while the
 * binary mask of a faint product sits a pixel inside its outline (a half-covered pixel is
 * within T_DIST of the backdrop)
 */
const MATTE_CONTRAST = 1.5;
/** largest mix (alpha before clamping) outside the mask that is still a mix of F and B */
const MIX_OVERSHOOT = 1.25;
/**
 * mix below which a pixel inside the mask that is lighter than the backdrop is product, not
 * backdrop: a light dot at the outline of a product darker than the backdrop lies past B, away
 * from F. (Darker ones are the contact shadow, and milder overshoots are JPEG ringing beside a
 * dark edge or a backdrop mean pulled down by the shadow.)
 */
const PAST_BACKDROP = 0.5;
/** depth inside the mask (px) from which a colour that is no mix of F and B is opaque print */
const PRINT_DEPTH = 2;
/** radius (px) of the closing that refills notches the mix cut into the mask: 1.5 is a 3x3 square, so notches up to 2 px wide */
const NOTCH_RADIUS = 1.5;

/**
 * Soft alpha in [0,1] on the level from a binary mask. Near the boundary (within MATTE_BAND px)
 * alpha is re-estimated by projecting the pixel's linear colour onto the segment between the
 * local background colour B and the local foreground colour F (normalised box means over
 * pixels safely inside each region). This moves the boundary to the true 50% coverage line and
 * removes JPEG ringing / chroma bleeding next to high-contrast edges. Where F and B are too
 * close, or the pixel is not explained as a mix of F and B (texture), the binary mask is kept.
 */
export function softAlpha(level: Level, fg: Uint8Array, D: Float32Array): Float32Array {
  // work on the window around the subject only
  const W = level.w;
  const H = level.h;
  let x0 = W;
  let y0 = H;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++)
      if (fg[y * W + x]) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
  const out = new Float32Array(W * H);
  if (x1 < 0) return out;
  const m = MATTE_RADIUS + MATTE_BAND + 2;
  x0 = Math.max(0, x0 - m);
  y0 = Math.max(0, y0 - m);
  x1 = Math.min(W - 1, x1 + m);
  y1 = Math.min(H - 1, y1 + m);
  const w = x1 - x0 + 1;
  const h = y1 - y0 + 1;
  const subFg = new Uint8Array(w * h);
  const subD = new Float32Array(w * h);
  const subRgb = Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y++) {
    const src = (y + y0) * W + x0;
    subFg.set(fg.subarray(src, src + w), y * w);
    subD.set(D.subarray(src, src + w), y * w);
    level.rgb.copy(subRgb, y * w * 3, src * 3, (src + w) * 3);
  }
  const a = softAlphaWindow(subRgb, w, h, subFg, subD);
  for (let y = 0; y < h; y++) out.set(a.subarray(y * w, y * w + w), (y + y0) * W + x0);
  return out;
}

function softAlphaWindow(rgb: Buffer, w: number, h: number, fg: Uint8Array, D: Float32Array): Float32Array {
  const n = w * h;
  const alpha = new Float32Array(n);
  for (let i = 0; i < n; i++) alpha[i] = fg[i]!;
  // chessboard distances to the other side of the boundary (fg pixels: to bg; bg pixels: to fg)
  const dIn = chessDistanceInside(fg, w, h);
  const dOut = chessDistanceTo(fg, w, h);
  const colour = new Float32Array(3 * n);
  for (let k = 0; k < 3 * n; k++) colour[k] = SRGB_TO_LINEAR[rgb[k]!]!;
  const sure = MATTE_BAND + 1;
  const wF = new Float32Array(n);
  const wB = new Float32Array(n);
  const dF = new Float32Array(n);
  // colour references: pixels safely inside each region; the cores of thin parts (>= 2 px
  // from the boundary) contribute with a small weight so thin structures still get estimates
  for (let i = 0; i < n; i++) {
    wF[i] = fg[i] ? (dIn[i]! >= sure ? 1 : dIn[i]! >= 2 ? 0.05 : 0) : 0;
    wB[i] = fg[i] ? 0 : dOut[i]! >= sure ? 1 : dOut[i]! >= 2 ? 0.05 : 0;
    dF[i] = wF[i]! * Math.min(D[i]!, 100);
  }
  const wFb = boxBlur(wF, w, h, MATTE_RADIUS);
  const wBb = boxBlur(wB, w, h, MATTE_RADIUS);
  const dFb = boxBlur(dF, w, h, MATTE_RADIUS);
  const planesF: Float32Array[] = [];
  const planesB: Float32Array[] = [];
  for (let c = 0; c < 3; c++) {
    const pf = new Float32Array(n);
    const pb = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const v = colour[i * 3 + c]!;
      pf[i] = v * wF[i]!;
      pb[i] = v * wB[i]!;
    }
    planesF.push(boxBlur(pf, w, h, MATTE_RADIUS));
    planesB.push(boxBlur(pb, w, h, MATTE_RADIUS));
  }
  const band2 = MATTE_BAND;
  const minW = 0.4 / ((2 * MATTE_RADIUS + 1) * (2 * MATTE_RADIUS + 1));
  for (let i = 0; i < n; i++) {
    const near = fg[i] ? dIn[i]! <= band2 : dOut[i]! <= band2;
    if (!near) continue;
    const wf = wFb[i]!;
    const wb = wBb[i]!;
    const fallback = () => {
      // thin parts / weak contrast: keep the binary decision, softened by one pixel
      alpha[i] = maskAlpha(fg, dIn, dOut, i);
    };
    if (wf < minW || wb < minW) {
      fallback();
      continue;
    }
    // the foreground must stand out clearly from the background for the projection to be trusted
    if (dFb[i]! / wf < MATTE_CONTRAST * T_DIST) {
      fallback();
      continue;
    }
    let num = 0;
    let den = 0;
    let ii = 0;
    const Fv = [0, 0, 0];
    const Bv = [0, 0, 0];
    const Iv = [0, 0, 0];
    for (let c = 0; c < 3; c++) {
      Fv[c] = planesF[c]![i]! / wf;
      Bv[c] = planesB[c]![i]! / wb;
      Iv[c] = colour[i * 3 + c]!;
    }
    // (a textured product's pixel that no nearby sample explains as a mix with the backdrop
    // is a colour of its own, such as a faint stripe too near the backdrop to be sampled: the
    // box mean of dark and faint stripes would project it onto the backdrop)
    if (fg[i] && !pickTexturedForeground(colour, w, h, i, dIn, D, Iv, Bv, Fv)) {
      fallback();
      continue;
    }
    for (let c = 0; c < 3; c++) {
      num += (Iv[c]! - Bv[c]!) * (Fv[c]! - Bv[c]!);
      den += (Fv[c]! - Bv[c]!) * (Fv[c]! - Bv[c]!);
      ii += (Iv[c]! - Bv[c]!) * (Iv[c]! - Bv[c]!);
    }
    if (den < 1e-6) {
      fallback();
      continue;
    }
    const a = num / den;
    // (a faint colour of the product's own, a light check on a grey key, is no mix of a darker
    // F with the backdrop even if it lies on their line: where the product has it deeper in,
    // the pixel keeps the mask's decision)
    if (fg[i] && a < 0.5 && D[i]! > T_DIST && hasDeeperSampleOfColour(colour, w, h, i, dIn, D, Iv, Bv)) {
      fallback();
      continue;
    }
    if (fg[i] && a < -PAST_BACKDROP && relativeLuminance(Iv[0]!, Iv[1]!, Iv[2]!) > relativeLuminance(Bv[0]!, Bv[1]!, Bv[2]!)) {
      fallback();
      continue;
    }
    // residual of the two-colour mix, relative to the F-B separation
    const res = Math.max(0, ii - (num * num) / den) / den;
    // unexplained colour (texture/print) inside the subject is opaque; at the outline only where
    // the mix says mostly foreground, since JPEG chroma bleeding a pixel past the outline is
    // unexplained too. Further in it is print whatever the mix says: light dots on a thin dark
    // band project towards a grey backdrop and were cut out as holes.
    if (fg[i] && res > 0.2 && (a > 0.5 || dIn[i]! >= PRINT_DEPTH)) {
      alpha[i] = 1;
      continue;
    }
    // (outside the mask, a colour well past the foreground's own is no mix of the two: shadow
    // darker than a grey product beside it)
    if (!fg[i] && a > MIX_OVERSHOOT) {
      fallback();
      continue;
    }
    alpha[i] = a < 0 ? 0 : a > 1 ? 1 : a;
  }
  refillNotches(alpha, fg, dIn, dOut, w, h);
  return alpha;
}

/** The binary mask's decision softened by one pixel: 0.75 on its outermost pixels, 1 further in, 0.25 and 0 outside. */
function maskAlpha(fg: Uint8Array, dIn: Uint8Array, dOut: Uint8Array, i: number): number {
  const d = fg[i] ? dIn[i]! - 0.5 : 0.5 - dOut[i]!;
  return Math.min(1, Math.max(0, 0.5 + 0.5 * d));
}

/**
 * An outline has no notches a pixel or two wide where the mask had none. Where the mix cuts one
 * into the mask, the pixel is product of about the backdrop's colour between darker product: a
 * light stripe where it meets the outline of a small striped bottle (0.822 -> 0.905), a light
 * check on a small key. Those pixels get back the mask's alpha. A mask that sits a pixel outside
 * the outline all round is eroded evenly, which a closing does not undo (but in sharp inner
 * corners).
 */
function refillNotches(alpha: Float32Array, fg: Uint8Array, dIn: Uint8Array, dOut: Uint8Array, w: number, h: number): void {
  const n = w * h;
  const opaque = new Uint8Array(n);
  for (let i = 0; i < n; i++) opaque[i] = alpha[i]! >= 0.5 ? 1 : 0;
  const closed = erode(dilate(opaque, w, h, NOTCH_RADIUS), w, h, NOTCH_RADIUS);
  for (let i = 0; i < n; i++) if (fg[i] && closed[i] && !opaque[i]) alpha[i] = maskAlpha(fg, dIn, dOut, i);
}

/**
 * Largest distance from a pixel's colour to a sample deeper in the mask, as a share of the
 * pixel's step from the backdrop, at which the sample has the pixel's own colour. A mixed
 * pixel half way between the backdrop and the product is as far from both (1).
 */
const OWN_COLOUR = 0.3;
/**
 * How much deeper in the mask (px) than the pixel those samples lie: where the mask sits a
 * pixel outside the outline, the pixels a step in are the outline's own mixes, of the outer
 * ones' colour (a saturated pair of headphones on grey grew by a pixel all round, 0.994 -> 0.970)
 */
const OWN_DEPTH = 2;

/**
 * Whether a product pixel OWN_DEPTH deeper in the mask than pixel i, within PICK_RADIUS and
 * off the backdrop (D above T_DIST), has i's colour `I` to within OWN_COLOUR of i's step from
 * the backdrop `B`: then i is that colour of the product, not a mix of a darker one with the
 * backdrop. (pickTexturedForeground samples only colours well off the backdrop, so a faint
 * check is never its F.)
 */
function hasDeeperSampleOfColour(colour: Float32Array, w: number, h: number, i: number, dIn: Uint8Array, D: Float32Array, I: number[], B: number[]): boolean {
  const [xa, xb, ya, yb] = pickWindow(i, w, h);
  const step = (I[0]! - B[0]!) ** 2 + (I[1]! - B[1]!) ** 2 + (I[2]! - B[2]!) ** 2;
  const limit = OWN_COLOUR * OWN_COLOUR * step;
  for (let yy = ya; yy <= yb; yy++)
    for (let j = yy * w + xa, end = yy * w + xb; j <= end; j++) {
      if (dIn[j]! < dIn[i]! + OWN_DEPTH || D[j]! <= T_DIST) continue;
      const e = (colour[3 * j]! - I[0]!) ** 2 + (colour[3 * j + 1]! - I[1]!) ** 2 + (colour[3 * j + 2]! - I[2]!) ** 2;
      if (e <= limit) return true;
    }
  return false;
}

/** radius (px) of the window of foreground samples an edge pixel of a textured product picks from */
const PICK_RADIUS = 4;
/** depth inside the mask (px) of those samples: clear of the outline's own mixed pixels (2 if none is) */
const PICK_DEPTH = 3;
/**
 * spread of the foreground colours in that window, against their mean's step from the backdrop,
 * above which the mean is no colour of the product: checks, stripes, dots. (At 0.6 the
 * shading and highlights of faint untextured products passed too, and their outlines moved.)
 */
const TEXTURE_SPREAD = 1;
/**
 * spread (linear RGB) above which the window is textured whatever its mean's step: white dots on
 * dark sunglasses average to a mid-grey well off a lavender backdrop, a colour no pixel there has
 */
const TEXTURE_CONTRAST = 0.4;
/** squared residual (linear RGB) of a mix with a sample at which the sample's weight is 1/e */
const PICK_RESIDUAL = 2e-4;

/** The window of PICK_RADIUS around pixel i, clipped to the level: [x0, x1, y0, y1], inclusive. */
function pickWindow(i: number, w: number, h: number): [number, number, number, number] {
  const x = i % w;
  const y = (i - x) / w;
  return [Math.max(0, x - PICK_RADIUS), Math.min(w - 1, x + PICK_RADIUS), Math.max(0, y - PICK_RADIUS), Math.min(h - 1, y + PICK_RADIUS)];
}

/**
 * On a textured product the box mean of the foreground is a colour the product does not have
 * (dark and light checks average to about a mid-grey backdrop), so an edge pixel projected onto
 * it gets any alpha: a small checked shoe lost its outline's checks. There, F becomes the mean of
 * nearby foreground samples weighted by how well each explains the pixel as a mix with B: a
 * dark check's edge pixel picks the dark samples. Untextured products keep the box mean (`F`
 * unchanged): picking among shades of one colour only adds noise. Only pixels inside the mask
 * pick: outside, a contact shadow would pick a dark check and pass for its mix with the backdrop.
 * False when the product is textured there and no sample explains the pixel.
 */
function pickTexturedForeground(colour: Float32Array, w: number, h: number, i: number, dIn: Uint8Array, D: Float32Array, I: number[], B: number[], F: number[]): boolean {
  const [xa, xb, ya, yb] = pickWindow(i, w, h);
  let textured = false;
  for (let depth = PICK_DEPTH; depth >= 2; depth--) {
    let count = 0;
    let m0 = 0;
    let m1 = 0;
    let m2 = 0;
    let squares = 0;
    for (let yy = ya; yy <= yb; yy++)
      for (let j = yy * w + xa, end = yy * w + xb; j <= end; j++) {
        if (dIn[j]! < depth) continue;
        const c0 = colour[3 * j]!;
        const c1 = colour[3 * j + 1]!;
        const c2 = colour[3 * j + 2]!;
        m0 += c0;
        m1 += c1;
        m2 += c2;
        squares += c0 * c0 + c1 * c1 + c2 * c2;
        count++;
      }
    if (count === 0) continue;
    textured = true;
    m0 /= count;
    m1 /= count;
    m2 /= count;
    const spread = Math.sqrt(Math.max(0, squares / count - (m0 * m0 + m1 * m1 + m2 * m2)));
    const step = norm(m0 - B[0]!, m1 - B[1]!, m2 - B[2]!);
    if (spread < TEXTURE_SPREAD * step && spread <= TEXTURE_CONTRAST) return true;
    // samples too close to the backdrop (a grey check on grey) say nothing about the mix
    const minD = MATTE_CONTRAST * T_DIST;
    const e0 = I[0]! - B[0]!;
    const e1 = I[1]! - B[1]!;
    const e2 = I[2]! - B[2]!;
    let sw = 0;
    let f0 = 0;
    let f1 = 0;
    let f2 = 0;
    for (let yy = ya; yy <= yb; yy++)
      for (let j = yy * w + xa, end = yy * w + xb; j <= end; j++) {
        if (dIn[j]! < depth || D[j]! < minD) continue;
        const d0 = colour[3 * j]! - B[0]!;
        const d1 = colour[3 * j + 1]! - B[1]!;
        const d2 = colour[3 * j + 2]! - B[2]!;
        const den = d0 * d0 + d1 * d1 + d2 * d2;
        if (den < 1e-6) continue;
        let a = (e0 * d0 + e1 * d1 + e2 * d2) / den;
        a = a < 0 ? 0 : a > 1 ? 1 : a;
        const r0 = e0 - a * d0;
        const r1 = e1 - a * d1;
        const r2 = e2 - a * d2;
        const weight = Math.exp(-(r0 * r0 + r1 * r1 + r2 * r2) / PICK_RESIDUAL);
        sw += weight;
        f0 += weight * colour[3 * j]!;
        f1 += weight * colour[3 * j + 1]!;
        f2 += weight * colour[3 * j + 2]!;
      }
    if (sw > 1e-9) {
      F[0] = f0 / sw;
      F[1] = f1 / sw;
      F[2] = f2 / sw;
      return true;
    }
  }
  return !textured;
}

/** Bilinear upsampling of a level's alpha into the full-resolution alpha buffer. */
export function upsampleInto(out: Buffer, fullW: number, alpha: Float32Array, w: number, h: number, crop: { left: number; top: number; width: number; height: number }): void {
  const sx = w / crop.width;
  const sy = h / crop.height;
  for (let Y = 0; Y < crop.height; Y++) {
    let fy = (Y + 0.5) * sy - 0.5;
    if (fy < 0) fy = 0;
    if (fy > h - 1) fy = h - 1;
    const y0 = Math.floor(fy);
    const y1 = Math.min(h - 1, y0 + 1);
    const ty = fy - y0;
    const orow = (crop.top + Y) * fullW + crop.left;
    for (let X = 0; X < crop.width; X++) {
      let fx = (X + 0.5) * sx - 0.5;
      if (fx < 0) fx = 0;
      if (fx > w - 1) fx = w - 1;
      const x0 = Math.floor(fx);
      const x1 = Math.min(w - 1, x0 + 1);
      const tx = fx - x0;
      const a =
        (alpha[y0 * w + x0]! * (1 - tx) + alpha[y0 * w + x1]! * tx) * (1 - ty) +
        (alpha[y1 * w + x0]! * (1 - tx) + alpha[y1 * w + x1]! * tx) * ty;
      out[orow + X] = Math.round(a * 255);
    }
  }
}
