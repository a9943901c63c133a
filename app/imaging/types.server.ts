/** Raw, 8-bit, sRGB pixels, interleaved, row-major, no padding. */
export interface RasterImage {
  data: Buffer;
  width: number;
  height: number;
  channels: 3 | 4;
}

export type SourceFormat = "jpeg" | "png" | "webp";

export interface NormalizedSource {
  image: RasterImage;
  width: number;
  height: number;
  format: SourceFormat;
  /** Lossless sRGB PNG of the oriented source (intermediate artifact). */
  png: Buffer;
}

export interface SegmentResult {
  /** 1 byte per pixel, width*height, 0..255 with soft edges. */
  alpha: Buffer;
  width: number;
  height: number;
  /** Fraction of pixels with alpha >= 128. */
  coverage: number;
  /** Estimated mean background colour (sRGB 0..255). */
  background: { r: number; g: number; b: number };
}

export interface ComposeOptions {
  /** Canvas side in pixels (default 2048). */
  size: number;
  /** Subject's longer side / canvas side (default 0.85). */
  fill: number;
  /** "#rrggbb" canvas colour (default "#ffffff"). */
  background: string;
  /** Soft contact shadow under the subject (default true). */
  shadow: boolean;
}

export interface ComposeResult {
  png: Buffer;
  width: number;
  height: number;
  subjectBox: { left: number; top: number; width: number; height: number };
}

export interface ExportedImage {
  format: "jpeg" | "webp";
  contentType: string;
  body: Buffer;
  width: number;
  height: number;
  bytes: number;
}
