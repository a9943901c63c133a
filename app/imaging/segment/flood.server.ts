// The background flood from the frame border (step 3), and its shadow rules: shadow inside a
// product's outline is blocked, the open rims of hard shadows are let through (rays in four
// directions, pockets, crossings). Both passes flood; the reclaim rules then work on the result.
import { components, flood } from "../morphology.server";
import { T_DIST } from "./level.server";
import type { Classified } from "./classify.server";
import { forEachNeighbour4, erode3x3 } from "./mask-ops.server";

/**
 * Closing faint outlines (see faintOutlines) is kept only where it changes the outcome
 * materially: the unreached area grows by FAINT_GAIN of itself and FAINT_GAIN_AREA of the
 * level. Elsewhere it only stops the flood a pixel early along ordinary outlines and hard
 * shadow rims, which is worth nothing and can tip the colour models later on (a grey box's
 * dots of the backdrop's colour, 0.998 -> 0.907 when closing always).
 */
const FAINT_GAIN = 0.1;
const FAINT_GAIN_AREA = 0.005;

/**
 * Background flood: from the seeds, through pixels that match the model or are smooth shadow;
 * then shadow regions enclosed by the product are blocked and the flood is redone. Done again
 * with faint outlines closed, where there are any (a light grey ring on white, whose body the
 * first flood entered through its outline's gaps).
 */
export function floodBackground(seeds: Uint8Array, cls: Classified, w: number, h: number): Uint8Array {
  const reached = floodThrough(seeds, cls, cls.passable, w, h);
  if (!cls.faintOutline) return reached;
  const n = w * h;
  const closed = Uint8Array.from(cls.passable);
  for (let i = 0; i < n; i++) if (cls.faintOutline[i]) closed[i] = 0;
  const reachedClosed = floodThrough(seeds, cls, closed, w, h);
  let gain = 0;
  let unreached = 0;
  for (let i = 0; i < n; i++) {
    if (!reached[i]) unreached++;
    if (reached[i] && !reachedClosed[i]) gain++;
    else if (!reached[i] && reachedClosed[i]) gain--;
  }
  return gain >= FAINT_GAIN * unreached && gain >= FAINT_GAIN_AREA * n ? reachedClosed : reached;
}

/**
 * The flood from the seeds through `base` (the passable mask), with shadow that lies inside a
 * product's outline blocked and the open rims of hard shadows let through.
 */
function floodThrough(seeds: Uint8Array, cls: Classified, base: Uint8Array, w: number, h: number): Uint8Array {
  const blocked = new Uint8Array(w * h);
  let passable = base;
  let reached = floodOnce(seeds, passable, w, h, blocked);
  let withRims = admitOpenShadowRims(reached, cls, base, w, h);
  // the rims depend only on what was reached: find them again only if that changed
  if (rejectImplausibleShadows(reached, cls, base, w, h, blocked, withRims)) {
    reached = floodOnce(seeds, passable, w, h, blocked);
    if (releaseBetweenBlockedParts(reached, cls, blocked, w, h)) reached = floodOnce(seeds, passable, w, h, blocked);
    withRims = admitOpenShadowRims(reached, cls, base, w, h);
  }
  if (withRims) {
    passable = withRims;
    reached = floodOnce(seeds, passable, w, h, blocked);
  }
  if (rejectShadowsInsideOutlines(reached, cls, w, h, blocked)) reached = floodOnce(seeds, passable, w, h, blocked);
  return reached;
}

/**
 * Blurred shadow-like steps are passable where they lie in the open, not inside the product:
 * the rim of a hard contact shadow under a product is open below and to the sides, while the
 * falloff of a highlight on a dark product, or a floor shadow between stool legs, is enclosed
 * by product in >= 3 of 4 directions. Rays pass through background, rims and smooth
 * shadow-like areas (the inside of a hard shadow) and stop at anything else. Returns the
 * passable mask `base` widened by them, or null when nothing was added.
 */
