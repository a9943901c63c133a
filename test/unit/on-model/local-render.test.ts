// The local compositor on drawn garments × models: where the garment lands, what it leaves
// alone, and what comes out. The renders are written to test-output/on-model/ to be looked at.
import { mkdirSync } from "node:fs";
import path from "node:path";
import sharp from "sharp";
import { beforeAll, describe, expect, it } from "vitest";
import { segmentProduct } from "~/imaging/index.server";
import type { RasterImage } from "~/imaging/index.server";
import { garmentFrame, mannequin, MANNEQUIN_SLUGS, renderOnMannequin, renderOnPhoto, type Anchors } from "~/imaging/on-model/index.server";
import { GARMENTS, garmentPhoto, type GarmentName } from "../../fixtures/garments";
import { PERSON_ANCHORS, PERSON_HEIGHT, PERSON_WIDTH, personPhoto } from "../../fixtures/model-photos";
import { OUTPUT } from "../../support/paths";

const OUT = path.join(OUTPUT, "on-model");
const cutouts = new Map<GarmentName, RasterImage>();

async function cutout(name: GarmentName): Promise<RasterImage> {
  const cached = cutouts.get(name);
  if (cached) return cached;
  const { data, info } = await sharp(await garmentPhoto(name)).raw().toBuffer({ resolveWithObject: true });
  const { alpha } = await segmentProduct({ data, width: info.width, height: info.height, channels: 3 });
  const rgba = Buffer.alloc(info.width * info.height * 4);
  for (let i = 0; i < info.width * info.height; i++) {
    rgba.set(data.subarray(i * 3, i * 3 + 3), i * 4);
    rgba[i * 4 + 3] = alpha[i];
  }
  const image: RasterImage = { data: rgba, width: info.width, height: info.height, channels: 4 };
  cutouts.set(name, image);
  return image;
}

function lines(anchors: Anchors) {
  const xs = [anchors.left_shoulder.x, anchors.right_shoulder.x];
  return {
    shoulderY: (anchors.left_shoulder.y + anchors.right_shoulder.y) / 2,
    hipY: (anchors.left_hip.y + anchors.right_hip.y) / 2,
    shoulderLeft: Math.min(...xs),
    shoulderRight: Math.max(...xs),
  };
}

beforeAll(() => {
  mkdirSync(OUT, { recursive: true });
});

describe("garmentFrame", () => {
  it("finds a tee's body (sleeves excluded), its centre line and its shoulder seams", async () => {
    const tee = await cutout("tee-navy");
    const alpha = new Uint8Array(tee.width * tee.height);
    for (let i = 0; i < alpha.length; i++) alpha[i] = tee.data[i * 4 + 3];
    const frame = garmentFrame(alpha, tee.width, tee.height);
    // Drawn: body 428..972 wide at the hem, 442..958 under the sleeves; collar top at y 232; shoulder points at y ~284.
    expect(frame.centerX).toBeGreaterThan(690);
    expect(frame.centerX).toBeLessThan(710);
    expect(frame.bodyWidth).toBeGreaterThan(490);
    expect(frame.bodyWidth).toBeLessThan(560);
    expect(frame.upperY).toBeGreaterThan(240);
    expect(frame.upperY).toBeLessThan(320);
    expect(frame.sleeves[0]).not.toBeNull();
    expect(frame.sleeves[1]).not.toBeNull();
  });

  it("is not fooled by long sleeves lying against the body", async () => {
    const knit = await cutout("knit-green");
    const alpha = new Uint8Array(knit.width * knit.height);
    for (let i = 0; i < alpha.length; i++) alpha[i] = knit.data[i * 4 + 3];
    const frame = garmentFrame(alpha, knit.width, knit.height);
    // Drawn: body 428..972 at the hem; the sleeves reach x 270 and 1130.
    expect(frame.bodyWidth).toBeGreaterThan(500);
    expect(frame.bodyWidth).toBeLessThan(600);
    // Hanging already: both sleeves steeper than 60°.
    for (const angle of frame.sleeves) expect(angle ?? Math.PI / 2).toBeGreaterThan(Math.PI / 3);
  });
});

