/**
 * Product / studio-background separation without any learned model: sharp for resampling,
 * OpenCV's GrabCut for the region-level step (5), hand-written pixel maths on raw buffers for
 * everything else.
 *
 *  1. Coarse level (longest side <= COARSE_SIDE): a smooth background model, i.e. a low-order
 *     2-D polynomial per Lab channel, fitted robustly (IRLS, Tukey) to the frame's border ring,
 *     then refitted (degree 3-4, vignettes and sweeps) on pixels classified as background.
 *     The per-channel noise level comes from the residuals. A product can cover much of one
 *     side of the frame and bend the fit: if the product found touches the frame and is not
 *     outlined by edges all round, or if no product is found (here or at full detail), the
 *     ring is fitted again without each side in turn; if that finds nothing either, a faint
 *     area that differs almost everywhere and has a clear outline is taken (white on a pale
 *     tint), or a large one clear of the frame that differs on most of itself (a grey mug
 *     checked in the backdrop's own grey).
 *  2. Per pixel: noise-normalised Lab distance D to the model, relaxed within one JPEG MCU of
 *     high-contrast edges (ringing, chroma bleeding) where backdrop-coloured pixels are near,
 *     though a pixel so relaxed that sits on a strong, sharp step stays an outline (a light grey
 *     check on a lamp's thin stem, beside dark ones).
 *     "Shadow-like" pixels are darker than the model with the model's chromaticity: a shadow
 *     scales linear RGB by a common factor, which in Lab scales a*, b* by (L+16)/(Lb+16); beside
 *     the backdrop, a saturated product's chroma may bleed into its shadow. Averaged over a few
 *     pixels, a shadow's hue offset vanishes and a faint product's own stays: where it stays,
 *     pixels are not shadow-like (a white ring on a pink tint).
 *  3. Background = flood from the frame border through pixels that match the model, or are
 *     shadow-like AND smooth (low local Lab range; in lightness alone within a JPEG MCU of a
 *     saturated product, whose chroma ringing bands its shadow in hues): product edges are
 *     steps, shadows are soft.
 *     Flooded shadow pixels that rays show to be enclosed by the thin edge ring of the product
 *     (a grey product whose bottom edge has the colour of its own contact shadow) are blocked
 *     and the flood redone; blocked regions on the floor are then judged again with the rest of
 *     what was blocked as product (floor shadow blocked with a leaked light grey stool lies
 *     between its thick legs). Flooded shadow pixels that lie inside a thin, sharp outline in 3
 *     of 4 directions are blocked too (a grey product that its contact shadow leaked into).
 *     Shadow-like pixels on a blurred but steep step (the rim of a hard, 2 px-soft contact
 *     shadow) are passable too, where rays show them in the open rather than enclosed by the
 *     product.
 *     Background-coloured patches that leaked into the product through a soft, narrow mouth (a
 *     highlight crossing the backdrop colour at the outline; a large patch that steps to another
 *     colour at its contact only if its border is very soft, unlike the backdrop between a small
 *     stool's blurred legs), or that are consistently darker than the backdrop at their mouth
 *     (light print shaded to nearly the backdrop's colour; not a narrow gap merely tinted by the
 *     product's chroma bleeding), or that are shadow-coloured, meet the product with no edge at
 *     all and have an outline wherever they open wide onto the backdrop (half a grey lens taken
 *     for shadow, not floor shadow between pale legs), are given back to the product; so are
 *     flooded patches that, averaged over a few pixels, are lighter than the backdrop around them
 *     or of another hue, and that face the open backdrop along little of their outline (light
 *     checks or stripes between dark ones) or step up from it at their outline (a key's teeth a
 *     shade lighter than the backdrop).
 *     Thin lines of shadow that the ray rules blocked across the mouth of a gap (floor shadow
 *     under a stool's rung) count as that gap's mouth, so the gap stays open. A faint product
 *     (a light grey ring on white) is shadow-like all over and its outline's mixed pixels pass
 *     as backdrop: the flood is done again with the sharp steps into faint shadow-like colour
 *     closed, and that result is kept where it leaves much more unreached. A thin band of soft
 *     shadow that ramps from flooded backdrop, or from a hole (step 4), to a flooded shadow core
 *     (a hard shadow's upper rim between headphone cups) is opened, however the product closes
 *     it in; so is a whole shadow's line, blurred on both flanks, between two stretches of
 *     backdrop (a hole under headphones and the floor).
 *  4. Fine level: the same on a crop around the product (longest side <= FINE_SIDE), seeded by the
 *     coarse background where, eroded, it still joins the frame (the coarse flood may slip through
 *     an outline's gap that this level sees closed). Enclosed background-coloured regions become
 *     holes (a mug handle) only if they look like the backdrop (noise statistics, up to a smooth
 *     shading across a big hole; as rough as the backdrop beside the outline, whose JPEG blocks
 *     hold an edge too, where the hole's colour matches the open backdrop around it), are large
 *     enough and bounded by sharp, contrasted edges where they meet the product (not the soft edge
 *     of shadow seen through them), along a quarter of the rim at least and with half of it past
 *     the noise (a metallic ring's shading fades half its inner rim), or, on a faint product, by a
 *     rim nearly as sharp and contrasted as its outer outline, and, grown to their full extent,
 *     take in less of the patches these tests refused than of those they accepted, ring no part of
 *     the product (a highlight's core), do not repeat as a pattern of small round dots and have a
 *     colour the rest of the product lacks where it is off the backdrop (print); everything else
 *     enclosed is filled. A hole grows into shadow seen through it, which meets it along much of
 *     its width, not into a long part reached through a narrow mouth (a grey stripe below a
 *     handle). Specks are dropped. As a last resort, after the refits of step 1, a faint part that
 *     is pixel by pixel mostly within the noise is kept where, averaged over it, its colour is off
 *     the backdrop's (a white bottle on a pale pink tint).
 *  5. Region-level second opinion (OpenCV's GrabCut: colour mixtures of product and backdrop,
 *     edge-aware smoothness, min-cut) in a band around the mask: it gives back product parts
 *     within the backdrop's noise (a white product's shaded side on light grey) and drops
 *     backdrop the mask held whose colour the product lacks. Clearly different pixels, pixels
 *     the reclaim rules gave back and big holes stay fixed; only region-sized changes are
 *     taken, and not when they would redraw much of the product, except refilling a region the
 *     product mostly encloses and the frame does not cut off (a leak) and dropping a detached
 *     blob of shadow; additions that run out to the crop's edge, shadow-like or as clean as the
 *     backdrop, are floor shadow or open backdrop and not taken. A removal must look like
 *     backdrop to the per-pixel model too, and a hole the cut opens stays product if the rest
 *     of the product has its colour (print); so does a part it removes at the rim, if it also
 *     meets the backdrop with a sharp outline (a light stripe). The cut sees only the band:
 *     where it refilled a region's worth, it is run once more around its result (a big leak's
 *     far end).
 *  6. Soft alpha: colour-projection matting in a 3 px band around the boundary (linear light,
 *     local foreground/background colours; on a textured product, the nearby product colours
 *     that explain the pixel; a faint colour the product also has further in is its own, not a
 *     mix); notches a pixel or two wide that it cuts into the mask are
 *     product of about the backdrop's colour (a light stripe at the outline) and are refilled;
 *     then bilinear upsampling to the source size.
 *
 * Where the steps live, under segment/: 1 in coarse-pass.server.ts, on the levels of
 * level.server.ts; 2 in classify.server.ts; 3 in flood.server.ts, with the patches given back
 * in reclaim.server.ts (the soft-band rule is the fine pass's); 4 in fine-pass.server.ts; 5 in
 * region-refine.server.ts; 6 in matting.server.ts; shared mask helpers in mask-ops.server.ts.
 * This file validates the input and chooses among the coarse fits.
 */