function admitOpenShadowRims(reached: Uint8Array, cls: Classified, base: Uint8Array, w: number, h: number): Uint8Array | null {
  const n = w * h;
  let any = false;
  for (let i = 0; i < n; i++)
    if (cls.softRim[i] && !reached[i]) {
      any = true;
      break;
    }
  if (!any) return null;
  const solid = solidUnreached(reached, w, h);
  const through = new Uint8Array(n);
  for (let i = 0; i < n; i++)
    through[i] = reached[i] || !solid[i] || cls.softRim[i] || (cls.shadowLike[i] && cls.G[i]! < cls.gradThreshold) ? 1 : 0;
  const obstacle = new Uint8Array(n);
  for (let i = 0; i < n; i++) obstacle[i] = through[i] ? 0 : 1;
  const hits = rayHits(through, obstacle, w, h);
  const passable = Uint8Array.from(base);
  let added = false;
  for (let i = 0; i < n; i++)
    if (cls.softRim[i] && !ENCLOSED[hits[i]!]) {
      passable[i] = 1;
      added = true;
    }
  return added ? passable : null;
}

/** Flooded pixels that only the shadow rule let through (unlike the model), or null if none. */
function reachedThroughShadow(reached: Uint8Array, cls: Classified, n: number): Uint8Array | null {
  const shadowOnly = new Uint8Array(n);
  let any = false;
  for (let i = 0; i < n; i++)
    if (reached[i] && cls.D[i]! > T_DIST) {
      shadowOnly[i] = 1;
      any = true;
    }
  return any ? shadowOnly : null;
}

/** Widest run of edge pixels (level px) that still counts as a product's thin edge ring. */
export const EDGE_RING = 4;

/** Mixed (anti-aliased) pixels between the backdrop and a product edge, level px. */
const EDGE_HALO = 2;

/**
 * A grey product flooded through a leak (where its outline has the colour of its contact
 * shadow) ends against the open backdrop with a thin ring of sharp edge pixels all around; a
 * real shadow fades into the backdrop, or ends against the product's body. Rays from every
 * shadow pixel pass through shadow and through whatever lies inside it (print, specks) until
 * they reach open background; a ray "hits a ring" when the last run before the open background
 * is thin edge (1..EDGE_RING px). Shadow pixels that hit rings in >= 3 of the 4 directions lie
 * inside a product's outline and are blocked. Thick runs (stool legs beside their floor
 * shadow) and the frame do not count. Returns true if anything was blocked.
 */
function rejectShadowsInsideOutlines(reached: Uint8Array, cls: Classified, w: number, h: number, blocked: Uint8Array): boolean {
  const n = w * h;
  const shadowOnly = reachedThroughShadow(reached, cls, n);
  if (!shadowOnly) return false;
  // 0 open backdrop, 1 shadow-only, 2 solid (product / edge), 3 other (specks, small islands)
  const kind = new Uint8Array(n);
  const openBg = openBackground(reached, shadowOnly, w, h);
  const solid = solidUnreached(reached, w, h);
  // (a hole the flood did not reach, such as the backdrop seen through a bag's handle, is open
  // backdrop to these walks too: the product's inner outline borders it as its outer outline
  // borders the backdrop, and a light grey bag flooded under its handle is inside both)
  const hole = unreachedBackdrop(reached, cls, w, h);
  for (let i = 0; i < n; i++) kind[i] = openBg[i] || hole[i] ? 0 : shadowOnly[i] ? 1 : solid[i] ? 2 : 3;
  const hits = new Uint8Array(n);
  // walking inward from open background: an anti-aliased halo (<= EDGE_HALO px of shadow-like
  // mixed pixels), then a thin edge run, then shadow again = a ring; shadow right away = a
  // soft shadow edge; a long solid run = a thick product part
  const scan = (start: number, step: number, len: number, bit: number) => {
    let st = 0;
    let pos = 0; // pixels since the last open background (the frame counts as open)
    let solidSeen = 0;
    let decided = false;
    for (let k = 0, i = start; k < len; k++, i += step) {
      const t = kind[i]!;
      if (t === 0) {
        pos = 0;
        solidSeen = 0;
        decided = false;
        st = 0;
        continue;
      }
      pos++;
      if (t === 2) {
        solidSeen++;
        if (!decided && pos > EDGE_RING + EDGE_HALO) {
          st = 0;
          decided = true;
        }
        continue;
      }
      if (!decided) {
        if (solidSeen > 0) {
          st = bit;
          decided = true;
        } else if (pos > EDGE_HALO) {
          st = 0;
          decided = true;
        }
      }
      if (decided && t === 1) hits[i] |= st;
    }
  };
  scanFourWays(w, h, scan);
  let any = false;
  for (let i = 0; i < n; i++)
    if (shadowOnly[i] && ENCLOSED[hits[i]!]) {
      blocked[i] = 1;
      any = true;
    }
  return any;
}

