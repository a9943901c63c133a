// The admin's new-job form: which kinds it offers (with their options and defaults, read from
// each pipeline's schema) and the parsing of a submission into CreateJobInputs: one job per
// product (its featured image, by Shopify CDN URL) and per uploaded image. Everything is
// checked before anything is created; problems come back per field, never as a 500.
import { z } from "zod";
import { ApiError } from "~/api/errors.server";
import { readBody } from "~/api/read-body.server";
import type { CreateJobInput, JobSource } from "~/jobs/create-job.server";
import { JOB_KINDS, PRODUCT_GID } from "~/jobs/job-kinds";
import { validateJobOptions } from "~/jobs/job-options.server";
import { fetchFeaturedImages, type AdminGraphql } from "~/jobs/product-images.server";
import { inspectSourceImage, MAX_SOURCE_BYTES, MAX_SOURCE_SIZE } from "~/jobs/source-image.server";
import { pipelineFor } from "~/pipelines/index.server";
import { UNIT_PRICE_USD } from "~/pipelines/pipeline";
import { kindLabel } from "~/components/job-format";
import { MAX_PRODUCTS, MAX_UPLOADS, type NewJobsErrors, type OptionField } from "./new-jobs.shared";

export type { NewJobsErrors };

const MAX_BODY_BYTES = MAX_UPLOADS * MAX_SOURCE_BYTES + 1024 * 1024;


export interface KindChoice {
  kind: string;
  label: string;
  available: boolean;
  /** Options with their defaults, as the kind's schema fills them. */
  defaults: Record<string, unknown>;
  fields: OptionField[];
  /** The fixed part of the price of one job, in USD (providers may add to it). */
  baseCost: number;
}

const KIND_DESCRIPTIONS: Record<string, string> = {
  catalog_image: "Cut out the product and place it on a clean studio background.",
  on_model_render: "Show the product worn by a model.",
};
export const kindDescription = (kind: string) => KIND_DESCRIPTIONS[kind] ?? "";

type JsonSchemaProperty = { type?: string; enum?: unknown[]; default?: unknown; minimum?: number; maximum?: number; description?: string };

function optionFields(schema: z.ZodType): OptionField[] {
  let json: { properties?: Record<string, JsonSchemaProperty>; required?: string[] };
  try {
    json = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as typeof json;
  } catch {
    return [];
  }
  return Object.entries(json.properties ?? {}).flatMap(([name, property]): OptionField[] => {
    const type = property.enum ? "string" : property.type;
    if (type !== "string" && type !== "number" && type !== "integer" && type !== "boolean") return [];
    return [
      {
        name,
        type,
        enum: property.enum?.map(String),
        default: property.default,
        minimum: property.minimum,
        maximum: property.maximum,
        description: property.description,
        required: (json.required ?? []).includes(name) && property.default === undefined,
      },
    ];
  });
}

export function kindChoices(): KindChoice[] {
  return JOB_KINDS.map((kind) => {
    const pipeline = pipelineFor(kind);
    if (!pipeline) return { kind, label: kindLabel(kind), available: false, defaults: {}, fields: [], baseCost: 0 };
    const parsed = pipeline.options.safeParse({});
    const fields = optionFields(pipeline.options);
    const defaults = parsed.success
      ? parsed.data
      : Object.fromEntries(fields.filter((field) => field.default !== undefined).map((field) => [field.name, field.default]));
    const units = pipeline.stages.reduce((sum, stage) => sum + stage.units, 0);
    return { kind, label: kindLabel(kind), available: true, defaults, fields, baseCost: Math.round(units * UNIT_PRICE_USD * 10_000) / 10_000 };
  });
}

export type NewJobsResult = { ok: true; inputs: CreateJobInput[] } | { ok: false; errors: NewJobsErrors };

// (keyed by what the form sent: on a plain object a product id "__proto__" would set the
// prototype, and its error would vanish with the job it did not create)
const emptyErrors = (): NewJobsErrors => ({ form: [], options: Object.create(null), images: {}, products: Object.create(null) });

function hasErrors(errors: NewJobsErrors): boolean {
  return Boolean(
    errors.form.length || errors.kind || errors.sources || Object.keys(errors.options).length || Object.keys(errors.images).length || Object.keys(errors.products).length,
  );
}

function apiErrorMessage(error: ApiError): string {
  if (typeof error.detail === "string") return error.detail;
  const first = Array.isArray(error.detail) ? (error.detail[0] as { msg?: string } | undefined) : undefined;
  return first?.msg ?? "This image can't be used.";
}

