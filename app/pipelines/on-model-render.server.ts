// on_model_render: fetch_source → segment → render → finish → export. The garment is cut out
// exactly as for catalog images; `render` dresses the chosen model through a provider (Studio's
// own compositor, or FASHN); `finish` brings it to the final size; `export` writes the finals.
import sharp from "sharp";
import { z } from "zod";
import { exportFinals, type ExportedImage, type RasterImage } from "~/imaging/index.server";
import { GARMENT_CATEGORIES } from "~/imaging/on-model/types";
import { DEFAULT_MODEL_ID, findModel, UNKNOWN_MODEL } from "~/models/model-library.server";
import { defaultProviderFor, PROVIDER_NAMES, providerFor } from "~/providers/index.server";
import { segmentStage } from "./catalog-image.server";
import { fetchSourceStage } from "./fetch-source.server";
import { StageError } from "./stage-error";
import type { OptionIssue, PipelineDefinition, StageContext, StageDefinition } from "./pipeline";

export const onModelRenderOptions = z
  .object({
    model: z
      .string()
      .min(1)
      .max(100)
      .optional()
      .describe(`A model id from GET /v1/models: a built-in dress form ("builtin:…") or one of the shop's own photos. Default: ${DEFAULT_MODEL_ID}.`),
    provider: z
      .enum(PROVIDER_NAMES)
      .optional()
      .describe('"local": Studio composites the garment onto the model itself (offline). "fashn": photoreal through FASHN (needs FASHN_API_KEY). Default: the shop\'s default.'),
    category: z
      .enum(GARMENT_CATEGORIES)
      .default("auto")
      .describe('The garment: "tops" and "one-pieces" hang from the shoulders, "bottoms" sit at the waist ("auto": like tops locally, FASHN decides).'),
    size: z.number().int().min(1024).max(4096).default(1536).describe("Shorter side of the final images, in pixels."),
  })
  .strict();

type Options = z.infer<typeof onModelRenderOptions> & { model: string; provider: (typeof PROVIDER_NAMES)[number] };

function jobOptions(ctx: StageContext): Options {
  const options = onModelRenderOptions.parse(ctx.job.options);
  return { ...options, model: options.model ?? DEFAULT_MODEL_ID, provider: options.provider ?? defaultProviderFor(ctx.job.shop) };
}

/** The garment as an RGBA raster: the segment stage's cutout (alpha = mask). */
async function cutoutRaster(ctx: StageContext): Promise<RasterImage> {
  const { data, info } = await sharp(await ctx.artifact("cutout")).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: 4 };
}

const renderStage: StageDefinition = {
  name: "render",
  startMessage: "Dressing the model",
  units: 6,
  async run(ctx) {
    const options = jobOptions(ctx);
    const model = await findModel(ctx.job.shop, options.model);
    if (!model) {
      throw new StageError("model_not_found", "The model chosen for this job no longer exists. Choose another model (GET /v1/models) and run the job again.", false);
    }
    const output = await providerFor(options.provider).render(
      { cutout: () => cutoutRaster(ctx), productPhoto: () => ctx.artifact("source"), model, category: options.category },
      ctx,
    );
    ctx.memo.set("render", output.body);
    const ext = output.contentType === "image/jpeg" ? "jpg" : output.contentType.split("/")[1];
    return {
      message: output.message,
      artifacts: [
        { kind: "render", role: "intermediate", label: "Render", meta: output.meta, body: output.body, contentType: output.contentType, name: `render.${ext}` },
      ],
      extraUnits: output.extraUnits,
    };
  },
};

const finishStage: StageDefinition = {
  name: "finish",
  startMessage: "Finishing the image",
  units: 2,
  async run(ctx) {
    const { size } = jobOptions(ctx);
    const render = (ctx.memo.get("render") as Buffer | undefined) ?? (await ctx.artifact("render"));
    const meta = await sharp(render).metadata();
    const scale = size / Math.min(meta.width ?? size, meta.height ?? size);
    const width = Math.round((meta.width ?? size) * scale);
    const height = Math.round((meta.height ?? size) * scale);
    let image = sharp(render).flatten({ background: "#ffffff" }).toColourspace("srgb");
    if (width !== meta.width || height !== meta.height) {
      image = image.resize(width, height, { fit: "fill", kernel: "lanczos3" });
      // An enlarged render gets its edges back.
      if (scale > 1.05) image = image.sharpen({ sigma: 0.6 });
    }
    const png = await image.png({ compressionLevel: 6 }).toBuffer();
    ctx.memo.set("finished", png);
    return {
      message: scale === 1 ? `Finished at ${width}×${height}` : `Finished at ${width}×${height} (${scale > 1 ? "enlarged" : "reduced"} from ${meta.width}×${meta.height})`,
      artifacts: [{ kind: "finished", role: "intermediate", label: "Finished", meta: { width, height }, body: png, contentType: "image/png", name: "finished.png" }],
    };
  },
};

const exportStage: StageDefinition = {
  name: "export",
  startMessage: "Exporting store-ready images",
  units: 3,
  async run(ctx) {
    const finished = (ctx.memo.get("finished") as Buffer | undefined) ?? (await ctx.artifact("finished"));
    const renderer = jobOptions(ctx).provider === "fashn" ? "fashn" : "local-composite";
    const finals = await exportFinals(finished);
    return {
      message: `Exported ${finals.map((f: ExportedImage) => `${f.format.toUpperCase()} ${f.width}×${f.height}`).join(" and ")}`,
      artifacts: finals.map((f: ExportedImage) => ({
        kind: "on_model_render",
        role: "final" as const,
        label: `${f.format.toUpperCase()} ${f.width}×${f.height}`,
        meta: { width: f.width, height: f.height, format: f.format, bytes: f.bytes, renderer },
        body: f.body,
        contentType: f.contentType,
        name: `on-model.${f.format === "jpeg" ? "jpg" : f.format}`,
      })),
    };
  },
};

export const onModelRenderPipeline: PipelineDefinition = {
  kind: "on_model_render",
  options: onModelRenderOptions,
  async validateForShop(shop, options) {
    const issues: OptionIssue[] = [];
    const model = typeof options.model === "string" ? options.model : DEFAULT_MODEL_ID;
    if (!(await findModel(shop, model))) {
      issues.push({ path: ["model"], msg: UNKNOWN_MODEL, type: "value_error" });
    }
    const provider = (options.provider as Options["provider"] | undefined) ?? defaultProviderFor(shop);
    const unavailable = providerFor(provider).unavailableReason();
    if (unavailable) issues.push({ path: ["provider"], msg: `${unavailable}; use "local"`, type: "value_error" });
    return { options: { ...options, model, provider }, issues };
  },
  stages: [fetchSourceStage, segmentStage, renderStage, finishStage, exportStage],
};
