import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { composeOnCanvas, exportFinals, type RasterImage } from "~/imaging/index.server";

/**
 * A 900x600 photo: light grey backdrop with a pure red ellipse (the subject) off-centre,
 * 300 px wide and 200 px tall, with a 1-px anti-aliased alpha edge.
 */
function redEllipsePhoto(): { image: RasterImage; alpha: Buffer; box: { w: number; h: number } } {
  const W = 900;
  const H = 600;
  const cx = 250;
  const cy = 380;
  const rx = 150;
  const ry = 100;
  const data = Buffer.alloc(W * H * 3);
  const alpha = Buffer.alloc(W * H);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      const i = y * W + x;
      const d = (Math.hypot((x + 0.5 - cx) / rx, (y + 0.5 - cy) / ry) - 1) * Math.min(rx, ry);
      const a = Math.max(0, Math.min(1, 0.5 - d));
      alpha[i] = Math.round(a * 255);
      data[i * 3] = Math.round(255 * a + 215 * (1 - a));
      data[i * 3 + 1] = Math.round(215 * (1 - a));
      data[i * 3 + 2] = Math.round(215 * (1 - a));
    }
  return { image: { data, width: W, height: H, channels: 3 }, alpha, box: { w: 2 * rx, h: 2 * ry } };
}

/** Bounding box of "red" pixels (the subject) in an RGB raw canvas. */
function redBox(data: Buffer, size: number) {
  let x0 = size;
  let y0 = size;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++) {
      const o = (y * size + x) * 3;
      if (data[o]! > 200 && data[o + 1]! < 90 && data[o + 2]! < 90) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
  return { left: x0, top: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 };
}

describe("composeOnCanvas", () => {
  for (const [size, fill, background, shadow] of [
    [2048, 0.85, "#ffffff", true],
    [1024, 0.6, "#f2e8dc", false],
    [1500, 0.95, "#101820", true],
  ] as const) {
    it(`${size}px, fill ${fill}, ${background}, shadow ${shadow}`, async () => {
      const { image, alpha } = redEllipsePhoto();
      const result = await composeOnCanvas(image, alpha, { size, fill, background, shadow });
      expect(result.width).toBe(size);
      expect(result.height).toBe(size);

      const { data, info } = await sharp(result.png).raw().toBuffer({ resolveWithObject: true });
      expect((await sharp(result.png).metadata()).format).toBe("png");
      expect(info.width).toBe(size);
      expect(info.height).toBe(size);
      expect(info.channels).toBe(3);

      // subject's longer side = fill * size (within 2%), centred (within 1% of the side)
      const box = redBox(data, size);
      const longer = Math.max(box.width, box.height);
      expect(Math.abs(longer - fill * size) / (fill * size)).toBeLessThanOrEqual(0.02);
      expect(box.width / box.height).toBeCloseTo(1.5, 1);
      const centreX = box.left + box.width / 2;
      const centreY = box.top + box.height / 2;
      expect(Math.abs(centreX - size / 2)).toBeLessThanOrEqual(0.01 * size);
      expect(Math.abs(centreY - size / 2)).toBeLessThanOrEqual(0.01 * size);
      // the reported subject box agrees with the pixels (up to the upscaled soft edge)
      const tol = Math.max(3, 0.005 * size);
      expect(Math.abs(result.subjectBox.width - box.width)).toBeLessThanOrEqual(tol);
      expect(Math.abs(result.subjectBox.height - box.height)).toBeLessThanOrEqual(tol);
      expect(Math.abs(result.subjectBox.left - box.left)).toBeLessThanOrEqual(tol);
      expect(Math.abs(result.subjectBox.top - box.top)).toBeLessThanOrEqual(tol);

      // background pixels have exactly the requested colour (corners and sides, away from the shadow)
      const bg = [1, 3, 5].map((k) => parseInt(background.slice(k, k + 2), 16));
      for (const [x, y] of [
        [0, 0],
        [size - 1, 0],
        [5, Math.floor(size / 2)],
        [size - 6, Math.floor(size / 3)],
        [Math.floor(size / 2), 3],
      ] as const) {
        const o = (y * size + x) * 3;
        expect([data[o], data[o + 1], data[o + 2]]).toEqual(bg);
      }

      // shadow: just below the subject the canvas is darker than the background iff requested
      const belowY = Math.min(size - 1, box.top + box.height + Math.round(0.004 * size) + 1);
      const o = (belowY * size + Math.round(centreX)) * 3;
      const below = data[o]! + data[o + 1]! + data[o + 2]!;
      const bgSum = bg[0]! + bg[1]! + bg[2]!;
      if (shadow) expect(below).toBeLessThan(bgSum - 6);
      else expect(below).toBe(bgSum);
    });
  }

  it("uses the defaults (2048, 0.85, white, shadow) when options are omitted", async () => {
    const { image, alpha } = redEllipsePhoto();
    const result = await composeOnCanvas(image, alpha, {});
    expect(result.width).toBe(2048);
    const { data } = await sharp(result.png).raw().toBuffer({ resolveWithObject: true });
    expect([data[0], data[1], data[2]]).toEqual([255, 255, 255]);
    expect(Math.max(result.subjectBox.width, result.subjectBox.height)).toBeCloseTo(0.85 * 2048, -1);
  });

  it("rejects an empty mask and bad options", async () => {
    const { image, alpha } = redEllipsePhoto();
    await expect(composeOnCanvas(image, Buffer.alloc(alpha.length), {})).rejects.toMatchObject({ name: "NoSubjectError" });
    await expect(composeOnCanvas(image, alpha, { background: "red" })).rejects.toMatchObject({ name: "ImagingArgumentError" });
    await expect(composeOnCanvas(image, alpha, { fill: 1.5 })).rejects.toMatchObject({ name: "ImagingArgumentError" });
    await expect(composeOnCanvas(image, alpha.subarray(1), {})).rejects.toMatchObject({ name: "ImagingArgumentError" });
  });
});