/** Smallest core (level px, after one erosion) of an unreached patch of the backdrop's colour that counts as a hole. */
const HOLE_CORE = 24;

/**
 * Unreached pixels of the backdrop's colour (within T_DIST) in patches whose core, one
 * erosion in, has at least HOLE_CORE pixels: the backdrop seen through holes the flood could
 * not reach, not the odd pixel of product that crosses the backdrop's colour. (Print of the
 * backdrop's colour passes too: rejectShadowsInsideOutlines' walks then see its rim as an
 * outline, as they would an outer one, and rejectImplausibleShadows' rays stop at it as at the
 * open backdrop.)
 */
function unreachedBackdrop(reached: Uint8Array, cls: Classified, w: number, h: number): Uint8Array {
  const n = w * h;
  const clean = new Uint8Array(n);
  for (let i = 0; i < n; i++) clean[i] = !reached[i] && cls.D[i]! <= T_DIST ? 1 : 0;
  const cc = components(erode3x3(clean, w, h), w, h, false);
  const cores = new Uint8Array(n);
  for (let i = 0; i < n; i++) if (cc.labels[i] && cc.area[cc.labels[i]!]! >= HOLE_CORE) cores[i] = 1;
  return flood(cores, clean, w, h);
}

/**
 * Clean background that is part of the open backdrop: components of reached, model-matching
 * pixels that touch the frame (and have at least `minShare` of the largest one's area).
 * Islands where a product's colour crosses the backdrop's, and pockets between product parts
 * and their shadow, do not count.
 */
function openBackground(reached: Uint8Array, shadowOnly: Uint8Array, w: number, h: number, minShare = 0): Uint8Array {
  const n = w * h;
  const clean = new Uint8Array(n);
  for (let i = 0; i < n; i++) clean[i] = reached[i] && !shadowOnly[i] ? 1 : 0;
  const cc = components(clean, w, h, false);
  let largest = 0;
  for (let l = 1; l <= cc.count; l++) largest = Math.max(largest, cc.area[l]!);
  const open = new Uint8Array(cc.count + 1);
  for (let l = 1; l <= cc.count; l++) {
    const [x0, y0, x1, y1] = cc.box[l]!;
    if ((x0 === 0 || y0 === 0 || x1 === w - 1 || y1 === h - 1) && cc.area[l]! >= minShare * largest) open[l] = 1;
  }
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = open[cc.labels[i]!]!;
  return out;
}

function floodOnce(seeds: Uint8Array, passable: Uint8Array, w: number, h: number, blocked: Uint8Array): Uint8Array {
  const n = w * h;
  const reached = new Uint8Array(n);
  const stack = new Int32Array(n);
  let sp = 0;
  for (let i = 0; i < n; i++)
    if (seeds[i] && passable[i] && !blocked[i]) {
      reached[i] = 1;
      stack[sp++] = i;
    }
  const tryPush = (p: number) => {
    if (!reached[p] && !blocked[p] && passable[p]) {
      reached[p] = 1;
      stack[sp++] = p;
    }
  };
  while (sp > 0) {
    const i = stack[--sp]!;
    const x = i % w;
    if (x > 0) tryPush(i - 1);
    if (x < w - 1) tryPush(i + 1);
    if (i >= w) tryPush(i - w);
    if (i < n - w) tryPush(i + w);
  }
  return reached;
}

/**
 * Unreached pixels that belong to a sizeable component (the product and its parts). Small
 * unreached specks (noise, JPEG blocks inside a shadow) are not obstacles for the ray tests.
 */
