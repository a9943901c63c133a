// The region-level second opinion (step 5): OpenCV's GrabCut in a band around the fine mask, and
// the rules that decide which of its region-sized changes are taken. Separate because it is the
// only stage that works on regions rather than pixels.
import { chessDistanceTo, components, dilate, erode } from "../morphology.server";
import { grabCutMask, TRIMAP } from "../grabcut.server";
import { T_DIST, type Level } from "./level.server";
import { onSharpStep, type Classified } from "./classify.server";
import { forEachNeighbour4, frameBorder, silhouetteEdgeStrength, enclosedIn, type KeptComponents } from "./mask-ops.server";
import { CLEAN_DIST } from "./reclaim.server";
import { alphaBoundingBox } from "../compose.server";

/** width of the band around the mask that GrabCut may give to the product, as a share of its size */
const REGION_BAND = 0.1;
/** holes of at least this share of the product's area are left to the hole tests */
const HOLE_PROTECTED = 0.02;
/** most the cut may add to, or take from, the product, as shares of its area (see refineByRegions) */
const MAX_ADDED = 0.3;
const MAX_REMOVED = 0.1;
/** share of a region the cut removes that must look like backdrop (within the noise, or shadow) */
const REMOVED_LIKE = 0.5;
/** share of an added region's outline along the product for it to be a refilled leak */
const REFILL_ENCLOSED = 0.75;
/** share of a part of the mask a removal must cover, and of shadow in it, to be floor shadow */
const SHADOW_BLOB = 0.9;
/** a detached part is at least this far (level pixels) from the rest of the product */
const DETACHED_GAP = 3;
/** GrabCut iterations (colour models refitted, cut redone) */
const REGION_ITERATIONS = 2;
/** an addition of at least this share of the product's area is a refill the band may have cut short (see refineByRegions) */
const REFILL_AGAIN = 0.05;

/**
 * Region-level second opinion on the mask (see grabcut.server.ts): pixels clearly unlike the
 * backdrop and not shadow, and pixels the reclaim rules gave back from the flood (`flooded`),
 * stay product; the rest of the mask and a band around it are open.
 * Only changes that are regions, not a pixel of boundary jitter, are taken.
 * The cut sees only the band, so a refill of a big leak stops at the band's far side (a grey
 * bottle's body flooded from the frame through a highlight, refilled but for a block in its
 * middle): where the cut added that much, it is run once more around what it made.
 */
export async function refineByRegions(level: Level, cls: Classified, kept: KeptComponents, flooded: Uint8Array): Promise<Uint8Array> {
  const mask = await refineOnce(level, cls, kept, flooded);
  let added = 0;
  let area = 0;
  for (let i = 0; i < mask.length; i++) {
    if (mask[i] && !kept.mask[i]) added++;
    area += mask[i]!;
  }
  // (an empty mask, kept or made, has nothing to refine around)
  if (added === 0 || added < REFILL_AGAIN * kept.area) return mask;
  const b = alphaBoundingBox(mask, level.w, level.h, 1)!;
  return refineOnce(level, cls, { mask, area, box: [b.left, b.top, b.left + b.width - 1, b.top + b.height - 1] }, flooded);
}

