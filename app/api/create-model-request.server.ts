// Parses POST /v1/models (multipart: `image`, `anchors` as a JSON object, optional `name`)
// into a validated NewModel. Every refusal happens here, before anything is stored; image
// rules are the same as for POST /v1/jobs (PNG/JPEG/WebP by content, 20 MB, 40 MP).
import { badRequest, IssueList, payloadTooLarge, unsupportedMediaType, type ValidationIssue } from "./errors.server";
import { inspectSourceImage, MAX_SOURCE_BYTES, MAX_SOURCE_SIZE } from "~/jobs/source-image.server";
import { checkAnchorsFit, parseAnchors } from "~/models/anchors";
import type { NewModel } from "~/models/model-library.server";

/** Multipart framing around a 20 MB image. */
export const MAX_CREATE_MODEL_BODY_BYTES = MAX_SOURCE_BYTES + 1024 * 1024;
/** A smaller photo has too little body to fit a garment onto. */
export const MIN_MODEL_SIDE = 256;
const MAX_NAME_LENGTH = 80;

const missing = (name: string): ValidationIssue => ({ loc: ["body", name], msg: "Field required", type: "missing" });

export async function parseCreateModelRequest(request: Request, body: Buffer, shop: string): Promise<NewModel> {
  const header = request.headers.get("content-type") ?? "";
  if (!header.toLowerCase().startsWith("multipart/form-data")) {
    throw unsupportedMediaType("Send multipart/form-data with an image and its anchors");
  }
  let form: FormData;
  try {
    form = await new Request("http://local/", { method: "POST", headers: { "content-type": header }, body: new Uint8Array(body) }).formData();
  } catch {
    throw badRequest("The multipart body could not be parsed");
  }
  const issues = new IssueList();

  const image = form.get("image");
  if (image === null) issues.add(missing("image"));
  else if (!(image instanceof File)) issues.add({ loc: ["body", "image"], msg: "Expected an uploaded file", type: "value_error" });

  const rawAnchors = form.get("anchors");
  let anchors = null;
  if (rawAnchors === null) issues.add(missing("anchors"));
  else if (typeof rawAnchors !== "string") issues.add({ loc: ["body", "anchors"], msg: "Input should be a valid string", type: "string_type" });
  else {
    let parsed: unknown;
    try {
      parsed = JSON.parse(rawAnchors);
    } catch {
      issues.add({ loc: ["body", "anchors"], msg: "Invalid JSON: anchors must be a JSON object", type: "json_invalid" });
    }
    if (parsed !== undefined) {
      const found: ValidationIssue[] = [];
      anchors = parseAnchors(parsed, ["body", "anchors"], found);
      for (const issue of found) issues.add(issue);
    }
  }

  const rawName = form.get("name");
  let name = image instanceof File && image.name ? image.name.replace(/\.[^.]*$/, "").slice(0, MAX_NAME_LENGTH) || "Model" : "Model";
  if (rawName !== null) {
    if (typeof rawName !== "string") issues.add({ loc: ["body", "name"], msg: "Input should be a valid string", type: "string_type" });
    else if (rawName.trim().length === 0) issues.add({ loc: ["body", "name"], msg: "String should have at least 1 character", type: "string_too_short" });
    else if (rawName.trim().length > MAX_NAME_LENGTH) {
      issues.add({ loc: ["body", "name"], msg: `String should have at most ${MAX_NAME_LENGTH} characters`, type: "string_too_long" });
    } else name = rawName.trim();
  }
  issues.throwIfAny();

  const file = image as File;
  if (file.size > MAX_SOURCE_BYTES) throw payloadTooLarge(`Image is larger than ${MAX_SOURCE_SIZE}`);
  const bytes = Buffer.from(await file.arrayBuffer());
  const info = await inspectSourceImage(bytes, ["body", "image"]);
  if (Math.min(info.width, info.height) < MIN_MODEL_SIDE) {
    issues.add({ loc: ["body", "image"], msg: `The photo is ${info.width}×${info.height}; a model photo needs at least ${MIN_MODEL_SIDE} px on its shorter side`, type: "value_error" });
  }
  const fit: ValidationIssue[] = [];
  checkAnchorsFit(anchors!, info.width, info.height, ["body", "anchors"], fit);
  for (const issue of fit) issues.add(issue);
  issues.throwIfAny();
  return { shop, name, bytes, info, anchors: anchors! };
}