export function solidUnreached(reached: Uint8Array, w: number, h: number): Uint8Array {
  return solidParts(reached, w, h).solid;
}

/** solidUnreached, with the labels of its parts (8-connected; small parts' labels are not in `solid`). */
function solidParts(reached: Uint8Array, w: number, h: number): { solid: Uint8Array; labels: Int32Array; count: number } {
  const n = w * h;
  const un = new Uint8Array(n);
  for (let i = 0; i < n; i++) un[i] = reached[i] ? 0 : 1;
  const cc = components(un, w, h, true);
  let maxA = 0;
  for (let l = 1; l <= cc.count; l++) maxA = Math.max(maxA, cc.area[l]!);
  const minA = Math.min(24, 0.01 * maxA);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const l = cc.labels[i]!;
    if (l && cc.area[l]! >= minA) out[i] = 1;
  }
  return { solid: out, labels: cc.labels, count: cc.count };
}

/**
 * Runs `scan(start, step, len, bit)` along every row and column in both directions; `bit` names
 * the direction a ray from each pixel looks: 1 left, 2 right, 4 up, 8 down (a scan walking
 * rightwards sees what lies to the left of each pixel).
 */
function scanFourWays(w: number, h: number, scan: (start: number, step: number, len: number, bit: number) => void): void {
  for (let y = 0; y < h; y++) {
    scan(y * w, 1, w, 1);
    scan(y * w + w - 1, -1, w, 2);
  }
  for (let x = 0; x < w; x++) {
    scan(x, w, h, 4);
    scan((h - 1) * w + x, -w, h, 8);
  }
}

/** enclosed: product in >= 3 of the 4 directions */
export const ENCLOSED: Uint8Array = (() => {
  const t = new Uint8Array(16);
  for (let m = 0; m < 16; m++) {
    const c = (m & 1) + ((m >> 1) & 1) + ((m >> 2) & 1) + ((m >> 3) & 1);
    t[m] = c >= 3 ? 1 : 0;
  }
  return t;
})();

/**
 * For every pixel with through[i] set: bit mask of the directions (1 left, 2 right, 4 up,
 * 8 down) in which the first pixel without through[] is an obstacle (obstacle[j] set).
 */
export function rayHits(through: Uint8Array, obstacle: Uint8Array, w: number, h: number): Uint8Array {
  const n = w * h;
  const hits = new Uint8Array(n);
  for (let y = 0; y < h; y++) {
    const row = y * w;
    let st = 0;
    for (let x = 0; x < w; x++) {
      const i = row + x;
      if (through[i]) hits[i] |= st;
      else st = obstacle[i] ? 1 : 0;
    }
    st = 0;
    for (let x = w - 1; x >= 0; x--) {
      const i = row + x;
      if (through[i]) hits[i] |= st;
      else st = obstacle[i] ? 2 : 0;
    }
  }
  for (let x = 0; x < w; x++) {
    let st = 0;
    for (let y = 0; y < h; y++) {
      const i = y * w + x;
      if (through[i]) hits[i] |= st;
      else st = obstacle[i] ? 4 : 0;
    }
    st = 0;
    for (let y = h - 1; y >= 0; y--) {
      const i = y * w + x;
      if (through[i]) hits[i] |= st;
      else st = obstacle[i] ? 8 : 0;
    }
  }
  return hits;
}

/** widest gap of through pixels (level px) inside an obstacle that does not split its run */
const SLIVER = 2;

/**
 * Like rayHits, but only counts obstacles whose run along the ray is at least `minRun` pixels
 * long (a real product part, not just the thin edge ring left around a flooded region). A
 * sliver of up to SLIVER through pixels inside a part (mixed pixels of a pastel leg's edge, of
 * the shadow's hue, passable in some JPEG block rows) does not split it into a thin ring.
 */