export interface ParseNewJobsArgs {
  request: Request;
  shop: string;
  graphql: AdminGraphql;
  /** In the local preview there is no store to fetch products from. */
  productsUnavailable?: string;
}

export async function parseNewJobs({ request, shop, graphql, productsUnavailable }: ParseNewJobsArgs): Promise<NewJobsResult> {
  const errors = emptyErrors();
  let form: FormData;
  try {
    const body = await readBody(request, MAX_BODY_BYTES);
    form = await new Request("http://local/", { method: "POST", headers: { "content-type": request.headers.get("content-type") ?? "" }, body: new Uint8Array(body) }).formData();
  } catch (error) {
    if (error instanceof ApiError && error.status === 413) {
      errors.sources = `Upload at most ${MAX_UPLOADS} images of up to ${MAX_SOURCE_SIZE} each at a time.`;
    } else {
      errors.form.push("The form couldn't be read. Reload the page and try again.");
    }
    return { ok: false, errors };
  }

  // Kind and options, validated exactly as /v1 does.
  const kind = String(form.get("kind") ?? "");
  const pipeline = (JOB_KINDS as readonly string[]).includes(kind) ? pipelineFor(kind) : undefined;
  let options: Record<string, unknown> | undefined;
  if (!pipeline) {
    errors.kind = (JOB_KINDS as readonly string[]).includes(kind) ? `${kindLabel(kind)} jobs aren't available yet.` : "Choose a job type.";
  } else {
    let raw: unknown;
    try {
      raw = JSON.parse(String(form.get("options") ?? "{}"));
    } catch {
      raw = null;
    }
    if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
      errors.options[""] = "The options couldn't be read. Reload the page and try again.";
    } else {
      const checked = await validateJobOptions(pipeline, shop, raw as Record<string, unknown>);
      options = checked.options;
      for (const issue of checked.issues) errors.options[issue.path.map(String).join(".")] ??= issue.msg;
    }
  }

  // Sources: uploaded images, then products.
  const sources: { source: JobSource; productId: string | null }[] = [];
  const files = form.getAll("image").filter((value): value is File => value instanceof File && (value.size > 0 || value.name !== ""));
  if (files.length > MAX_UPLOADS) errors.sources = `Upload at most ${MAX_UPLOADS} images at a time.`;
  for (const [index, file] of files.slice(0, MAX_UPLOADS).entries()) {
    if (file.size > MAX_SOURCE_BYTES) {
      errors.images[index] = `This image is larger than ${MAX_SOURCE_SIZE}.`;
      continue;
    }
    const bytes = Buffer.from(await file.arrayBuffer());
    try {
      const info = await inspectSourceImage(bytes, ["body", "image"]);
      sources.push({ source: { type: "upload", bytes, info, filename: file.name || null }, productId: null });
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      errors.images[index] = apiErrorMessage(error);
    }
  }

  const products: { id: string; title: string }[] = [];
  for (const entry of form.getAll("product")) {
    try {
      const value = JSON.parse(String(entry)) as { id?: unknown; title?: unknown };
      if (typeof value.id === "string") products.push({ id: value.id, title: typeof value.title === "string" ? value.title : "This product" });
    } catch {
      /* not a product entry */
    }
  }
  if (products.length > MAX_PRODUCTS) errors.sources = `Choose at most ${MAX_PRODUCTS} products at a time.`;
  const chosen = products.slice(0, MAX_PRODUCTS).filter((product) => {
    if (PRODUCT_GID.test(product.id)) return true;
    errors.products[product.id] = "This isn't a Shopify product.";
    return false;
  });
  if (chosen.length && productsUnavailable) {
    for (const product of chosen) errors.products[product.id] = `“${product.title}”: ${productsUnavailable}`;
  } else if (chosen.length) {
    const images = await fetchFeaturedImages(graphql, chosen.map((product) => product.id));
    for (const product of chosen) {
      const image = images.get(product.id);
      if (image?.ok) sources.push({ source: { type: "url", url: image.url, name: image.title }, productId: product.id });
      else errors.products[product.id] = image?.message ?? "Shopify didn't return this product.";
    }
  }

  if (files.length === 0 && products.length === 0) errors.sources = "Choose products or upload images to create jobs from.";
  if (hasErrors(errors) || !pipeline || !options) return { ok: false, errors };

  const submission = String(form.get("submission") ?? "");
  const keyBase = /^[\w-]{8,64}$/.test(submission) ? `admin-new-${submission}` : null;
  return {
    ok: true,
    inputs: sources.map(({ source, productId }, index) => ({
      shop,
      kind,
      options: options!,
      productId,
      source,
      idempotencyKey: keyBase ? `${keyBase}-${index}` : null,
    })),
  };
}
