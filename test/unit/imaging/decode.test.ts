import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { normalizeSource, UnsupportedImageError } from "~/imaging/index.server";

/** 40x20 image: left half red, right half blue. */
async function leftRedRightBlue(): Promise<Buffer> {
  const w = 40;
  const h = 20;
  const raw = Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const o = (y * w + x) * 3;
      if (x < w / 2) raw[o] = 230;
      else raw[o + 2] = 230;
    }
  return raw;
}

function pixel(data: Buffer, width: number, channels: number, x: number, y: number): number[] {
  const o = (y * width + x) * channels;
  return Array.from(data.subarray(o, o + channels));
}

describe("normalizeSource", () => {
  it("applies EXIF orientation 6 (90° clockwise): width and height are swapped", async () => {
    const raw = await leftRedRightBlue();
    const jpeg = await sharp(raw, { raw: { width: 40, height: 20, channels: 3 } })
      .jpeg({ quality: 95 })
      .withMetadata({ orientation: 6 })
      .toBuffer();
    expect((await sharp(jpeg).metadata()).orientation).toBe(6);

    const source = await normalizeSource(jpeg);
    expect(source.format).toBe("jpeg");
    expect(source.width).toBe(20);
    expect(source.height).toBe(40);
    expect(source.image.width).toBe(20);
    expect(source.image.height).toBe(40);
    expect(source.image.channels).toBe(3);
    expect(source.image.data.length).toBe(20 * 40 * 3);
    // rotating 90° clockwise moves the left (red) half to the top
    const top = pixel(source.image.data, 20, 3, 10, 5);
    const bottom = pixel(source.image.data, 20, 3, 10, 34);
    expect(top[0]).toBeGreaterThan(180);
    expect(top[2]).toBeLessThan(60);
    expect(bottom[2]).toBeGreaterThan(180);
    expect(bottom[0]).toBeLessThan(60);
    // the intermediate PNG is the oriented image, losslessly
    const png = await sharp(source.png).raw().toBuffer({ resolveWithObject: true });
    expect(png.info.width).toBe(20);
    expect(png.info.height).toBe(40);
    expect(png.data.equals(source.image.data)).toBe(true);
    expect((await sharp(source.png).metadata()).orientation).toBeUndefined();
  });

  it("converts a CMYK JPEG to 3-channel sRGB", async () => {
    const raw = await leftRedRightBlue();
    const cmyk = await sharp(raw, { raw: { width: 40, height: 20, channels: 3 } })
      .toColourspace("cmyk")
      .jpeg({ quality: 95 })
      .toBuffer();
    const meta = await sharp(cmyk).metadata();
    expect(meta.space).toBe("cmyk");
    expect(meta.channels).toBe(4);

    const source = await normalizeSource(cmyk);
    expect(source.image.channels).toBe(3);
    expect(source.image.data.length).toBe(40 * 20 * 3);
    const left = pixel(source.image.data, 40, 3, 5, 10);
    const right = pixel(source.image.data, 40, 3, 35, 10);
    expect(left[0]).toBeGreaterThan(left[2]! + 80); // still red
    expect(right[2]).toBeGreaterThan(right[0]! + 80); // still blue
    const pngMeta = await sharp(source.png).metadata();
    expect(pngMeta.channels).toBe(3);
    expect(pngMeta.space).toBe("srgb");
  });

  it("converts a greyscale PNG to 3-channel sRGB", async () => {
    const w = 16;
    const h = 8;
    const grey = Buffer.alloc(w * h);
    for (let i = 0; i < w * h; i++) grey[i] = (i * 13) % 256;
    const png = await sharp(grey, { raw: { width: w, height: h, channels: 1 } }).toColourspace("b-w").png().toBuffer();
    expect((await sharp(png).metadata()).channels).toBe(1);

    const source = await normalizeSource(png);
    expect(source.format).toBe("png");
    expect(source.image.channels).toBe(3);
    for (let i = 0; i < w * h; i++) {
      const [r, g, b] = pixel(source.image.data, w, 3, i % w, Math.floor(i / w));
      expect(r).toBe(grey[i]);
      expect(g).toBe(grey[i]);
      expect(b).toBe(grey[i]);
    }
  });

  it("reduces a 16-bit PNG to 8-bit sRGB", async () => {
    const raw = await leftRedRightBlue();
    const png16 = await sharp(raw, { raw: { width: 40, height: 20, channels: 3 } })
      .toColourspace("rgb16")
      .png()
      .toBuffer();
    expect((await sharp(png16).metadata()).depth).toBe("ushort");
    const source = await normalizeSource(png16);
    expect(source.image.channels).toBe(3);
    expect(source.image.data.length).toBe(40 * 20 * 3);
    expect(pixel(source.image.data, 40, 3, 5, 5)).toEqual([230, 0, 0]);
    expect(pixel(source.image.data, 40, 3, 35, 5)).toEqual([0, 0, 230]);
  });

  it("keeps an alpha channel (RGBA PNG and WebP)", async () => {
    const w = 10;
    const h = 10;
    const rgba = Buffer.alloc(w * h * 4);
    for (let i = 0; i < w * h; i++) {
      rgba[i * 4] = 200;
      rgba[i * 4 + 1] = 100;
      rgba[i * 4 + 2] = 50;
      rgba[i * 4 + 3] = i < 50 ? 0 : 255;
    }
    const png = await sharp(rgba, { raw: { width: w, height: h, channels: 4 } }).png().toBuffer();
    const fromPng = await normalizeSource(png);
    expect(fromPng.image.channels).toBe(4);
    expect(fromPng.image.data[3]).toBe(0);
    expect(fromPng.image.data[(w * h - 1) * 4 + 3]).toBe(255);

    const webp = await sharp(rgba, { raw: { width: w, height: h, channels: 4 } }).webp({ lossless: true }).toBuffer();
    const fromWebp = await normalizeSource(webp);
    expect(fromWebp.format).toBe("webp");
    expect(fromWebp.image.channels).toBe(4);
    expect(fromWebp.image.data[3]).toBe(0);
  });

  it("rejects unsupported or corrupt input with UnsupportedImageError", async () => {
    const gif = await sharp({ create: { width: 4, height: 4, channels: 3, background: "#ff0000" } }).gif().toBuffer();
    await expect(normalizeSource(gif)).rejects.toBeInstanceOf(UnsupportedImageError);
    await expect(normalizeSource(Buffer.from("definitely not an image"))).rejects.toMatchObject({
      name: "UnsupportedImageError",
    });
    await expect(normalizeSource(Buffer.alloc(0))).rejects.toBeInstanceOf(UnsupportedImageError);
  });
});