function thickRayHits(through: Uint8Array, obstacle: Uint8Array, w: number, h: number, minRun: number): Uint8Array {
  const n = w * h;
  const hits = new Uint8Array(n);
  const scan = (start: number, step: number, len: number, bit: number) => {
    let st = 0;
    let run = 0;
    let before = 0; // the run before the current gap of through pixels
    let gap = 0;
    for (let k = 0, i = start; k < len; k++, i += step) {
      if (through[i]) {
        if (run > 0) {
          st = run >= minRun ? bit : 0;
          before = run;
          run = 0;
          gap = 0;
        }
        gap++;
        hits[i] |= st;
      } else if (obstacle[i]) {
        // (a sliver of through pixels inside a part does not split its run)
        if (run === 0 && gap <= SLIVER && before >= minRun) run = before;
        run++;
      } else {
        st = 0;
        run = 0;
        before = 0;
      }
    }
  };
  scanFourWays(w, h, scan);
  return hits;
}

/**
 * Shadow between thick product parts in >= 3 directions (floor shadow between a stool's legs,
 * under its rung) is floor shadow, unless the product closes it in on all four sides with a
 * thin edge on one: then it is inside the product's outline (the body of a light grey bag
 * between its big dots, its own thin edge on the fourth side).
 */
function betweenThickParts(hits: number, thick: number): boolean {
  return ENCLOSED[thick]! === 1 && (hits !== 15 || thick === 15);
}

/** How far (level px) around a solid part its surroundings are looked at: the width of a step that crosses the backdrop's colour. */
const CROSSING = 4;
/** Largest share of a solid part's surroundings that may be open backdrop for it to be an island in shadow. */
const ISLAND_OPEN = 0.1;
/** Smallest part of the clean backdrop, as a share of the largest, that counts as open backdrop where it touches the frame. */
const OPEN_SHARE = 0.1;

/**
 * Flooded pixels of the backdrop's colour that are not part of the open backdrop (pockets):
 * bands where a product's colour crosses the backdrop's on the way into shadow-coloured
 * product (a highlight's falloff, the JPEG ringing beside a dark check), and patches of
 * backdrop closed in by product and shadow. Null if there are none.
 */
function pocketsOf(reached: Uint8Array, shadowOnly: Uint8Array, w: number, h: number): Uint8Array | null {
  const n = w * h;
  // (the band around a highlight on a product that the frame cuts off touches the frame too,
  // but it is small beside the open backdrop)
  const openBg = openBackground(reached, shadowOnly, w, h, OPEN_SHARE);
  const pocket = new Uint8Array(n);
  let any = false;
  for (let i = 0; i < n; i++)
    if (reached[i] && !shadowOnly[i] && !openBg[i]) {
      pocket[i] = 1;
      any = true;
    }
  return any ? pocket : null;
}

/**
 * A lighter part inside shadow-coloured product (a highlight on a grey blob) is an island in
 * the flooded shadow, and the shading between them crosses the backdrop's colour in a band
 * that the flood reached but that is not part of the open backdrop: marks those bands in `out`
 * so that the rays see past them to the island. Parts that face the open backdrop (pastel legs
 * beside their floor shadow, met across a step of the same kind) are not islands.
 */
function markCrossings(
  reached: Uint8Array,
  shadowOnly: Uint8Array,
  pocket: Uint8Array,
  { solid, labels, count }: ReturnType<typeof solidParts>,
  w: number,
  h: number,
  out: Uint8Array,
): void {
  const n = w * h;
  // each pixel within CROSSING + 1 of a solid part takes that part's label (breadth first)
  const label = new Int32Array(n);
  for (let i = 0; i < n; i++) if (solid[i]) label[i] = labels[i]!;
  let frontier: number[] = [];
  for (let i = 0; i < n; i++) if (label[i]) frontier.push(i);
  for (let step = 0; step <= CROSSING && frontier.length > 0; step++) {
    const next: number[] = [];
    for (const i of frontier)
      forEachNeighbour4(i, w, n, (j) => {
        if (!label[j]) {
          label[j] = label[i]!;
          next.push(j);
        }
      });
    frontier = next;
  }
  const enclosed = new Int32Array(count + 1);
  const open = new Int32Array(count + 1);
  for (let i = 0; i < n; i++) {
    const l = label[i]!;
    if (!l || solid[i] || !reached[i]) continue;
    if (shadowOnly[i] || pocket[i]) enclosed[l]++;
    else open[l]++;
  }
  const island = (l: number) => l > 0 && enclosed[l]! > 0 && open[l]! <= ISLAND_OPEN * (open[l]! + enclosed[l]!);
  const beside: number[] = [];
  for (let i = 0; i < n; i++) if (pocket[i] && island(label[i]!)) beside.push(i);
  if (beside.length === 0) return;
  // (labelled only now: most photos have no pocket beside an island)
  const pockets = components(pocket, w, h, false);
  const crossing = new Uint8Array(pockets.count + 1);
  for (const i of beside) crossing[pockets.labels[i]!] = 1;
  for (let i = 0; i < n; i++) if (crossing[pockets.labels[i]!]) out[i] = 1;
}