import { NoSubjectError, ImagingArgumentError } from "./errors.server";
import { labToSrgb8 } from "./color.server";
import type { RasterImage, SegmentResult } from "./types.server";
import { makeLevel } from "./segment/level.server";
import { coarsePass, keepOutlinedFaint, refitWithoutCoveredSide, found, type CoarseResult, type FrameSide } from "./segment/coarse-pass.server";
import { upsampleInto } from "./segment/matting.server";
import { finePass } from "./segment/fine-pass.server";

export { NoSubjectError } from "./errors.server";

const COARSE_SIDE = 400;

function validateImage(image: RasterImage): void {
  if (!image || !Buffer.isBuffer(image.data)) throw new ImagingArgumentError("image.data must be a Buffer");
  if (!Number.isInteger(image.width) || !Number.isInteger(image.height) || image.width < 1 || image.height < 1)
    throw new ImagingArgumentError("image width/height must be positive integers");
  if (image.channels !== 3 && image.channels !== 4) throw new ImagingArgumentError("image.channels must be 3 or 4");
  if (image.data.length !== image.width * image.height * image.channels)
    throw new ImagingArgumentError(
      `image.data has ${image.data.length} bytes, expected ${image.width * image.height * image.channels}`,
    );
}

/** If the source already carries a real cut-out alpha channel, use it as the mask. */
function existingAlpha(image: RasterImage): Buffer | null {
  if (image.channels !== 4) return null;
  const n = image.width * image.height;
  let transparent = 0;
  let opaque = 0;
  for (let i = 0, p = 3; i < n; i++, p += 4) {
    const a = image.data[p]!;
    if (a < 128) transparent++;
    if (a >= 128) opaque++;
  }
  if (transparent < 0.01 * n || opaque === 0) return null;
  const alpha = Buffer.alloc(n);
  for (let i = 0, p = 3; i < n; i++, p += 4) alpha[i] = image.data[p]!;
  return alpha;
}