describe("local on-model renderer", () => {
  for (const slug of MANNEQUIN_SLUGS) {
    for (const garment of GARMENTS) {
      it(`dresses the ${slug} in ${garment}`, async () => {
        const result = await renderOnMannequin(await cutout(garment), slug);
        const form = await mannequin(slug, result.zoom);
        await sharp(result.png).toFile(path.join(OUT, `${garment}__${slug}.png`));

        const meta = await sharp(result.png).metadata();
        expect(meta).toMatchObject({ format: "png", width: form.width, height: form.height });
        const { shoulderY, hipY, shoulderLeft, shoulderRight } = lines(form.anchors);
        const { box, centroid } = result.garment;
        // Centred on the body, covering the shoulders, hanging from above them down past the chest.
        expect(centroid.x).toBeGreaterThan(shoulderLeft);
        expect(centroid.x).toBeLessThan(shoulderRight);
        expect(box.left).toBeLessThan(shoulderLeft);
        expect(box.right).toBeGreaterThan(shoulderRight);
        expect(box.top).toBeLessThan(shoulderY);
        expect(box.top).toBeGreaterThan(shoulderY - 0.35 * (hipY - shoulderY));
        if (garment === "dress-red") {
          expect(box.bottom).toBeGreaterThan(hipY);
          // Zoomed out so the whole dress stays in the frame.
          expect(box.bottom).toBeLessThan(form.height);
        } else {
          expect(centroid.y).toBeGreaterThan(shoulderY);
          expect(centroid.y).toBeLessThan(hipY);
          expect(box.bottom).toBeGreaterThan(shoulderY + 0.6 * (hipY - shoulderY));
        }

        // The rest of the picture is the model, untouched.
        const out = await sharp(result.png).raw().toBuffer();
        const model = await sharp(form.png).raw().toBuffer();
        for (const [x, y] of [[10, 10], [form.width - 10, 40], [30, form.height - 30]]) {
          const i = (y * form.width + x) * 3;
          expect([...out.subarray(i, i + 3)]).toEqual([...model.subarray(i, i + 3)]);
        }
      });
    }
  }

  it("dresses a model photo between its anchors, lit by the photo", async () => {
    const photo = await personPhoto();
    for (const garment of ["tee-striped", "knit-green"] as const) {
      const result = await renderOnPhoto(await cutout(garment), photo, PERSON_ANCHORS);
      await sharp(result.png).toFile(path.join(OUT, `${garment}__person.png`));
      expect([result.width, result.height]).toEqual([PERSON_WIDTH, PERSON_HEIGHT]);
      const { shoulderY, hipY, shoulderLeft, shoulderRight } = lines(PERSON_ANCHORS);
      const { box, centroid } = result.garment;
      expect(centroid.x).toBeGreaterThan(shoulderLeft);
      expect(centroid.x).toBeLessThan(shoulderRight);
      expect(centroid.y).toBeGreaterThan(shoulderY);
      expect(centroid.y).toBeLessThan(hipY);
      expect(box.left).toBeLessThan(shoulderLeft);
      expect(box.right).toBeGreaterThan(shoulderRight);
    }
  });

  it("takes the model's light: the garment is darker where the form turns away", async () => {
    const result = await renderOnMannequin(await cutout("tee-striped"), "mannequin-neutral");
    const form = await mannequin("mannequin-neutral", result.zoom);
    const { data } = await sharp(result.png).greyscale().raw().toBuffer({ resolveWithObject: true });
    const { shoulderY, hipY, shoulderLeft, shoulderRight } = lines(form.anchors);
    // Mean over a band of rows (stripes average out) near the centre and near the side of the body.
    const band = (x0: number, x1: number) => {
      let sum = 0;
      let count = 0;
      for (let y = Math.round(shoulderY + 0.3 * (hipY - shoulderY)); y < shoulderY + 0.8 * (hipY - shoulderY); y++) {
        for (let x = Math.round(x0); x < x1; x++) {
          sum += data[y * form.width + x];
          count++;
        }
      }
      return sum / count;
    };
    const width = shoulderRight - shoulderLeft;
    const centre = band(shoulderLeft + 0.4 * width, shoulderLeft + 0.5 * width);
    const side = band(shoulderRight - 0.05 * width, shoulderRight);
    expect(side).toBeLessThan(centre * 0.9);
  });
});