/**
 * Smallest blocked region judged again, as a share of the level: floor shadow between a stool's
 * legs is sizeable, while specks blocked along a leaked product's outline, judged again, let
 * the flood creep along it (a light grey key, a pair of sunglasses)
 */
const REJUDGED_SHARE = 0.005;
/** Most blocked regions judged again, the largest */
const REJUDGED_PARTS = 8;
/** how far above the lowest blocked part (share of the blocked parts' height) floor shadow may end */
const FLOOR_BAND = 0.05;

/**
 * Blocked regions on the floor judged again, each with the rest of what was blocked as product:
 * a light grey stool flooded through a leak is blocked as a whole, and the floor shadow between
 * its legs with it, since the rays saw only the legs' thin edge rings then. With the legs
 * product again, that shadow lies between thick parts and opens onto the backdrop: it is floor
 * shadow. A leaked product's body meets only its own thin ring and stays blocked. Only regions
 * that reach down to the lowest blocked part's level and that the frame does not cut are judged
 * again: the rays see each region afresh (patches of the backdrop's colour the redone flood no
 * longer reaches open new ways out), which released a light check between dark ones on a
 * stool's leg and half of a grey blob cut by the frame. Returns true if any region was released.
 */
function releaseBetweenBlockedParts(reached: Uint8Array, cls: Classified, blocked: Uint8Array, w: number, h: number): boolean {
  const n = w * h;
  const parts = components(blocked, w, h, false);
  if (parts.count < 2) return false;
  // (floor shadow lies on the floor: it reaches down about as far as the lowest blocked part)
  let top = h;
  let bottom = 0;
  for (let l = 1; l <= parts.count; l++) {
    top = Math.min(top, parts.box[l]![1]);
    bottom = Math.max(bottom, parts.box[l]![3]);
  }
  const floor = bottom - FLOOR_BAND * (bottom - top);
  const order: number[] = [];
  for (let l = 1; l <= parts.count; l++) {
    const [x0, y0, x1, y1] = parts.box[l]!;
    const cut = x0 === 0 || y0 === 0 || x1 === w - 1 || y1 === h - 1;
    if (parts.area[l]! >= REJUDGED_SHARE * n && y1 >= floor && !cut) order.push(l);
  }
  if (order.length === 0) return false;
  order.sort((a, b) => parts.area[b]! - parts.area[a]!);
  const solid = solidUnreached(reached, w, h);
  const hole = unreachedBackdrop(reached, cls, w, h);
  const through = new Uint8Array(n);
  const product = new Uint8Array(n);
  let released = false;
  for (const l of order.slice(0, REJUDGED_PARTS)) {
    for (let i = 0; i < n; i++) {
      const own = parts.labels[i] === l;
      through[i] = own || (reached[i] && cls.D[i]! > T_DIST) || (!reached[i] && !solid[i]) ? 1 : 0;
      product[i] = !own && solid[i] && !hole[i] ? 1 : 0;
    }
    const hits = rayHits(through, product, w, h);
    const thick = thickRayHits(through, product, w, h, 4);
    let enclosed = 0;
    for (let i = 0; i < n; i++) if (parts.labels[i] === l && ENCLOSED[hits[i]!] && !betweenThickParts(hits[i]!, thick[i]!)) enclosed++;
    if (2 * enclosed >= parts.area[l]!) continue;
    for (let i = 0; i < n; i++) if (parts.labels[i] === l) blocked[i] = 0;
    released = true;
  }
  return released;
}