/**
 * Separates the product from a studio background. Returns a soft alpha mask at the source
 * resolution. Throws NoSubjectError when nothing but background is found.
 */
export async function segmentProduct(image: RasterImage): Promise<SegmentResult> {
  validateImage(image);
  const { width, height } = image;
  const n = width * height;

  const pre = existingAlpha(image);
  if (pre) {
    let cov = 0;
    for (let i = 0; i < n; i++) if (pre[i]! >= 128) cov++;
    return { alpha: pre, width, height, coverage: cov / n, background: { r: 255, g: 255, b: 255 } };
  }

  const coarseLevel = await makeLevel(image, { left: 0, top: 0, width, height }, COARSE_SIDE);
  // (a pass without a given side is the same whichever check asks for it first)
  const passes = new Map<FrameSide, CoarseResult>();
  const passWithout = (side: FrameSide) => passes.get(side) ?? passes.set(side, coarsePass(coarseLevel, side)).get(side)!;
  const first = refitWithoutCoveredSide(coarsePass(coarseLevel), passWithout);
  const result = found(first) ? await fullDetail(image, first) : null;
  if (result) return result;
  // A product that covers a large part of one side of the frame (a big ball cut off by the
  // bottom edge) can bend the border ring's fit until the backdrop itself looks like shadow:
  // everything is flooded, or only a highlight is left, which the fine pass then drops. Fit
  // again without each side in turn and keep the best fit that finds a product (lowest noise
  // on the backdrop).
  let best: CoarseResult | null = null;
  for (const side of ["bottom", "top", "left", "right"] as const) {
    const c = passWithout(side);
    if (found(c) && (!best || c.cls.sigma[0] < best.cls.sigma[0])) best = c;
  }
  const retried = best ? await fullDetail(image, best) : null;
  if (retried) return retried;
  // Last resort, once no fit found anything the usual way: a faint product (white on a pale
  // tint) can sit evenly just above the threshold with few clearly different pixels. Empty
  // backdrops leave no such area; see keepOutlinedFaint.
  const faint = keepOutlinedFaint(first);
  const last = faint ? await fullDetail(image, { ...first, kept: faint }) : null;
  if (last) return last;
  // Last of all, a faint part that the fine level's noise hides pixel by pixel (a white bottle
  // on a pale pink tint): kept by its colour averaged over it. Not earlier: a big ball's
  // highlight, all that a fit it bent leaves, would be kept that way before the refits.
  const averaged = found(first) ? await fullDetail(image, first, { keepByAverage: true }) : null;
  if (!averaged) throw new NoSubjectError();
  return averaged;
}

/** The fine pass on the coarse result's product, at the source size; null if it keeps nothing. */
async function fullDetail(image: RasterImage, coarse: CoarseResult, options?: { keepByAverage?: boolean }): Promise<SegmentResult | null> {
  const { width, height } = image;
  const n = width * height;
  const fine = await finePass(image, coarse, options);
  const alpha = Buffer.alloc(n);
  upsampleInto(alpha, width, fine.alpha, fine.level.w, fine.level.h, fine.crop);
  let cov = 0;
  for (let i = 0; i < n; i++) if (alpha[i]! >= 128) cov++;
  if (cov === 0) return null;
  const background = labToSrgb8(fine.bgMean.L, fine.bgMean.a, fine.bgMean.b);
  return { alpha, width, height, coverage: cov / n, background };
}