async function refineOnce(level: Level, cls: Classified, kept: KeptComponents, flooded: Uint8Array): Promise<Uint8Array> {
  const { w, h } = level;
  const n = w * h;
  if (!kept.box) return kept.mask;
  const [bx0, by0, bx1, by1] = kept.box;
  const band = Math.max(6, Math.round(REGION_BAND * Math.max(bx1 - bx0 + 1, by1 - by0 + 1)));
  const near = chessDistanceTo(kept.mask, w, h);
  const trimap = new Uint8Array(n);
  const area = kept.area;
  for (let i = 0; i < n; i++) {
    if (kept.mask[i]) {
      // pixels the reclaim rules gave back from the flood (print a shade off the backdrop)
      // were decided on evidence the colour models do not weigh
      const sure = (cls.D[i]! > 2 * T_DIST && !cls.shadowLike[i]) || flooded[i] === 1;
      trimap[i] = sure ? TRIMAP.product : TRIMAP.maybeProduct;
    } else trimap[i] = near[i]! <= band ? TRIMAP.maybeBackdrop : TRIMAP.backdrop;
  }
  // Big holes passed the hole tests (a handle, a ring's middle) and stay: a small product's
  // colour model can hold enough of the backdrop's colour, from its mixed outline, to fill
  // them. Small ones stay open to the cut (print dots of the backdrop's colour).
  const holes = components(enclosedIn(kept.mask, w, h), w, h, false);
  const bigHole = Math.max(HOLE_PROTECTED * area, 1);
  for (let i = 0; i < n; i++) if (holes.labels[i] && holes.area[holes.labels[i]!]! >= bigHole) trimap[i] = TRIMAP.backdrop;
  const cut = await grabCutMask(level.rgb, w, h, trimap, REGION_ITERATIONS);
  const changed = new Uint8Array(n);
  for (let i = 0; i < n; i++) changed[i] = cut[i] !== kept.mask[i] ? 1 : 0;
  const solid = dilate(erode(changed, w, h, 1), w, h, 1);
  const cc = components(solid, w, h, false);
  const minArea = Math.max(12, 0.002 * area);
  // A removal must look like backdrop to the per-pixel model too (within its noise, or
  // shadow): a product's own shade that the colour models cannot place (a pastel band's darker
  // side on grey) stays.
  const backdropLike = new Int32Array(cc.count + 1);
  for (let i = 0; i < n; i++) if (changed[i] && !cut[i] && (cls.D[i]! <= T_DIST || cls.shadowLike[i])) backdropLike[cc.labels[i]!]++;
  const outward = backdropToCropEdge(level, cls, cut, changed, cc);
  const taken = (i: number) => {
    const l = cc.labels[i]!;
    return changed[i] === 1 && l > 0 && cc.area[l]! >= minArea && !outward[l] && (cut[i] === 1 || backdropLike[l]! >= REMOVED_LIKE * cc.area[l]!);
  };
  const solo = judgedAlone(cls, kept.mask, changed, cc, w, h);
  const alone = (i: number) => solo[cc.labels[i]!] === 1;
  let added = 0;
  let removed = 0;
  for (let i = 0; i < n; i++) if (taken(i) && !alone(i)) cut[i] ? added++ : removed++;
  // The cut corrects the rim; when it wants to redraw much of the product, its colour models
  // are confused (print of the backdrop's colour, shadow of the product's) and that direction
  // of change is dropped.
  const mayAdd = added <= MAX_ADDED * area;
  const mayRemove = removed <= MAX_REMOVED * area;
  const mask = Uint8Array.from(kept.mask);
  for (let i = 0; i < n; i++) if (taken(i) && (alone(i) || (cut[i] ? mayAdd : mayRemove))) mask[i] = cut[i]!;
  keepPrintOfOwnColour(level, cls, kept.mask, mask);
  keepOutlinedPartsOfOwnColour(level, cls, kept.mask, mask);
  reopenHolesOfForeignColour(level, cls, kept.mask, holes, mask);
  return mask;
}

/** share of an addition that must be shadow-like for it to be floor shadow when it reaches the crop's edge */
const OUTWARD_SHADOW = 0.5;
/** ... or as clean as the backdrop itself (normalised distance within CLEAN_DIST) */
const OUTWARD_CLEAN = 0.5;

/**
 * Regions of change (labelled by `cc`) that add mostly shadow-like pixels, or pixels as clean as
 * the backdrop itself, and reach an edge of the crop that lies inside the photo: they run out
 * past the margin the crop keeps around the product, so they are floor shadow or open backdrop,
 * however much the product's colour model likes them (a small stool's wide shadow band once a
 * bay of it was in the mask; the light grey above a seat with light grey blotches). A white
 * product's shaded side that the coarse pass missed can reach the crop's edge too, but it is
 * neither shadow-like nor that clean. Clean additions that reach the photo's own frame are
 * open backdrop too (the hole of a mug's handle that the frame cuts off, filled by a colour
 * model that holds the light band on the mug); shadow-like ones there may be a grey product
 * that the frame cuts off.
 */