/** Smallest share of a shadow region that must be closed in on all four sides for any of it to be blocked that way. */
const ALL_FOUR_SHARE = 0.5;
/** Smallest shadow region (level px) blocked that way: specks of floor shadow between a sole and its shadow's core are not product. */
const ALL_FOUR_AREA = 24;

/** Clears `enclosed` in the regions of `shadowOnly` (4-connected) smaller than ALL_FOUR_AREA or of which it covers less than ALL_FOUR_SHARE. */
function keepMostlyClosedIn(enclosed: Uint8Array, shadowOnly: Uint8Array, w: number, h: number): void {
  const n = w * h;
  const cc = components(shadowOnly, w, h, false);
  const count = new Int32Array(cc.count + 1);
  for (let i = 0; i < n; i++) if (enclosed[i]) count[cc.labels[i]!]++;
  for (let i = 0; i < n; i++) {
    const l = cc.labels[i]!;
    if (enclosed[i] && (cc.area[l]! < ALL_FOUR_AREA || count[l]! < ALL_FOUR_SHARE * cc.area[l]!)) enclosed[i] = 0;
  }
}

/**
 * Unreached parts no thicker than EDGE_RING that only flooded shadow surrounds are streaks in
 * the shadow, not product: the rays of rejectImplausibleShadows pass them (clears `product`, sets
 * `through`). JPEG chroma ringing leaves such a line in floor shadow, a few pixels below a green
 * stool's rung and out of reach of the shadow test's allowance for it; seen as a thin product
 * part, it closed the gap under the rung on a third side, and the floor shadow there was blocked
 * (0.789). A leaked product's thin ring meets the open backdrop outside it, or a pocket of the
 * backdrop's colour (the inner rim of a leaked metallic ring, around its hole: passed, it let
 * the shadow in the hole join the ring's body, 0.974 -> 0.806), and a highlight on a leaked
 * grey blob is thicker.
 */
function passStreaksInShadow(
  parts: ReturnType<typeof solidParts>,
  shadowOnly: Uint8Array,
  w: number,
  h: number,
  product: Uint8Array,
  through: Uint8Array,
): void {
  const n = w * h;
  const { solid, labels, count } = parts;
  // (two 3x3 erosions leave nothing of a part up to 4 px thick)
  const core = erode3x3(erode3x3(solid, w, h), w, h);
  const keep = new Uint8Array(count + 1);
  for (let i = 0; i < n; i++) {
    const l = labels[i]!;
    if (!solid[i] || keep[l]) continue;
    if (core[i]) keep[l] = 1;
    else
      forEachNeighbour4(i, w, n, (j) => {
        if (labels[j] !== l && !shadowOnly[j]) keep[l] = 1;
      });
  }
  for (let i = 0; i < n; i++)
    if (solid[i] && !keep[labels[i]!]) {
      product[i] = 0;
      through[i] = 1;
    }
}

/**
 * A region reached only through the shadow rule must lie outside the product. A grey product
 * flooded through a leak (its bottom edge has the colour of its own contact shadow, or a
 * highlight reaches the silhouette) is enclosed by its own sharp edges, while a cast shadow
 * spreads out into the open backdrop. Ray test: walking from a shadow pixel left, right, up
 * and down, the first pixel outside the shadow region is either unreached (product) or
 * background. Pixels that hit the product in at least 3 of the 4 directions are enclosed by
 * the product and marked in `blocked`, unless those obstacles are thick product parts (legs
 * and rung of a stool around its floor shadow) rather than the thin ring of edge pixels that
 * a leak leaves around a flooded product. Then again with the rays passing pockets of the
 * backdrop's colour, for shadow closed in on all four sides. `base` is the passable mask this
 * flood started from and `openRims` the one admitOpenShadowRims widened from it (null if it
 * admitted nothing). Returns true if anything was blocked.
 */