describe("exportFinals", () => {
  it("exports 2048x2048 progressive JPEG and WebP with an sRGB profile and correct byte counts", async () => {
    const { image, alpha } = redEllipsePhoto();
    const composite = await composeOnCanvas(image, alpha, { size: 2048, fill: 0.85, background: "#ffffff", shadow: true });
    const finals = await exportFinals(composite.png);
    expect(finals.map((f) => f.format)).toEqual(["jpeg", "webp"]);
    for (const f of finals) {
      expect(f.width).toBe(2048);
      expect(f.height).toBe(2048);
      expect(f.bytes).toBe(f.body.length);
      expect(f.bytes).toBeGreaterThan(1000);
      expect(f.contentType).toBe(f.format === "jpeg" ? "image/jpeg" : "image/webp");
      const meta = await sharp(f.body).metadata();
      expect(meta.format).toBe(f.format);
      expect(meta.width).toBe(2048);
      expect(meta.height).toBe(2048);
      expect(meta.space).toBe("srgb");
      expect(meta.icc).toBeDefined(); // sRGB profile embedded
      expect(meta.exif).toBeUndefined(); // other metadata stripped
      if (f.format === "jpeg") expect(meta.isProgressive).toBe(true);
      // colours survive: the canvas corner is white, the subject centre is red
      const { data, info } = await sharp(f.body).raw().toBuffer({ resolveWithObject: true });
      const corner = [data[0]!, data[1]!, data[2]!];
      expect(Math.min(...corner)).toBeGreaterThanOrEqual(250);
      const c = (1024 * info.width + 1024) * info.channels;
      expect(data[c]!).toBeGreaterThan(220);
      expect(data[c + 1]!).toBeLessThan(40);
    }
  });

  it("keeps the composite's size when it is not 2048", async () => {
    const { image, alpha } = redEllipsePhoto();
    const composite = await composeOnCanvas(image, alpha, { size: 800 });
    const finals = await exportFinals(composite.png);
    for (const f of finals) {
      expect([f.width, f.height]).toEqual([800, 800]);
      const meta = await sharp(f.body).metadata();
      expect([meta.width, meta.height]).toEqual([800, 800]);
    }
  });
});