function backdropToCropEdge(level: Level, cls: Classified, cut: Uint8Array, changed: Uint8Array, cc: ReturnType<typeof components>): Uint8Array {
  const { w, h } = level;
  const { ox, oy, sx, sy, FW, FH } = level.map;
  const inner = [ox > 0, oy > 0, ox + w * sx < FW - 0.5, oy + h * sy < FH - 0.5];
  const atEdge = new Uint8Array(cc.count + 1);
  const atFrame = new Uint8Array(cc.count + 1);
  const added = new Int32Array(cc.count + 1);
  const shadow = new Int32Array(cc.count + 1);
  const clean = new Int32Array(cc.count + 1);
  for (let i = 0; i < w * h; i++) {
    const l = cc.labels[i]!;
    if (!l || !changed[i] || !cut[i]) continue;
    added[l]++;
    shadow[l] += cls.shadowLike[i]!;
    if (cls.D[i]! <= CLEAN_DIST) clean[l]++;
    const x = i % w;
    const y = (i / w) | 0;
    if ((inner[0] && x === 0) || (inner[1] && y === 0) || (inner[2] && x === w - 1) || (inner[3] && y === h - 1)) atEdge[l] = 1;
    else if (x === 0 || y === 0 || x === w - 1 || y === h - 1) atFrame[l] = 1;
  }
  const outward = new Uint8Array(cc.count + 1);
  for (let l = 1; l <= cc.count; l++) {
    if (atEdge[l] && (shadow[l]! >= OUTWARD_SHADOW * added[l]! || clean[l]! >= OUTWARD_CLEAN * added[l]!)) outward[l] = 1;
    if (atFrame[l] && clean[l]! >= OUTWARD_CLEAN * added[l]!) outward[l] = 1;
  }
  return outward;
}

/**
 * Regions of change (labelled by `cc`) that are judged on their own, not counted in the caps
 * on how much the cut may redraw. An addition whose outline runs mostly along the product
 * refills a leak (a grey bag's body flooded as shadow through a highlight at its outline),
 * unless it reaches the frame: the gap between a stool's legs cut off by the bottom edge is
 * framed by the product on three sides and open beyond the fourth. A
 * removal of nearly all of a part of the mask that is all shadow and clear of the rest of the
 * product drops floor shadow (a blob between a stool's legs), not a piece of a grey product
 * cut off by a thin seam (a headband's segment); a blob of shadow can be in pieces itself.
 */
function judgedAlone(cls: Classified, before: Uint8Array, changed: Uint8Array, cc: ReturnType<typeof components>, w: number, h: number): Uint8Array {
  const n = w * h;
  const parts = components(before, w, h, true);
  const outline = new Int32Array(cc.count + 1);
  const onProduct = new Int32Array(cc.count + 1);
  const shadow = new Int32Array(cc.count + 1);
  const size = new Int32Array(cc.count + 1);
  const part = new Int32Array(cc.count + 1);
  // (a region can hold both directions where the outline shifts; the larger one names it)
  const removed = new Int32Array(cc.count + 1);
  // (the level's edge: the photo's frame, or a crop edge, which lies in open backdrop)
  const border = frameBorder(w, h);
  const atFrame = new Uint8Array(cc.count + 1);
  for (let i = 0; i < n; i++) {
    const l = cc.labels[i]!;
    if (!l || !changed[i]) continue;
    size[l]++;
    if (border[i]) atFrame[l] = 1;
    shadow[l] += cls.shadowLike[i]!;
    if (before[i]) {
      part[l] = parts.labels[i]!;
      removed[l]++;
    }
    forEachNeighbour4(i, w, n, (j) => {
      if (cc.labels[j] === l) return;
      outline[l]++;
      if (before[j]) onProduct[l]++;
    });
  }
  const solo = new Uint8Array(cc.count + 1);
  const shadowPart = new Uint8Array(parts.count + 1);
  const removal = new Uint8Array(cc.count + 1);
  for (let l = 1; l <= cc.count; l++) {
    if (!size[l]) continue;
    if (2 * removed[l]! > size[l]!) {
      removal[l] = 1;
      if (size[l]! >= SHADOW_BLOB * parts.area[part[l]!]! && shadow[l]! >= SHADOW_BLOB * size[l]!) {
        solo[l] = 1;
        shadowPart[part[l]!] = 1;
      }
    } else if (!atFrame[l] && onProduct[l]! >= REFILL_ENCLOSED * outline[l]!) solo[l] = 1;
  }
  if (!shadowPart.includes(1)) return solo;
  const rest = new Uint8Array(n);
  for (let i = 0; i < n; i++) rest[i] = before[i] && !shadowPart[parts.labels[i]!] ? 1 : 0;
  const toRest = chessDistanceTo(rest, w, h);
  for (let i = 0; i < n; i++) {
    const l = cc.labels[i]!;
    if (removal[l] && changed[i] && toRest[i]! <= DETACHED_GAP) solo[l] = 0;
  }
  return solo;
}

/** share of the product that must have a hole's colour for the hole to be print */
const OWN_COLOUR_SHARE = 0.05;

