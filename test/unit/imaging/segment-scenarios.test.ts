import { describe, expect, it } from "vitest";
import { segmentProduct } from "~/imaging/index.server";
import { enclosedBackground, generateStudioPhoto, iouOf, type StudioPhoto, type StudioPhotoOptions } from "../../fixtures/studio-photos";

// One failure mode of the segmenter per test, on development seeds (the held-out acceptance
// set is in segment.test.ts).

/** Background pixels (alpha < 128) not 4-connected to the frame border, via the fixture's hole finder. */
function enclosedBackgroundOfAlpha(alpha: Uint8Array, W: number, H: number): Uint8Array {
  const mask = new Uint8Array(alpha.length);
  for (let i = 0; i < alpha.length; i++) mask[i] = alpha[i]! >= 128 ? 1 : 0;
  return enclosedBackground(mask, W, H);
}

/** Visible shadow pixels of the photo, and how many of them the predicted mask covers. */
function shadowInMask(alpha: Uint8Array, photo: StudioPhoto): { shadow: number; wrong: number } {
  let shadow = 0;
  let wrong = 0;
  for (let i = 0; i < alpha.length; i++)
    if (photo.shadowMask[i]) {
      shadow++;
      if (alpha[i]! >= 128) wrong++;
    }
  return { shadow, wrong };
}

/** Segments the photo of each seed, expects IoU >= min for every one, and logs the scores under `title`. */
async function expectIouPerSeed(title: string, seeds: readonly number[], min: number, options?: StudioPhotoOptions): Promise<void> {
  const results: string[] = [];
  for (const seed of seeds) {
    const photo = await generateStudioPhoto(seed, options);
    const { alpha } = await segmentProduct(photo.image);
    const iou = iouOf(alpha, photo.mask);
    results.push(`${iou.toFixed(4)} ${photo.label}`);
    expect(iou, photo.label).toBeGreaterThanOrEqual(min);
  }
  console.log(`${title}:\n  ${results.join("\n  ")}`);
}

function maskIou(a: Uint8Array, b: Uint8Array): number {
  let inter = 0;
  let uni = 0;
  for (let i = 0; i < a.length; i++) {
    if (a[i] && b[i]) inter++;
    if (a[i] || b[i]) uni++;
  }
  return uni === 0 ? 1 : inter / uni;
}