function rejectImplausibleShadows(reached: Uint8Array, cls: Classified, base: Uint8Array, w: number, h: number, blocked: Uint8Array, openRims: Uint8Array | null): boolean {
  const n = w * h;
  const shadowOnly = reachedThroughShadow(reached, cls, n);
  if (!shadowOnly) return false;
  // hits[i]: bit mask of directions (1 left, 2 right, 4 up, 8 down) in which the first
  // pixel that is neither shadow nor a small unreached speck is product; open background /
  // frame otherwise
  const parts = solidParts(reached, w, h);
  const solid = parts.solid;
  const transparent = new Uint8Array(n);
  for (let i = 0; i < n; i++) transparent[i] = shadowOnly[i] || (!reached[i] && !solid[i]) ? 1 : 0;
  const pockets = pocketsOf(reached, shadowOnly, w, h);
  if (pockets) markCrossings(reached, shadowOnly, pockets, parts, w, h, transparent);
  // (a patch of the backdrop's colour that the flood has not reached, such as the backdrop
  // under a headphones' arch or a white dot on a grey mug, is no product: a ray stops there as
  // at the open backdrop. Taken for thick product parts, a mug's white dots made its
  // shadow-coloured body, flooded through a leak, look like floor shadow between a stool's
  // legs, and it stayed open.)
  const hole = unreachedBackdrop(reached, cls, w, h);
  const product = new Uint8Array(n);
  for (let i = 0; i < n; i++) product[i] = solid[i] && !hole[i] ? 1 : 0;
  passStreaksInShadow(parts, shadowOnly, w, h, product, transparent);
  let any = false;
  // `through`: what the rays pass; `allFour`: only shadow closed in on all four sides
  const judge = (through: Uint8Array, allFour: boolean) => {
    const hits = rayHits(through, product, w, h);
    // real product parts (stool legs and rungs) around a floor shadow are thick; a product
    // flooded through a leak is surrounded only by the thin ring of its own edge
    const thick = thickRayHits(through, product, w, h, 4);
    // a thin run that is the open rim of the shadow itself (under a tilted box, beside a thick
    // product part) does not enclose it; a product flooded through a leak has no thick part
    // beside it, only its own ring, soft or not
    let seenThroughRims = hits;
    if (openRims) {
      const throughRims = new Uint8Array(n);
      for (let i = 0; i < n; i++) throughRims[i] = through[i] || (openRims[i] && !base[i] && !reached[i]) ? 1 : 0;
      seenThroughRims = rayHits(throughRims, product, w, h);
    }
    const enclosed = new Uint8Array(n);
    let count = 0;
    for (let i = 0; i < n; i++)
      if (
        shadowOnly[i] &&
        !blocked[i] &&
        (allFour ? hits[i] === 15 : ENCLOSED[hits[i]!]) &&
        !betweenThickParts(hits[i]!, thick[i]!) &&
        (thick[i] === 0 || ENCLOSED[seenThroughRims[i]!])
      ) {
        enclosed[i] = 1;
        count++;
      }
    if (count === 0) return;
    // (seen past pockets, the rays cross far more of the frame: a line of floor shadow between
    // a shoe's sole and the unreached core of its shadow can look closed in too; a part of the
    // product is closed in as a whole)
    if (allFour) keepMostlyClosedIn(enclosed, shadowOnly, w, h);
    for (let i = 0; i < n; i++)
      if (enclosed[i]) {
        blocked[i] = 1;
        any = true;
      }
  };
  judge(transparent, false);
  // Shadow that the product closes in on all four sides, seen past every pocket, lies inside
  // the product: a light check on a stool's leg between two dark ones, whose ends the flood
  // reached through the JPEG ringing beside the dark checks (pockets, where the rays above
  // stopped as if at the open backdrop). A real shadow opens onto the backdrop somewhere:
  // floor shadow under a rung spreads out below the feet.
  if (pockets) {
    const pastPockets = new Uint8Array(n);
    for (let i = 0; i < n; i++) pastPockets[i] = transparent[i] || pockets[i] ? 1 : 0;
    judge(pastPockets, true);
  }
  return any;
}