/**
 * Holes the cut opened (not widened) inside the product are undone when their colour is
 * common on the rest of the product: white dots on a black bottle are print, however well
 * the white backdrop's colour model fits them. A hole of a colour the product lacks (the
 * backdrop seen through a key's ring, which the hole tests missed under its shadow) stays.
 */
function keepPrintOfOwnColour(level: Level, cls: Classified, before: Uint8Array, mask: Uint8Array): void {
  const { w, h } = level;
  const n = w * h;
  const opened = components(enclosedIn(mask, w, h), w, h, false);
  if (opened.count === 0) return;
  const widens = new Uint8Array(opened.count + 1);
  for (let i = 0; i < n; i++) if (opened.labels[i] && !before[i]) widens[opened.labels[i]!] = 1;
  const colours = meanColours(level, opened);
  const product = sampleOf(mask, n);
  const keep = new Uint8Array(opened.count + 1);
  for (let l = 1; l <= opened.count; l++) if (!widens[l] && shareOfColour(level, cls, product, colours, l) >= OWN_COLOUR_SHARE) keep[l] = 1;
  setChosen(mask, opened.labels, keep, 1);
}

/** smallest removed part (level px) that keepOutlinedPartsOfOwnColour judges: a few pixels have no outline to speak of */
const MIN_OUTLINED_PART = 12;
/** share of a removed part's outline against the open backdrop that must be a clear edge (see keepOutlinedPartsOfOwnColour) */
const OUTLINED_EDGE = 0.8;
/** ... and a sharp step */
const OUTLINED_SHARP = 0.3;

/**
 * Parts the cut removed from the product's rim stay when their colour is common on the rest of
 * the product and they meet the open backdrop with an outline: a near-white stripe along a
 * striped headphone cup's edge, a shade darker than the white backdrop, which the backdrop's
 * colour model took (0.754 -> 0.820), or the light dots that a dark stool's outline cuts.
 * Bits of hard contact shadow that the cut drops beside a small product meet the backdrop with a
 * clear edge too, but a blurred one: the step is sharp on under a tenth of their outline, and on
 * over a third of a light stripe's.
 */
function keepOutlinedPartsOfOwnColour(level: Level, cls: Classified, before: Uint8Array, mask: Uint8Array): void {
  const { w, h } = level;
  const n = w * h;
  const removed = new Uint8Array(n);
  let any = false;
  for (let i = 0; i < n; i++)
    if (before[i] && !mask[i]) {
      removed[i] = 1;
      any = true;
    }
  if (!any) return;
  const parts = components(removed, w, h, false);
  const outline = new Int32Array(parts.count + 1);
  const edged = new Int32Array(parts.count + 1);
  const sharp = new Int32Array(parts.count + 1);
  for (let i = 0; i < n; i++) {
    const l = parts.labels[i]!;
    if (!l) continue;
    let open = false;
    forEachNeighbour4(i, w, n, (j) => {
      if (!before[j]) open = true;
    });
    if (!open) continue;
    outline[l]++;
    if (cls.G[i]! >= cls.gradThreshold) edged[l]++;
    if (onSharpStep(level, i)) sharp[l]++;
  }
  const colours = meanColours(level, parts);
  const product = sampleOf(mask, n);
  const keep = new Uint8Array(parts.count + 1);
  for (let l = 1; l <= parts.count; l++)
    if (
      parts.area[l]! >= MIN_OUTLINED_PART &&
      outline[l]! > 0 &&
      edged[l]! >= OUTLINED_EDGE * outline[l]! &&
      sharp[l]! >= OUTLINED_SHARP * outline[l]! &&
      shareOfColour(level, cls, product, colours, l) >= OWN_COLOUR_SHARE
    )
      keep[l] = 1;
  setChosen(mask, parts.labels, keep, 1);
}

/** Sets `mask` to `value` on the regions whose label is flagged in `chosen`, in one pass. */
function setChosen(mask: Uint8Array, labels: Int32Array, chosen: Uint8Array, value: number): void {
  for (let i = 0; i < labels.length; i++) if (chosen[labels[i]!]) mask[i] = value;
}

/** mean edge strength a reopened hole's rim needs, as a share of the outer silhouette's */
const REOPEN_RIM = 0.75;