describe("segmentProduct scenarios", () => {
  it("keeps a mug handle's hole as background", async () => {
    const results: string[] = [];
    for (const seed of [2001, 2002, 2003]) {
      const photo = await generateStudioPhoto(seed, { shape: "mug", size: 0.6, centred: true, texture: "none" });
      const { alpha } = await segmentProduct(photo.image);
      const hole = photo.holeMask;
      let holePixels = 0;
      for (let i = 0; i < hole.length; i++) holePixels += hole[i]!;
      expect(holePixels).toBeGreaterThan(200); // the fixture really has a hole
      const predictedHole = enclosedBackgroundOfAlpha(alpha, photo.width, photo.height);
      const holeIou = maskIou(predictedHole, hole);
      results.push(`${holeIou.toFixed(3)} ${photo.label}`);
      expect(holeIou, photo.label).toBeGreaterThanOrEqual(0.85);
      expect(iouOf(alpha, photo.mask), photo.label).toBeGreaterThanOrEqual(0.95);
    }
    console.log(`mug hole IoU:\n  ${results.join("\n  ")}`);
  });

  it("leaves the contact shadow in the background", async () => {
    const results: string[] = [];
    for (const [seed, tone] of [
      [2101, "dark"],
      [2102, "saturated"],
      [2103, "grey"],
      [2104, "white"],
    ] as const) {
      const photo = await generateStudioPhoto(seed, {
        shape: seed % 2 ? "bottle" : "box",
        tone,
        background: tone === "white" ? "light-grey" : "white",
        shadowDarkness: 0.55,
        shadowSoftness: 0.025,
        size: 0.55,
        croppedAtBottom: false,
      });
      const { alpha } = await segmentProduct(photo.image);
      const { shadow, wrong } = shadowInMask(alpha, photo);
      expect(shadow, photo.label).toBeGreaterThan(500); // a real, visible shadow
      results.push(`${(wrong / shadow).toFixed(4)} of ${shadow} shadow px in mask  ${photo.label}`);
      expect(wrong / shadow, photo.label).toBeLessThanOrEqual(0.05);
      expect(iouOf(alpha, photo.mask), photo.label).toBeGreaterThanOrEqual(0.93);
    }
    console.log(`shadow leakage:\n  ${results.join("\n  ")}`);
  });

  it("keeps a grey product whose outline meets its own contact shadow", async () => {
    // development seed: a light-grey ring with dots on light grey scored IoU 0.36 when the
    // flood leaked in where the ring's bottom has its shadow's colour; its outline now blocks it
    await expectIouPerSeed("grey ring meeting its shadow", [3379], 0.95);
  });

  it("leaves a hard contact shadow under a small product in the background", async () => {
    const results: string[] = [];
    // development seeds with 2 px-soft shadows under small products; the steep rim stopped the
    // flood and the shadow stayed in the mask (IoU 0.88, 0.92, 0.87)
    for (const seed of [3177, 3262, 3264]) {
      const photo = await generateStudioPhoto(seed);
      const { alpha } = await segmentProduct(photo.image);
      const { shadow, wrong } = shadowInMask(alpha, photo);
      const iou = iouOf(alpha, photo.mask);
      results.push(`${iou.toFixed(4)} IoU, ${(wrong / shadow).toFixed(4)} of ${shadow} shadow px in mask  ${photo.label}`);
      expect(shadow, photo.label).toBeGreaterThan(200);
      // (before: 10%, 13% and 42% of the shadow in the mask)
      expect(wrong / shadow, photo.label).toBeLessThanOrEqual(0.15);
      expect(iou, photo.label).toBeGreaterThanOrEqual(0.94);
    }
    console.log(`hard shadows:\n  ${results.join("\n  ")}`);
  });

  it("keeps light print that is shaded to nearly the backdrop's colour", async () => {
    // development seed: a shoe's light band, shaded to within the per-pixel threshold of the
    // white backdrop, was reached through its invisible end and lost (IoU 0.83)
    await expectIouPerSeed("light print shaded to the backdrop", [3156], 0.95);
  });

  it("keeps light checks framed by dark ones, a shade off the backdrop's colour", async () => {
    // development seeds (7000-series): light checks within the per-pixel threshold of a tinted
    // or light grey backdrop, framed by dark checks (whose JPEG-ringing allowance let the flood
    // in), were lost: IoU 0.66 and 0.80
    await expectIouPerSeed("checks off the backdrop's colour", [7002, 7165], 0.9);
  });

  it("finds a hole whose rim fades to the backdrop's colour in places", async () => {
    // development seed: a metallic ring's hole on mid grey, its rim as weak as noise over half
    // its length, was taken for product (IoU 0.64)
    await expectIouPerSeed("ring hole with a partly faint rim", [11021], 0.93);
  });

  it("keeps backdrop-coloured stripes that cross a thin product part", async () => {
    // development seeds: grey stripes of the mid-grey backdrop's colour across a key's shaft
    // and a mug's handle were flooded through their invisible ends (IoU 0.86 and 0.89)
    await expectIouPerSeed("backdrop-coloured stripes across a shaft or handle", [9042, 11001], 0.93);
  });

  it("keeps the part of a grey product that a leak took for its shadow", async () => {
    // development seed: light grey sunglasses on light grey; through their bottom edge, which
    // has the colour of their contact shadow, the flood took half of the lenses as shadow. That
    // half meets the rest of the lens without any edge (IoU 0.70)
    await expectIouPerSeed("grey lenses taken for shadow", [11013], 0.93);
  });

  it("keeps a large shaded side of a product that matches the backdrop's colour", async () => {
    // development seed: the shaded lower side of a white ball on light grey has the backdrop's
    // colour over 40% of the ball; reached through a break in the thin outline around it, it was
    // lost (IoU 0.69)
    await expectIouPerSeed("white ball's shaded side", [9003], 0.95);
  });

  it("does not take shadow for print or product it merely touches", async () => {
    // development seeds, broken by the first versions of the two rules above: strips of shadow
    // between a box and its hard shadow were taken for print channels (0.99 -> 0.94), and floor
    // shadow under a metallic key, a tenth of the key's area, for a seamless part (0.95 -> 0.83)
    await expectIouPerSeed("box above its hard shadow", [13080], 0.98);
    await expectIouPerSeed("key above soft floor shadow", [13081], 0.94);
  });

  it("separates a white product from a light grey background", async () => {
    await expectIouPerSeed("white on light grey", [2201, 2202, 2203], 0.93, { tone: "white", background: "light-grey" });
  });

  it("finds a faint product: white on a pale tint, cropped by the frame", async () => {
    // development seed: a white bottle on a pale green backdrop, a little lighter and of
    // another hue, but no pixel strongly unlike the backdrop; it was "no product found"
    await expectIouPerSeed("white bottle on a pale tint", [13004], 0.9);
  });

  it("keeps a white product's shaded side that the flood took as backdrop", async () => {
    // unseen seed (39000-series): the shaded left side of a white ring on light grey is within
    // the backdrop's noise of its colour, smooth, and was flooded as a crescent of backdrop
    // (0.842); GrabCut's colour models give it back to the ring
    await expectIouPerSeed("white ring's shaded side", [39179], 0.94);
  });

  it("does not let the region refinement fill a small product's big hole", async () => {
    // unseen seed (39000-series): a 60 px bag on pink; its handle hole passed the hole tests,
    // but the bag's colour model held enough pink from its mixed outline to fill it (0.94 -> 0.78)
    await expectIouPerSeed("small bag's handle hole", [39193], 0.93);
  });

  it("finds a faint product evenly just above the threshold, framed by a clear outline", async () => {
    // unseen seed (37000-series): a white bottle on a pale mint tint, 8 a* units off the
    // backdrop; almost all its pixels differ, but few clearly, so every fit found nothing and
    // the photo was "no product found"
    await expectIouPerSeed("white bottle on pale mint", [37182], 0.97);
  });

  it("keeps a faint product that the coarse pass found but the fine level's noise hides", async () => {
    // development seed: a light grey key on a pale pink backdrop. At full detail too few of
    // its pixels were clearly unlike the backdrop, and the photo was "no product found"
    await expectIouPerSeed("light grey key on pale pink", [17034], 0.9);
  });

  it("finds a big product that covers much of one side of the frame", async () => {
    // development seed: a white ball on mid grey, cut off by the bottom edge across half its
    // width. The border ring's first fit bent to it until the whole backdrop looked like shadow;
    // the photo was "no product found"
    await expectIouPerSeed("white ball cut off by the bottom edge", [19043], 0.98);
  });

  it("leaves a gap between legs open when its floor shadow was walled off across the mouth", async () => {
    // development seeds (25000-series): the ray rules block thin lines of floor shadow across
    // the mouth of the gap under a stool's rung or a pair of sunglasses' bridge; the gap then
    // looked closed and was filled as a highlight inside the product (0.68, 0.89)
    await expectIouPerSeed("gap under a stool's rung", [25094], 0.8);
    await expectIouPerSeed("gap under sunglasses' bridge", [25103], 0.93);
  });

  it("keeps a product part a shade off the backdrop that sticks out into it", async () => {
    // development seed: the end of a key's shaft and its teeth, a few Lab units lighter than
    // the mid-grey backdrop, were flooded and lost (0.83); their outline is a clear step
    await expectIouPerSeed("key teeth a shade lighter than the backdrop", [25014], 0.9);
  });

  it("does not grow a small saturated product by its JPEG colour bleeding", async () => {
    // development seed: a 70 px yellow shoe; chroma subsampling smears its colour a pixel past
    // the outline, where the matting kept it as "unexplained colour" (0.886)
    await expectIouPerSeed("small yellow shoe", [25043], 0.91);
  });

  it("finds a big product cut off by the frame when the bent fit leaves only a highlight", async () => {
    // unseen seed (27000-series): a dark grey ball over half the bottom edge bent the first fit
    // until only a highlight stood out, which the fine pass dropped: "no product found"
    await expectIouPerSeed("dark ball cut off by the bottom edge", [27174], 0.98);
  });

  it("leaves floor shadow between low-contrast legs in the background", async () => {
    // unseen seed (27000-series): a white stool on light grey; noise specks in the floor shadow
    // under its rung counted as product met without an edge, and the shadow was filled
    const photo = await generateStudioPhoto(27124);
    const { alpha } = await segmentProduct(photo.image);
    const { shadow, wrong } = shadowInMask(alpha, photo);
    console.log(`floor shadow under a white stool's rung: ${(wrong / shadow).toFixed(3)} of ${shadow} px in the mask`);
    expect(wrong / shadow, photo.label).toBeLessThanOrEqual(0.05);
  });

  it("does not take light print of another hue than the backdrop for holes", async () => {
    // unseen seeds: white stripes on a mug on a pink backdrop, and the light band of a dark
    // pair of sunglasses on a tint, each within the per-pixel threshold and framed by sharp
    // edges, were punched out as holes after reclaimOffsetPrint had given them back. (The
    // region step would now fill such holes too; it also fills the narrow gap under the
    // sunglasses' bridge, 0.990 -> 0.971.)
    await expectIouPerSeed("white stripes on a mug on pink", [31192], 0.95);
    await expectIouPerSeed("light band across dark sunglasses", [17015], 0.96);
  });

  it("does not take a backdrop-coloured patch noisier than the backdrop around it for a hole", async () => {
    // grey checks on a metallic mug, and a patch on a dark dotted shoe, match the backdrop's
    // colour on average but not its smoothness; a real hole is as clean as the clean backdrop,
    // or like the backdrop right around it (both under the same cast shadow)
    await expectIouPerSeed("grey checks on a metallic mug", [17083], 0.83);
    await expectIouPerSeed("patch on a dark dotted shoe", [27063], 0.99);
  });

  it("leaves a hard contact shadow under a tilted product in the background", async () => {
    // unseen seeds: the soft lower rim of a hard shadow under a tilted box, still unreached when
    // the enclosed-shadow rule ran, closed off the shadow between it and the box, which was then
    // blocked as if enclosed by thin product (0.898 -> 0.961; 0.937 since the hue test: a
    // little of the hard shadow at the box's corner, tinted by the box's JPEG chroma, is kept)
    await expectIouPerSeed("hard shadow under a tilted box", [31020], 0.93);
    await expectIouPerSeed("hard shadow under a white shoe on a tint", [25152], 0.9);
  });

  it("keeps all of a mug handle's hole when a given-back patch straddles it", async () => {
    // the reclaim rules decide per flooded patch; on a striped mug one patch held the handle's
    // light stripe and half of the hole, and all of it was given back to the product
    // (0.954 without the regrowth; the region step takes a few of the mug's light stripes at
    // its outline, 0.991 -> 0.980)
    await expectIouPerSeed("half a handle hole beside a light stripe", [31192], 0.975);
  });

  it("finds a big ring's hole where the backdrop model is a unit or two off", async () => {
    // unseen seed: a white ring on a purple sweep; in the middle of the ring the fitted sweep
    // is off by about two units, so the hole looked too far from the model to be backdrop
    // although it is as smooth as the backdrop and of the colour of the backdrop around it
    await expectIouPerSeed("white ring on a sweep", [35018], 0.98);
  });

  it("does not let the region refinement open holes of the product's own colour", async () => {
    // unseen seed (43000-series): white dots on a black bottle on white; the white backdrop's
    // colour model fits a third of the dots better than the product's, and the cut opened them
    // as holes (0.899)
    await expectIouPerSeed("white dots on a black bottle", [43036], 0.93);
    // ... while a hole of a colour the product lacks, which the hole tests missed under the
    // key's shadow, is still opened by the cut (0.953 if no new hole were allowed)
    await expectIouPerSeed("key ring's hole on purple", [43071], 0.98);
  });

  it("does not let the region refinement remove a product's shade unlike the backdrop", async () => {
    // unseen seed (43000-series): the darker side of a pastel headband on grey is clearly off
    // the backdrop model, but closer to the backdrop's colours than to the band's light side,
    // and the cut took it away (0.870). (0.912 until the ringing relaxation spared surfaces of
    // their own colour, 0.907 since: a pixel more of the outline here and there.)
    await expectIouPerSeed("pastel headband's shaded side", [43185], 0.9);
  });

  it("lets the region refinement refill a leak the product encloses, whatever its size", async () => {
    // unseen seeds: a grey bag on grey whose body was flooded as shadow through a highlight at
    // its outline; the cut gives the body back, 30% of the bag, which the size cap refused
    // (0.754); and a light grey bag on lavender grey (41168, 0.386)
    await expectIouPerSeed("grey bag flooded through a highlight", [43174, 41168], 0.99);
    // a dark noise-textured ball on light grey, flooded through its light speckles where a
    // fifth of the leak's outline faces the backdrop (0.515 if refills had to be 90% enclosed);
    // a second leak, 74% enclosed, stayed out until thin shadow-like lines between flooded
    // pixels joined the open backdrop (0.607 without them)
    await expectIouPerSeed("noise-textured ball flooded through its light speckles", [45038], 0.95);
  });

  it("lets the region refinement drop a detached blob of floor shadow, not a piece of the product", async () => {
    // unseen seeds: a light stool with a blob of floor shadow kept between its legs; the cut
    // drops it, 12% of the stool, which the size cap refused (0.800)
    await expectIouPerSeed("floor shadow between a stool's legs", [43140], 0.86);
    // a grey headband's segment, cut off from the rest by a thin seam, is all shadow-like
    // too but lies right beside the product: it stays (0.943 if it went)
    await expectIouPerSeed("segment of a grey headband", [41120], 0.955);
  });

  it("does not give back floor shadow that meets the product across an edge, or a wide-open bay darker near a horizon", async () => {
    // unseen seeds: the floor shadow between a grey stool's legs, below the rung, meets the legs
    // with a low gradient on its own side (the legs' mixed rim was not flooded), but the legs a
    // few pixels in are 30 L darker: it is not a grey part taken for shadow (0.695 without the
    // colour step across the contact)
    await expectIouPerSeed("floor shadow walled in by a stool's legs", [49063], 0.99);
    // the space under a white key's shaft, open wide below, is a shade darker than the backdrop
    // at its mouth because a sweep's horizon runs beneath: it is backdrop, not shaded print
    // (0.697 without the bay's openness test; the ring's hole is still missed)
    await expectIouPerSeed("space under a key's shaft above a sweep's horizon", [49091], 0.85);
  });

  it("does not take a textured product's body for JPEG ringing around its print", async () => {
    // unseen seed: a pastel blue mug with dense dark blue dots on light grey; every pixel of its
    // body is within ringing reach of a dot, and the dots' contrast relaxed the body's clear
    // difference under the threshold, so it was flooded (0.103)
    await expectIouPerSeed("pastel mug with dark dots", [53079], 0.95);
  });

  it("keeps light print opaque inside a thin dark part, where matting would take it for backdrop", async () => {
    // unseen seed: dark headphones with light cyan dots on mid-grey, 277x415: the band is so thin
    // that all of it lies in the matting band, and each dot, lighter than the band, projected
    // towards the grey backdrop (0.791 while only a mix that said "mostly product" was print)
    await expectIouPerSeed("thin dark headphones with light dots", [53092], 0.92);
  });

  it("looks at the fine level for a faint part that only a thin line joins to the product", async () => {
    // unseen seed: a grey lamp's base, a shade lighter than the mid-grey backdrop inside its
    // contact shadow, below a stem 4 px thick: at the coarse level the stem fades out above the
    // base, which was left out of the fine crop (0.869)
    await expectIouPerSeed("faint lamp base below a thin stem", [53054], 0.92);
  });

  it("does not give a hard contact shadow's trough back to the product as a soft enclave", async () => {
    // unseen seed: a pastel box on white with a dark, 2 px-soft contact shadow; the flood reached
    // the shadow's middle rows, but a row a little too steep to be passable walled them off from
    // the shadow's blurred rim, so they were an enclave with soft borders and went back to the
    // box with the rows around them (0.883)
    await expectIouPerSeed("box over a hard contact shadow", [55127], 0.92);
  });

  it("allows for JPEG chroma bleeding when it tells a saturated product's contact shadow", async () => {
    // unseen seed: the contact shadow under a magenta shoe on beige takes on the shoe's hue near
    // the sole (4:2:0 chroma), failed the shadow test and was kept as a band of product (0.876)
    await expectIouPerSeed("shadow tinted by a saturated shoe", [55164], 0.95);
  });

  it("refits the backdrop without a frame side that a product of nearly its colour covers", async () => {
    // unseen seed: a light grey box on light grey, cut off by the bottom edge across most of its
    // width; the border ring's fit bent to the box, so the box was flooded as backdrop and the
    // backdrop's bottom corners kept as product, whose outline there is no edge (0.335)
    await expectIouPerSeed("light grey box over the bottom edge", [59194], 0.98);
  });

  it("does not refill the gap between legs that the frame cuts off, as if the product enclosed it", async () => {
    // unseen seed: a small grey stool on mid-grey, cut off by the bottom edge; the gaps between
    // its legs are framed by the product on three sides and by the frame, and the cut filled
    // them as leaks (0.484)
    await expectIouPerSeed("stool's legs over the bottom edge", [59145], 0.75);
  });

  it("does not take a leg split by a sliver of passable edge pixels for a thin outline around floor shadow", async () => {
    // unseen seed: a pastel stool on lavender; in some JPEG block rows a 2 px sliver of the
    // middle leg's mixed edge, of the shadow's hue, was passable and flooded, so rays from the
    // floor shadow between the legs met a 1 px "edge ring" instead of a thick leg, the shadow
    // rows were blocked as enclosed, and the bay above them went back to the stool (0.641)
    await expectIouPerSeed("floor shadow between a pastel stool's legs", [61173], 0.98);
    // an older unseen seed, the worst of its set for several stops: a white striped stool on a
    // tint (0.352)
    await expectIouPerSeed("floor shadow between a white stool's legs", [45184], 0.95);
  });

  it("does not let the region refinement add floor shadow that runs out to the crop's edge", async () => {
    // unseen seed: a small magenta stool on white, its floor shadow a wide dark band; once one
    // bay between its legs was filled, the product's colour model took the band for product and
    // the cut added it out to the edges of the crop around the stool (0.519; 0.697 with it
    // dropped, the filled bay is still there)
    await expectIouPerSeed("floor shadow band under a small stool", [61056], 0.65);
  });

  it("does not let the region refinement add clean backdrop that runs out to the crop's edge", async () => {
    // unseen seed (63000-series): a dark stool with white blotches on its seat, on light grey;
    // the product's colour model held the backdrop's light grey, and the cut added a block of
    // open backdrop above the seat out to the corner of the crop (0.810)
    await expectIouPerSeed("open backdrop above a blotched seat", [63046], 0.98);
  });

  it("finds a big ring's hole across which the vignette's shading varies", async () => {
    // unseen seed (63000-series): a saturated ring on white with a strong vignette; the model's
    // error drifts smoothly across the hole, top to bottom, by more than the backdrop's noise,
    // so the hole looked rougher than the backdrop and was filled (0.386)
    await expectIouPerSeed("big ring's hole across a vignette", [63150], 0.98);
  });

  it("finds a small key bow's hole by its middle, away from the blur of its dark rim", async () => {
    // unseen seed (63000-series): a small green key on light grey; the bow's hole is about 8 px
    // across, so most of it lies within its rim's blur and ringing, and its median distance
    // to the backdrop model was a hair above the clean backdrop's (1.36 vs 1.35): filled (0.897)
    await expectIouPerSeed("small key bow's hole", [63060], 0.915);
  });

  it("finds a big hole whose very sharp rim is half light stripes, a little short of contrast", async () => {
    // unseen seed (69000-series): a ring striped black and white on a pink backdrop; the rim
    // around its hole was half white, so its median distance (8.8) fell short of the share of
    // the outer silhouette's it had to reach (8.9), though its edge was 3.7 times as sharp as
    // needed: the hole was filled (0.632)
    await expectIouPerSeed("striped ring's big hole", [69169], 0.95);
  });

  it("judges the hole of a big key bow against open backdrop further out when none is near", async () => {
    // unseen seed (69000-series): a pastel key on a pale tint with a vignette; the model is off
    // by ~2.8 noise units in the bow's middle, and no open backdrop lay within the usual reach
    // of its hole to compare with: filled (0.832)
    await expectIouPerSeed("big key bow's hole", [69031], 0.85);
  });

  it("finds a big, very smooth hole whose hue the backdrop model misses by a little more than usual", async () => {
    // unseen seed (73000-series): a red and grey checked ring filling three quarters of a white
    // frame with a strong vignette; in the hole's middle the model was off by 1.3 Lab units of
    // hue, over the 1 allowed, though the hole was a quarter as rough as the clean backdrop:
    // filled (0.487). 71179 (a white checked key, 0.907) had two bow holes judged the same way.
    await expectIouPerSeed("smooth hole off the model's hue", [73170, 71179], 0.93);
  });

  it("places the outline of a faint product by the mix of its colour and the backdrop's", async () => {
    // unseen seeds: a light grey ring on mid-grey (73071, 0.894) and a small pastel bottle on
    // light grey (71025, 0.959). A pixel half covered by a faint product is within the noise
    // threshold of the backdrop, so the binary mask sits a pixel inside the outline; the mix
    // that places it was trusted only where the product stood out by 3 thresholds, not 1.5
    await expectIouPerSeed("faint product's outline", [73071], 0.92);
    await expectIouPerSeed("faint product's outline", [71025], 0.98);
  });

  it("does not take shadow darker than a small product for a mix of the product and the backdrop", async () => {
    // unseen seeds: small products on light grey with a hard contact shadow. Next to the mask,
    // that shadow projects past the product's own colour (mix > 1); taken as product it cost
    // 69017 (small saturated headphones) 0.890 -> 0.877 and 71193 (a light grey blob) 0.784 -> 0.766
    await expectIouPerSeed("small product over hard shadow", [69017], 0.885);
    await expectIouPerSeed("small product over hard shadow", [71193], 0.775);
  });

  it("keeps a light grey bag flooded as shadow under its handle, whose hole the flood did not reach", async () => {
    // unseen seed (75000-series): a 60 px light grey bag on a pale tint over a hard shadow; its
    // body was flooded as shadow, and the walks that find shadow inside an outline saw it closed
    // in only from the sides: upwards they met the handle's unreached hole as product, one long
    // solid run with the bag's top edge (0.287)
    await expectIouPerSeed("light grey bag under its handle", [75196], 0.9);
  });

  it("closes the outline of a faint product a shade darker than the backdrop, where the flood entered through its gaps", async () => {
    // unseen seed (77000-series): sunglasses with light grey stripes of the backdrop's shade;
    // the stripes' outline's mixed pixels pass as backdrop wherever the edge dips under the
    // threshold, and the flood took the stripes (0.910). (A light grey ring on white, 77157, and
    // a grey key on a grey sweep, 79165, came here first; the hue test below now finds them
    // without the closing. Since that test, one stripe at a lens's corner is lost: 0.977 -> 0.965.)
    await expectIouPerSeed("faint product's outline closed", [77047], 0.96);
  });

  it("does not take a faint product of its own hue for shadow", async () => {
    // Unseen seeds. Pixel by pixel these pass the shadow test, whose hue tolerance allows for one
    // pixel's noise; averaged over a few pixels their hue is off the shadow's:
    // - a white ring on a pink tint (83165, 0.698: the flood took its right half)
    await expectIouPerSeed("faint product of its own hue", [83165], 0.93);
    // - a light grey ring a shade warm on white (77157, 0.854)
    await expectIouPerSeed("faint product of its own hue", [77157], 0.94);
    // - a grey key on a grey sweep, the lower half of its bow a band near the backdrop (79165, 0.849)
    await expectIouPerSeed("faint product of its own hue", [79165], 0.96);
    // - a light grey stool striped on a tint, its floor shadow cut into pockets (81064, 0.478)
    await expectIouPerSeed("faint product of its own hue", [81064], 0.75);
  });

  it("opens the hole of a faint product whose whole outline is under the edge and contrast floors", async () => {
    // unseen seed (77000-series): a white bag on a pale tint; the backdrop seen through its
    // handle passed every colour test, but the handle's rim (edge 3.7, contrast 6.5) was under
    // the absolute floors (4, 6.75) though as strong as the bag's outer outline (4.7, 6.7) (0.823)
    await expectIouPerSeed("faint product's hole", [77106], 0.97);
  });

  it("sees past the step where a shadow-coloured product crosses the backdrop's colour into a lighter part", async () => {
    // unseen seed (79000-series, the worst of its set for several stops): a grey blob on
    // mid-grey, cut off by the frame, with a highlight stripe. Between the stripe and the outline
    // the blob is shadow-coloured and was flooded from the frame; the stripe's falloff crosses
    // the backdrop's colour in a band the flood reached, so the rays took the stripe for open
    // backdrop and saw the part enclosed on two sides only (0.258). The band touches the frame
    // where the blob does: it is not open backdrop for that (0.755 if it were). Pastel legs meet
    // their floor shadow across such a step too (25094 above), but they face the open backdrop.
    await expectIouPerSeed("shadow-coloured part beside a highlight", [79161], 0.99);
  });

  it("keeps a light check between two dark ones on a stool's leg, reached past the ringing beside the dark checks", async () => {
    // unseen seed (89000-series, the only one of its set under 0.90): a stool checked black and
    // light grey on mid-grey, the light checks the colour of shadow. The flood reached their
    // ends through the JPEG ringing beside the dark checks, clean backdrop colour that is not
    // the open backdrop; the rays stopped there as if at the backdrop, so the checks looked
    // closed in on two sides only, by the leg's thin edges (0.753). Floor shadow under a rung
    // is closed in on three sides at most (25094 above): it spreads out below the feet. (0.859
    // now: the checks on the rung and at the feet, in the floor shadow, are still lost.)
    await expectIouPerSeed("light checks on a stool's legs", [89097], 0.85);
  });

  it("keeps a small key's bow hole open and drops the lines of its hard shadow", async () => {
    // unseen seed (91000-series): a pastel key, 150 px long, on light grey, with a 2 px soft
    // contact shadow (0.865). The bow's hole passed the hole tests but was too small to be kept
    // from the cut, whose key colours hold the backdrop's from the key's mixed outline: it was
    // filled (0.902 without reopening it, as the key lacks that colour). The shadow's edges are
    // too sharp to be passable, and the rays blocked two lines of shadow between them (0.891
    // without dropping them, as lines of shadow apart from the key). (0.927 until the ringing
    // relaxation spared surfaces of their own colour, 0.920 since: the narrow gaps between the
    // teeth take the teeth's colour in its window, see SURFACE_REACH.)
    await expectIouPerSeed("small key's bow and hard shadow", [91155], 0.915);
  });

  it("leaves the backdrop in a mug handle's hole that the frame cuts off", async () => {
    // unseen seed (91000-series): a dark mug with a light band, cut off by the bottom edge
    // through its handle's hole. The hole is not enclosed, so no hole test protects it, and the
    // cut filled it: the mug's colours hold the band's, close to the backdrop's (0.877). What
    // the cut adds is as clean as the backdrop and runs out to the frame.
    await expectIouPerSeed("mug handle's hole at the frame", [91112], 0.95);
  });

  it("finds a faint ring whose middle the flood could not reach", async () => {
    // unseen seed (93000-series): a white ring on a pale teal tint, a little under 2 T_DIST on
    // most of it. The ring and the backdrop in its middle were one unflooded part, whose strong
    // pixels were a twenty-fifth of it, under the twentieth that makes a part significant: no
    // product was found at all (NoSubjectError). They are a twelfth of the ring itself.
    await expectIouPerSeed("faint ring", [93107], 0.89);
  });

  it("takes a band of floor shadow whose hue drifts with its depth for shadow, as the shadow around it", async () => {
    // unseen seed (97000-series): grey sunglasses on lavender over a soft shadow tinted by the
    // fill light. Averaged, a band 7 L units deep was off the backdrop's hue by a little more
    // than the shadow test allows (deeper shadow may drift further), though by the same offset
    // as the shadow above and below it. It was not passable, and walled in the shadow under
    // the lenses, which was kept as product (0.872).
    await expectIouPerSeed("tinted shadow under sunglasses", [97382], 0.99);
  });

  it("opens the backdrop between a stool's lower legs that the edge of a broad shadow darkens", async () => {
    // unseen seed (97000-series): a dark stool on white, a hard contact shadow closing off the
    // spaces between its lower legs, and a broad shadow spreading beside it that darkens those
    // spaces towards the floor. Too small for the quadratic shading a big hole may have, they
    // were as rough as the backdrop only once that shading was taken out, and were kept as
    // product (0.588). Darker than the open backdrop, they may have a plane's shading; grey
    // checks on a metallic mug, lighter, may not (17083 above).
    await expectIouPerSeed("backdrop between a stool's lower legs, in a shadow's edge", [97321], 0.9);
  });

  it("lets the flood across a hard contact shadow's line between a product's feet", async () => {
    // unseen seed (93000-series): grey headphones on light grey, their cups standing on a 2 px
    // soft contact shadow a few pixels deep. Between the cups that shadow is a blurred line,
    // not a step: from either rim the profile dips to the line's floor and rises again within
    // 3 px, so neither rim was a blurred step, the flood could not cross them, and the line
    // was kept as product (0.800). Measured from the floor, each flank is as soft as a rim.
    await expectIouPerSeed("hard contact shadow's line between headphone cups", [93032], 0.95);
  });

  it("does not take a grey mug's body, flooded through a leak between its white dots, for floor shadow between legs", async () => {
    // unseen seed (101000-series): a light grey mug with white dots on light grey. Its body is
    // shadow-coloured, and the flood leaked into it from its contact shadow. Shadow closed in
    // by thick product parts is floor shadow (a stool's legs), and the unreached white dots,
    // of the backdrop's colour, counted as such parts: strips of the body between them stayed
    // open and took most of the body with them (0.667). A ray now stops at such a patch as at
    // the open backdrop, and the body is closed in by its own thin outline.
    await expectIouPerSeed("grey mug with white dots, flooded through a leak", [101017], 0.9);
  });

  it("keeps the edge of a textured product, where the mean of its colours is no colour it has", async () => {
    // unseen seeds (101000- and 103000-series): small products with checks or stripes. The
    // matting projected each edge pixel onto the box mean of the product's colours, which for
    // dark and light checks is about the backdrop's grey, so the outline's checks got any alpha
    // and a small checked shoe lost them (0.814; a striped key 0.791, a striped ring 0.900). An edge
    // pixel now mixes the backdrop with the nearby product colours that explain it.
    await expectIouPerSeed("edges of small textured products", [103202, 101285, 103215], 0.93);
  });

  it("opens the rim of a hard contact shadow that lies between flooded backdrop above and flooded shadow below", async () => {
    // unseen seeds (103000-series): light grey headphones on white and a dark stool on a tint,
    // each over a hard contact shadow. The shadow's upper rim between the cups (the legs) is a
    // blurred step too steep to pass, closed in by the product on three sides, so it stayed shut
    // to the flood though the backdrop above it and the shadow's core below were flooded: a band
    // of product (0.883, 0.902)
    await expectIouPerSeed("contact shadow's rim between flooded backdrop and shadow", [103330, 103305], 0.92);
  });

  it("opens the rim of a hard contact shadow that leads from a hole down to flooded shadow", async () => {
    // an unseen seed: small dark headphones on white over a hard shadow. The gap between the
    // cups is a hole, found only after the flood, so the shadow's upper rim under it, shut by the
    // ray rules, had no flooded backdrop above it and stayed product: a bar across the gap (0.877)
    await expectIouPerSeed("contact shadow's rim between a hole and flooded shadow", [104418], 0.95);
  });

  it("leaves floor shadow between two parts to the backdrop though their blurred outlines are soft", async () => {
    // an unseen seed: pastel sunglasses on white over a soft shadow. The shadow under the bridge
    // is closed in by the lenses on three sides, and its border with them, blurred, averages
    // under the edge threshold, so it was given back as a soft enclave, as a highlight that
    // crosses the outline is: a block of shadow between the lenses (0.945). A product's shaded
    // side meets the lit side with next to no edge; this shadow meets edges.
    await expectIouPerSeed("floor shadow between two parts", [104494], 0.98);
  });

  it("finds a large product checked in the backdrop's own grey, whose outline is too faint to be a clear edge", async () => {
    // an unseen seed: a grey mug with light checks on a mid-grey backdrop. The flood leaves it
    // unreached, but only a third of it is clearly unlike the backdrop and a fifth of its
    // outline is a clear edge at the coarse scale, so every fit dropped it: "no product" (0)
    await expectIouPerSeed("large faint product", [104620], 0.85);
  });

  it("keeps a faint stripe on a thin textured part that no nearby product colour explains as a mix with the backdrop", async () => {
    // an unseen seed: a small stool striped black and light grey on a mint tint, its legs 6 px
    // wide. The light stripes are too near the backdrop to be sampled as product colours, and no
    // dark sample explains them, so the matting projected them onto the box mean of dark and
    // light (a grey), where they came out 15% product: the legs lost every light stripe (0.788)
    await expectIouPerSeed("faint stripes on thin legs", [105010], 0.82);
  });

  it("leaves the floor shadow between a thin stool's lower legs to the backdrop though it meets them with no edge", async () => {
    // an unseen seed: a light grey stool on white over a broad shadow. Between the lower legs
    // the shadow has the legs' grey and meets them and the rung seamlessly, like a grey part
    // taken for shadow, and it is under the bound on such a part's size only when the
    // unflooded space under the seat counts as product: a block of shadow (0.481)
    await expectIouPerSeed("floor shadow between thin grey legs", [105589], 0.98);
  });

  it("does not let a hole grow over the patches the hole tests refused", async () => {
    // an unseen seed: a white ball with grey dots on light grey. Its shaded side, a shade
    // lighter than the backdrop, is split by the dots into patches; one of them passed the hole
    // tests, and grown through the candidates it took the whole shaded side (0.771)
    await expectIouPerSeed("white ball's shaded side between dots", [105853], 0.94);
  });

  it("takes dots of the backdrop's colour repeated across a product for print, not holes", async () => {
    // unseen seeds: a dark lamp with white dots on white, green sunglasses with grey dots on
    // grey. Each dot looks like the backdrop and has a sharp, contrasted rim, so each passed the
    // hole tests (0.819, 0.862); three or more round holes of one size are a pattern
    await expectIouPerSeed("dots of the backdrop's colour", [106004, 106043], 0.88);
  });

  it("does not take the ring where a highlight on a dark product crosses the backdrop's colour for a hole", async () => {
    // an unseen seed: a small dark watch on mid-grey with a strong highlight. Around the
    // highlight's bright core its falloff has the backdrop's colour and is bounded by contrast
    // on both sides, so it passed the hole tests (0.824); a hole does not ring a part of the
    // product
    await expectIouPerSeed("highlight's falloff around its core", [105917], 0.93);
  });

  it("takes a hole whose colour the rest of the product has, off the backdrop there, for print", async () => {
    // an unseen seed: a white bag checked in grey on mid-grey. Where the vignette darkens the
    // backdrop, the grey checks match it and have the white checks' sharp, contrasted rims, so
    // they passed the hole tests (0.798); the same grey covers the bag's other checks
    await expectIouPerSeed("checks of the backdrop's colour", [106338], 0.91);
  });

  it("does not grow a hole into a stripe of the product reached through a narrow mouth", async () => {
    // an unseen seed: a metallic bag striped green and grey on mid-grey. The handle's hole grew
    // through two smooth grey stripes below it, of the colour of shadow, where a highlight
    // softens the bag's top edge (0.823); shadow seen through a hole meets it along its width
    await expectIouPerSeed("stripes below a handle's hole", [106209], 0.98);
  });

  it("judges the floor shadow between a leaked stool's legs again once the legs are product", async () => {
    // unseen seeds: a light grey stool on white and light grey headphones on light grey, flooded
    // through their outlines as shadow. The body and the floor shadow between the legs (cups)
    // were blocked together, the shadow as closed in by their thin edge rings (0.745, 0.835);
    // with the legs product, it lies between thick parts
    await expectIouPerSeed("floor shadow between a leaked stool's legs", [106404, 105575], 0.96);
  });

  it("does not take the backdrop between a small pastel stool's legs for a highlight", async () => {
    // an unseen seed: a pastel stool checked pink and lilac on mid-grey, 444 px wide. The space
    // between two legs opens onto the floor only between their feet, and the small photo blurs
    // their outlines to just under the edge threshold, so it was given back as a soft enclave
    // (0.815); a highlight that large would fade into the product's colour at its contact
    await expectIouPerSeed("backdrop between a small stool's legs", [106990], 0.95);
  });

  it("takes strongly contrasted print for texture at the outline even when its mean is off the backdrop", async () => {
    // an unseen seed: dark sunglasses with white dots on lavender. Dark and white average to a
    // mid-grey well off the backdrop, so the window's spread was under its step and the box
    // mean stood for the product: the dots cut by the outline projected near the backdrop and
    // were lost (0.878)
    await expectIouPerSeed("white dots on dark sunglasses at the outline", [107205], 0.9);
  });

  it("judges a hole's roughness against the backdrop beside the outline, which JPEG smooths less", async () => {
    // unseen seeds: a magenta key on mid-grey (q = 85) and a metallic key on a tint. JPEG keeps
    // the noise in blocks that hold an edge, so each bow's hole, shaded a little by the floor
    // shadow, was rougher than the flat backdrop far from the key and was filled (0.944, 0.945)
    await expectIouPerSeed("key bow's hole, rough as the backdrop beside the key", [107488, 107337], 0.975);
  });

  it("keeps light print at the outline that lies past the backdrop's colour, away from the product's", async () => {
    // an unseen seed: a grey shoe, darker than its mid-grey backdrop, with light dots. A dot cut
    // by the outline is lighter than the backdrop, so its mix with the shoe's grey came out below
    // 0 and it was cut away as backdrop (0.889)
    await expectIouPerSeed("light dots past the backdrop at a grey shoe's outline", [107308], 0.895);
  });

  it("opens a ring's hole whose rim is clearly off the backdrop over only part of its length", async () => {
    // an unseen seed: a metallic ring on white. Its shading brings half the inner rim to just
    // past the backdrop's noise while the rest is as far off it as the outer outline; judged by
    // the median alone, the rim was too faint and the big hole was filled (0.603)
    await expectIouPerSeed("metallic ring's hole, half its rim faint", [107923], 0.95);
  });

  it("leaves floor shadow between a pale stool's legs open where it runs on into the open floor shadow", async () => {
    // an unseen seed: a pastel stool on white. The floor shadow between its lower legs meets the
    // pale legs with no edge, like a grey part the flood took for shadow, and was given back as
    // product (0.542); it runs on into the open floor shadow with no outline between them
    await expectIouPerSeed("floor shadow between a pastel stool's lower legs", [108374], 0.97);
  });

  it("opens a hard contact shadow's whole line between the gap under headphones and the floor", async () => {
    // an unseen seed: striped headphones on white, on a hard contact shadow. Between the cups
    // the shadow's line dips from the gap's backdrop to its core and rises to the floor's, too
    // deep for a ramp from either side, and was kept as product (0.855)
    await expectIouPerSeed("hard contact shadow's line under the gap between cups", [108441], 0.97);
  });

  it("opens the gap under a white stool's seat whose rim is a little softer than its outline", async () => {
    // an unseen seed: a white stool on light grey, with a 55 px soft shadow. The gap between its
    // legs under the seat passed every backdrop test, but its rim's edge was 0.69 of the outer
    // outline's where a faint product's rim needed 0.75, and it was filled (0.519)
    await expectIouPerSeed("gap under a white stool's seat, in a soft shadow", [108680], 0.97);
  });

  it("refills the whole of a grey bottle's body that the flood took from the frame, not only the cut's band", async () => {
    // an unseen seed: a grey striped bottle on mid-grey, cut off by the bottom edge. The flood
    // entered its body past a highlight at the outline; the region cut refilled the body within
    // its band around the mask and left a block in the middle, open to the frame (0.897)
    await expectIouPerSeed("grey bottle's body flooded from the frame", [108607], 0.97);
  });

  it("leaves a yellow product's hard shadow open where JPEG's chroma ringing bands it in hues", async () => {
    // an unseen seed: yellow sunglasses on white, JPEG quality 71. The hard shadow under the
    // lenses is tinted yellow, green, magenta and blue over one 16 px MCU; those hue steps made
    // it rough, the flood stopped at it and a band of it stayed product (0.907)
    await expectIouPerSeed("hard shadow under yellow lenses, banded by chroma ringing", [109015], 0.97);
  });

  it("keeps a white bottle on a pale pink tint that is mostly within the noise pixel by pixel", async () => {
    // an unseen seed: the flood stayed out of the bottle, but 69% of it is within the fine
    // level's noise and few pixels are clearly off, and the coarse pass kept only a part of it:
    // every test for a significant part refused it and the photo had "no product" (0)
    await expectIouPerSeed("white bottle on a pale pink tint", [109391], 0.97);
  });

  it("leaves floor shadow under a stool's rung open past a streak of chroma ringing in it", async () => {
    // an unseen seed: a green stool on light grey, JPEG quality 81. A 3 px line of the shadow,
    // 8 px below the rung, is off the shadow's hue by the rung's chroma ringing; the rays took it
    // for a thin product part closing the gap under the rung, and the shadow there was kept (0.789)
    await expectIouPerSeed("floor shadow under a green stool's rung", [109305], 0.97);
  });

  it("keeps a surface of its own colour between dark print, within JPEG ringing's reach of it and of the backdrop", async () => {
    // unseen seeds. A white blob with black dots on a pale tint: within one MCU of the dots and of
    // the backdrop, its white was taken for ringing on the backdrop and flooded, and only a part of
    // the blob was kept (0.112). A pink-backdrop stool's legs checked dark and light grey: the
    // light checks were flooded the same way (0.767). Ringing swings about the backdrop's colour;
    // the median colour around these pixels is the surface's own.
    await expectIouPerSeed("white between black dots; light checks between dark ones", [109340, 109849], 0.85);
  });

  it("opens a light grey key's bow hole whose hue JPEG's chroma pulled towards the key's", async () => {
    // an unseen seed: a light grey key on light grey, in its own shadow. The backdrop seen
    // through the bow is 1.65 off the open backdrop's hue, past what a hole may be, but 0.6 of the
    // way to the key's warm grey and only 0.15 off that line: chroma subsampling mixes the hole's
    // blocks with the rim's. It was filled (0.894)
    await expectIouPerSeed("light grey key's bow hole", [109967], 0.915);
  });

  it("does not seed the fine flood behind a gap the coarse flood slipped through", async () => {
    // an unseen seed: a grey blob on light grey, cut by the frame, with a highlight of the
    // backdrop's colour. The coarse flood reached the highlight through a gap in the outline at
    // the blob's waist; seeded from there, the fine flood spread through the blob's
    // shadow-coloured body, and a band of it across the highlight was lost (0.536)
    await expectIouPerSeed("grey blob's backdrop-coloured highlight", [110344], 0.98);
  });

  it("keeps a light stripe along the outline that the cut took for backdrop", async () => {
    // unseen seeds. Headphones striped green and near-white on white: the white stripe along a
    // cup's inner edge, a shade darker than the backdrop, was removed by the region cut (0.754).
    // A grey blob striped dark on mid-grey lost the ends of two of its light stripes, near the
    // backdrop's shade, at its outline the same way (0.948). Both meet the backdrop with a sharp
    // outline, unlike a hard shadow's rim
    await expectIouPerSeed("light stripes along the outline", [110104, 110133], 0.81);
  });

  it("opens a small saturated key's hole whose hue JPEG's chroma ringing pushed away from the key's", async () => {
    // an unseen seed: a small violet key on white at JPEG quality 70. The white hole in its bow is
    // 7.3 off the open backdrop's hue, the other way from the key's (0.42 of the key's hue shift)
    // and 0.8 off that line: the quantised chroma block overshoots. The hole, too small for the
    // sampling grid that compares it with the backdrop around it, was filled (0.934)
    await expectIouPerSeed("small violet key's hole", [110486], 0.955);
  });

  it("judges a big ring's hole by its rim on the ring, not by the soft edge of the shadow seen through it", async () => {
    // an unseen seed: a big metallic ring on mid-grey under a strong vignette. The lower part of
    // its hole lies in the ring's cast shadow, which the hole takes in later; its soft boundary
    // was a third of the rim the hole was judged by, and pulled the rim's edge strength under
    // the bar. The hole was filled (0.490)
    await expectIouPerSeed("big ring's hole over its cast shadow", [110738], 0.94);
  });

  it("keeps a light check on a thin stem whose outline the ringing allowance had opened", async () => {
    // an unseen seed: a lamp checked dark and light grey on white. Within a JPEG block of a dark
    // check, the ringing allowance brought the sharp step from a light check on the thin stem to
    // the backdrop under the threshold, and the flood went through it: light checks on the stem
    // were lost (0.872)
    await expectIouPerSeed("light checks on a lamp's stem", [111453], 0.88);
  });

  it("does not give back a narrow gap that the product's chroma bleeding tinted", async () => {
    // an unseen seed: small red sunglasses on white at JPEG quality 76. The gaps between the
    // lenses, above and below the bridge, are 3 to 5 units redder than the backdrop at their
    // mouths and no darker; taken for print a shade off the backdrop, they were filled (0.895)
    await expectIouPerSeed("gap between red lenses", [111469], 0.925);
  });

  it("opens the handle of a white bag on a pale tint whose rim is a little softer than its outline", async () => {
    // an unseen seed: a white bag on a pale green tint at JPEG quality 70. The backdrop seen
    // through the handle passed every test of a hole, but its rim's edge strength was 0.60 of
    // the outline's and its median contrast 0.74, just under a faint product's floors, and it
    // was filled (0.818)
    await expectIouPerSeed("white bag's handle on a pale tint", [112070], 0.95);
  });

  it("keeps the light stripes of a small striped bottle where they meet its outline", async () => {
    // an unseen seed: a 60 px wide metallic bottle striped dark and light on light grey. Its
    // binary mask scores 0.909; the soft alpha, mixing each outline pixel with the backdrop,
    // cut the light stripes back where they meet the outline, one notch per stripe (0.822)
    await expectIouPerSeed("light stripes at a small bottle's outline", [111932], 0.89);
  });

  it("keeps the faint checks of a small key where they meet its outline", async () => {
    // an unseen seed: a 90 px long key checked dark grey and pale green on light grey. The pale
    // checks are only a little off the backdrop, too little to be a textured product's sampled
    // colour, so the soft alpha mixed the dark checks with the backdrop for them and put half
    // their outline pixels out (0.824), though the same pale green lies further in
    await expectIouPerSeed("pale checks at a small key's outline", [112035], 0.88);
  });
});
