// catalog_image: fetch_source → segment → compose → export (contract § Timeline semantics).
import sharp from "sharp";
import { z } from "zod";
import { composeOnCanvas, exportFinals, makeCutoutPng, segmentProductInThread, type ExportedImage } from "~/imaging/index.server";
import { fetchSourceStage, sourceRaster } from "./fetch-source.server";
import { StageError } from "./stage-error";
import type { PipelineDefinition, StageContext, StageDefinition } from "./pipeline";

export const catalogImageOptions = z
  .object({
    background: z
      .string()
      .regex(/^#[0-9a-fA-F]{6}$/, "Use a hex colour like #ffffff")
      .default("#ffffff")
      .describe("Canvas colour behind the product."),
    fill: z
      .number()
      .min(0.3)
      .max(1)
      .default(0.85)
      .describe("Share of the canvas side taken by the product's longer side (0.85 leaves a 7.5% margin each side)."),
    shadow: z.boolean().default(true).describe("Draw a soft contact shadow under the product."),
    size: z.number().int().min(256).max(4096).default(2048).describe("Side of the square output, in pixels."),
  })
  .strict();

async function subjectAlpha(ctx: StageContext): Promise<Buffer> {
  const cached = ctx.memo.get("alpha") as Buffer | undefined;
  if (cached) return cached;
  // After a restart: the mask is the cutout artifact's alpha channel.
  const alpha = await sharp(await ctx.artifact("cutout")).extractChannel(3).raw().toBuffer();
  ctx.memo.set("alpha", alpha);
  return alpha;
}

export const segmentStage: StageDefinition = {
  name: "segment",
  startMessage: "Separating the product from its background",
  units: 4,
  async run(ctx) {
    const image = await sourceRaster(ctx);
    let result;
    try {
      result = await segmentProductInThread(image, ctx.signal);
    } catch (error) {
      if (error instanceof Error && error.name === "NoSubjectError") throw new StageError("no_subject", error.message, false);
      throw error;
    }
    ctx.memo.set("alpha", result.alpha);
    const cutout = await makeCutoutPng(image, result.alpha);
    return {
      message: `Product cut out (${Math.round(result.coverage * 100)}% of the photo)`,
      artifacts: [
        {
          kind: "cutout",
          role: "intermediate",
          label: "Cutout",
          meta: { width: image.width, height: image.height, coverage: Number(result.coverage.toFixed(4)) },
          body: cutout,
          contentType: "image/png",
          name: "cutout.png",
        },
      ],
    };
  },
};

const composeStage: StageDefinition = {
  name: "compose",
  startMessage: "Placing the product on the studio background",
  units: 2,
  async run(ctx) {
    const options = catalogImageOptions.parse(ctx.job.options);
    const composite = await composeOnCanvas(await sourceRaster(ctx), await subjectAlpha(ctx), options);
    ctx.memo.set("composite", composite.png);
    return {
      message: `Composed on ${options.background} at ${composite.width}×${composite.height}`,
      artifacts: [
        {
          kind: "composite",
          role: "intermediate",
          label: "Composite",
          meta: { width: composite.width, height: composite.height, background: options.background, shadow: options.shadow },
          body: composite.png,
          contentType: "image/png",
          name: "composite.png",
        },
      ],
    };
  },
};

const exportStage: StageDefinition = {
  name: "export",
  startMessage: "Exporting store-ready images",
  units: 3,
  async run(ctx) {
    const composite = (ctx.memo.get("composite") as Buffer | undefined) ?? (await ctx.artifact("composite"));
    const finals = await exportFinals(composite);
    return {
      message: `Exported ${finals.map((f: ExportedImage) => `${f.format.toUpperCase()} ${f.width}×${f.height}`).join(" and ")}`,
      artifacts: finals.map((f: ExportedImage) => ({
        kind: "catalog_image",
        role: "final" as const,
        label: `${f.format.toUpperCase()} ${f.width}×${f.height}`,
        meta: { width: f.width, height: f.height, format: f.format, bytes: f.bytes },
        body: f.body,
        contentType: f.contentType,
        name: `catalog.${f.format === "jpeg" ? "jpg" : f.format}`,
      })),
    };
  },
};

export const catalogImagePipeline: PipelineDefinition = {
  kind: "catalog_image",
  options: catalogImageOptions,
  stages: [fetchSourceStage, segmentStage, composeStage, exportStage],
};
