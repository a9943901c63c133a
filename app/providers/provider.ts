// One interface for every on-model renderer. A provider gets the garment and the model,
// talks to its backend through the stage's context (progress, internal notes, cancel,
// abort signal) and returns the rendered image; the pipeline stores it.
import type { StageContext } from "~/pipelines/pipeline";
import type { RasterImage } from "~/imaging/types.server";
import type { GarmentCategory } from "~/imaging/on-model/types";
import type { StudioModelRecord } from "~/models/model-library.server";

export const PROVIDER_NAMES = ["local", "fashn"] as const;
export type ProviderName = (typeof PROVIDER_NAMES)[number];

export interface RenderRequest {
  /** The garment cut out of the product photo (RGBA, alpha = mask). */
  cutout(): Promise<RasterImage>;
  /** The product photo as fetched (oriented sRGB PNG). */
  productPhoto(): Promise<Buffer>;
  model: StudioModelRecord;
  category: GarmentCategory;
}

export type RenderContext = Pick<StageContext, "signal" | "note" | "progress" | "cancelRequested" | "interruptedNotes">;

export interface RenderOutput {
  /** The rendered image (PNG, JPEG or WebP), already in Studio's hands. */
  body: Buffer;
  contentType: string;
  width: number;
  height: number;
  /** The stage's public line. */
  message: string;
  /** Artifact meta (always with `renderer`). */
  meta: Record<string, unknown> & { renderer: string };
  /** Cost units beyond the stage's fixed cost (e.g. provider credits). */
  extraUnits?: number;
}

export interface RenderProvider {
  name: ProviderName;
  /** Why it cannot run here (e.g. no API key), or null when it can. */
  unavailableReason(): string | null;
  render(request: RenderRequest, ctx: RenderContext): Promise<RenderOutput>;
}
