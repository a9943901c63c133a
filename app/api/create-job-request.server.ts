// Parses POST /v1/jobs (multipart upload, or JSON with an allowlisted source_url) into a
// validated CreateJobInput. Every refusal happens here, before anything is stored.
import { badRequest, IssueList, payloadTooLarge, unsupportedMediaType, type ValidationIssue } from "./errors.server";
import { JOB_KINDS, PRODUCT_GID } from "~/jobs/job-kinds";
import { inspectSourceImage, MAX_SOURCE_BYTES, MAX_SOURCE_SIZE } from "~/jobs/source-image.server";
import { isAllowedSourceUrl } from "~/jobs/source-url";
import { pipelineFor } from "~/pipelines/index.server";
import { validateJobOptions } from "~/jobs/job-options.server";
import type { CreateJobInput, JobSource } from "~/jobs/create-job.server";
import { enumParam, patternParam } from "./params.server";

/** Multipart framing around a 20 MB image. */
export const MAX_CREATE_BODY_BYTES = MAX_SOURCE_BYTES + 1024 * 1024;

type Fields = {
  kind: unknown;
  productId: unknown;
  options: unknown;
  image?: File | null;
  sourceUrl?: unknown;
  hasImageField: boolean;
};

const missing = (name: string): ValidationIssue => ({ loc: ["body", name], msg: "Field required", type: "missing" });

async function readFields(request: Request, body: Buffer): Promise<Fields> {
  const header = request.headers.get("content-type") ?? "";
  const type = header.toLowerCase();
  if (type.startsWith("multipart/form-data")) {
    // A body without a single delimiter line is not multipart at all (the parser would
    // quietly return an empty form and the client would get a misleading 422).
    const boundary = /boundary="?([^";]+)"?/i.exec(header)?.[1];
    if (!boundary || !body.includes(`--${boundary}`)) throw badRequest("The multipart body could not be parsed");
    let form: FormData;
    try {
      form = await new Request("http://local/", { method: "POST", headers: { "content-type": header }, body: new Uint8Array(body) }).formData();
    } catch {
      throw badRequest("The multipart body could not be parsed");
    }
    const image = form.get("image");
    return {
      kind: form.get("kind"),
      productId: form.get("product_id"),
      options: form.get("options"),
      image: image instanceof File ? image : null,
      sourceUrl: form.get("source_url"),
      hasImageField: image !== null,
    };
  }
  if (type.startsWith("application/json")) {
    let json: unknown;
    try {
      json = JSON.parse(body.toString("utf8"));
    } catch {
      throw badRequest("The JSON body could not be parsed");
    }
    if (typeof json !== "object" || json === null || Array.isArray(json)) {
      throw badRequest("The JSON body must be an object");
    }
    const o = json as Record<string, unknown>;
    return { kind: o.kind, productId: o.product_id, options: o.options, sourceUrl: o.source_url, hasImageField: false };
  }
  throw unsupportedMediaType("Send multipart/form-data (with an image) or application/json (with a source_url)");
}

function parseOptions(raw: unknown, issues: IssueList): Record<string, unknown> | undefined {
  if (raw === null || raw === undefined || raw === "") return {};
  let value = raw;
  if (typeof raw === "string") {
    try {
      value = JSON.parse(raw);
    } catch {
      issues.add({ loc: ["body", "options"], msg: "Invalid JSON: options must be a JSON object", type: "json_invalid" });
      return undefined;
    }
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    issues.add({ loc: ["body", "options"], msg: "Input should be a valid dictionary", type: "dict_type" });
    return undefined;
  }
  return value as Record<string, unknown>;
}

function stringField(raw: unknown, name: string, issues: IssueList): string | null | undefined {
  if (raw === null || raw === undefined) return null;
  if (typeof raw !== "string") {
    issues.add({ loc: ["body", name], msg: "Input should be a valid string", type: "string_type" });
    return undefined;
  }
  return raw;
}

export async function parseCreateJobRequest(
  request: Request,
  body: Buffer,
  shop: string,
): Promise<CreateJobInput> {
  const fields = await readFields(request, body);
  const issues = new IssueList();

  const kindRaw = stringField(fields.kind, "kind", issues);
  if (kindRaw === null) issues.add(missing("kind"));
  // ("" is a value, and not one of the kinds: an enum error, not a missing field)
  const kind = typeof kindRaw === "string" ? enumParam(kindRaw, "body", "kind", JOB_KINDS, issues) : undefined;
  const pipeline = kind ? pipelineFor(kind) : undefined;
  if (kind && !pipeline) {
    issues.add({ loc: ["body", "kind"], msg: `Jobs of kind '${kind}' are not available on this server yet`, type: "value_error" });
  }

  const productRaw = stringField(fields.productId, "product_id", issues);
  const productId = productRaw ? patternParam(productRaw, "body", "product_id", PRODUCT_GID, issues) : null;

  let options: Record<string, unknown> | undefined;
  const rawOptions = parseOptions(fields.options, issues);
  if (rawOptions && pipeline) {
    const checked = await validateJobOptions(pipeline, shop, rawOptions);
    options = checked.options;
    for (const issue of checked.issues) issues.add({ loc: ["body", "options", ...issue.path], msg: issue.msg, type: issue.type });
  }

  const keyHeader = request.headers.get("idempotency-key");
  if (keyHeader !== null && !/^[\x21-\x7e]{1,255}$/.test(keyHeader)) {
    issues.add({
      loc: ["header", "idempotency-key"],
      msg: "Idempotency-Key must be 1-255 visible ASCII characters",
      type: "string_pattern_mismatch",
    });
  }

  let source: JobSource | undefined;
  const sourceUrl = stringField(fields.sourceUrl, "source_url", issues);
  if (fields.hasImageField && !fields.image) {
    issues.add({ loc: ["body", "image"], msg: "Expected an uploaded file", type: "value_error" });
  } else if (!fields.image && !sourceUrl) {
    issues.add(missing(fields.hasImageField || request.headers.get("content-type")?.startsWith("multipart") ? "image" : "source_url"));
  } else if (!fields.image && sourceUrl) {
    if (!isAllowedSourceUrl(sourceUrl)) {
      issues.add({ loc: ["body", "source_url"], msg: "Only https://cdn.shopify.com/ URLs are accepted", type: "value_error" });
    } else source = { type: "url", url: sourceUrl };
  }
  issues.throwIfAny();

  if (fields.image) {
    if (fields.image.size > MAX_SOURCE_BYTES) throw payloadTooLarge(`Image is larger than ${MAX_SOURCE_SIZE}`);
    const bytes = Buffer.from(await fields.image.arrayBuffer());
    const info = await inspectSourceImage(bytes, ["body", "image"]);
    source = { type: "upload", bytes, info, filename: fields.image.name || null };
  }

  return {
    shop,
    kind: kind!,
    options: options!,
    productId: productId ?? null,
    source: source!,
    idempotencyKey: keyHeader,
  };
}