/**
 * The other way round: a hole that passed the hole tests but was too small to be kept from
 * the cut, and that the cut filled, opens again when its colour is rare on the product and
 * its rim is an outline as sharp as the outer one: the backdrop seen through a small pastel
 * key's bow, which the key's colour model took in with the backdrop's colour of its own mixed
 * outline. Print of the backdrop's colour repeats on the product (keepPrintOfOwnColour); a
 * highlight of it on a metallic box fades into the box, a softer rim than the box's outline.
 * `holes` labels the holes of `before` (refineByRegions has them already).
 */
function reopenHolesOfForeignColour(
  level: Level,
  cls: Classified,
  before: Uint8Array,
  holes: ReturnType<typeof components>,
  mask: Uint8Array,
): void {
  const { w, h } = level;
  const n = w * h;
  if (holes.count === 0) return;
  const filled = new Int32Array(holes.count + 1);
  for (let i = 0; i < n; i++) if (holes.labels[i] && mask[i]) filled[holes.labels[i]!]++;
  const colours = meanColours(level, holes);
  // (the filled holes themselves are not the product they are compared with)
  const product = sampleOf(mask, n, holes.labels);
  const reopen: number[] = [];
  for (let l = 1; l <= holes.count; l++)
    if (2 * filled[l]! >= holes.area[l]! && shareOfColour(level, cls, product, colours, l) < OWN_COLOUR_SHARE) reopen.push(l);
  if (reopen.length === 0) return;
  // edge strength on each hole's rim (product pixels beside it) against the outer silhouette's
  const rimSum = new Float64Array(holes.count + 1);
  const rimCount = new Int32Array(holes.count + 1);
  for (let i = 0; i < n; i++) {
    if (!before[i]) continue;
    let l = 0;
    forEachNeighbour4(i, w, n, (j) => {
      if (holes.labels[j]) l = holes.labels[j]!;
    });
    if (!l) continue;
    rimSum[l] += cls.G[i]!;
    rimCount[l]++;
  }
  const outside = new Uint8Array(n);
  for (let i = 0; i < n; i++) outside[i] = !before[i] && !holes.labels[i] ? 1 : 0;
  const outline = silhouetteEdgeStrength(before, outside, cls.G, w, h);
  const open = new Uint8Array(holes.count + 1);
  for (const l of reopen) if (rimSum[l]! >= REOPEN_RIM * outline * rimCount[l]!) open[l] = 1;
  setChosen(mask, holes.labels, open, 0);
}

/** Mean Lab colour of each labelled region, three values per label. */
export function meanColours(level: Level, regions: ReturnType<typeof components>): Float64Array {
  const { L, A, B } = level;
  const sum = new Float64Array(3 * (regions.count + 1));
  for (let i = 0; i < regions.labels.length; i++) {
    const l = regions.labels[i]!;
    if (!l) continue;
    sum[3 * l] += L[i]!;
    sum[3 * l + 1] += A[i]!;
    sum[3 * l + 2] += B[i]!;
  }
  for (let l = 1; l <= regions.count; l++) for (let c = 0; c < 3; c++) sum[3 * l + c]! /= regions.area[l]!;
  return sum;
}

/** About 20 000 evenly spread pixels of `mask` (outside `except`, if given): plenty for a share. */
function sampleOf(mask: Uint8Array, n: number, except?: Int32Array): number[] {
  let area = 0;
  for (let i = 0; i < n; i++) area += mask[i]!;
  const every = Math.max(1, Math.floor(area / 20000));
  const out: number[] = [];
  for (let i = 0, k = 0; i < n; i++) if (mask[i] && !except?.[i] && k++ % every === 0) out.push(i);
  return out;
}

/** Share of the sampled pixels within T_DIST (in the backdrop's noise) of region l's mean colour. */
function shareOfColour(level: Level, cls: Classified, sample: number[], colours: Float64Array, l: number): number {
  if (sample.length === 0) return 0;
  let alike = 0;
  for (const i of sample) if (colourDistance2(level, cls.sigma, i, colours, l) <= T_DIST * T_DIST) alike++;
  return alike / sample.length;
}

/** Squared distance, in the backdrop's noise (`sigma`), of pixel i's colour from region l's in `colours` (meanColours). */
export function colourDistance2(level: Level, sigma: [number, number, number], i: number, colours: Float64Array, l: number): number {
  return (
    ((level.L[i]! - colours[3 * l]!) / sigma[0]) ** 2 +
    ((level.A[i]! - colours[3 * l + 1]!) / sigma[1]) ** 2 +
    ((level.B[i]! - colours[3 * l + 2]!) / sigma[2]) ** 2
  );
}
