// The public response shapes, once: the OpenAPI document is generated from these and
// the serializers are typed by them (field names and descriptions follow the seed page).
import { z } from "zod";
import { JOB_KINDS, JOB_STATUSES } from "~/jobs/job-kinds";

export const ArtifactResponse = z
  .object({
    image_url: z.string().describe("Short-lived presigned GET URL for the artifact image."),
    kind: z.string().describe('Artifact kind, e.g. "on_model_render", "catalog_image".'),
    role: z.enum(["intermediate", "final"]).describe("Intermediate | final."),
    label: z.string().nullable().describe("Human-readable label."),
    meta: z.record(z.string(), z.unknown()).describe("Kind-specific metadata."),
  })
  .meta({
    id: "ArtifactResponse",
    description: "A job artifact — image_url is a short-lived presigned GET URL; a raw S3 key never crosses this boundary (studio AD-8).",
  });

export const JobEventResponse = z
  .object({
    seq: z.int().describe("Monotonic per-job sequence number — the polling cursor."),
    event_type: z.enum(["queued", "stage", "succeeded", "failed"]).describe("Queued | stage | succeeded | failed."),
    visibility: z.literal("public").describe("Always 'public' on this surface."),
    stage: z.string().nullable(),
    message: z.string().describe("Human-readable event line."),
    artifacts: z.array(ArtifactResponse).describe("Presigned artifacts for this event."),
    extra: z.record(z.string(), z.unknown()).describe("Type-specific payload fields (cost/error/etc.)."),
    created_at: z.iso.datetime().describe("Event creation timestamp (UTC)."),
  })
  .meta({ id: "JobEventResponse", description: "One public-visibility event in a job's timeline." });

export const JobEventsResponse = z
  .object({
    public_id: z.string().describe("The job's ULID public_id."),
    events: z.array(JobEventResponse).describe("Events ascending by seq."),
    latest_seq: z.int().nullable(),
  })
  .meta({ id: "JobEventsResponse", description: "GET /v1/jobs/{id}/events — the (optionally cursored) public event timeline." });

export const JobDetail = z
  .object({
    public_id: z.string().describe("ULID."),
    kind: z.enum(JOB_KINDS),
    status: z.enum(JOB_STATUSES),
    stage: z.string().nullable(),
    product_id: z.string().nullable(),
    options: z.record(z.string(), z.unknown()).describe("The job's options with defaults filled in."),
    created_at: z.iso.datetime(),
    updated_at: z.iso.datetime(),
    latest_seq: z.int().nullable(),
    final_artifacts: z.array(ArtifactResponse),
  })
  .meta({ id: "JobDetail" });

export const JobList = z
  .object({ jobs: z.array(JobDetail), next_cursor: z.string().nullable() })
  .meta({ id: "JobList" });

export const Publication = z
  .object({
    public_id: z.string().describe("ULID."),
    published: z.boolean().describe("Whether the storefront (app proxy) shows this job's final images."),
    published_at: z.iso.datetime().nullable().describe("When the merchant published it; null if not published."),
  })
  .meta({ id: "Publication", description: "Whether a job's final images are published to the storefront." });

export const PublishedJob = z
  .object({
    public_id: z.string().describe("ULID."),
    kind: z.enum(JOB_KINDS),
    product_id: z.string().nullable(),
    published_at: z.iso.datetime(),
    images: z.array(ArtifactResponse).describe("The job's final images (presigned, short-lived URLs)."),
  })
  .meta({ id: "PublishedJob", description: "A published job as the storefront sees it (app proxy)." });

export const PublishedJobList = z
  .object({
    product_id: z.string().describe("The product (gid://shopify/Product/N)."),
    jobs: z.array(PublishedJob).describe("The product's published jobs, most recently published first."),
  })
  .meta({ id: "PublishedJobList" });

export const ValidationError = z
  .looseObject({
    loc: z.array(z.union([z.string(), z.int()])),
    msg: z.string(),
    type: z.string(),
    input: z.unknown().optional().describe("The offending input, when there is one (as pydantic reports it)."),
  })
  .meta({ id: "ValidationError" });

export const HTTPValidationError = z
  .object({ detail: z.array(ValidationError) })
  .meta({ id: "HTTPValidationError" });

export const ErrorDetail = z.object({ detail: z.string() }).meta({ id: "ErrorDetail" });

export const Health = z.object({ ok: z.literal(true) }).meta({ id: "Health" });

export type ArtifactResponseT = z.infer<typeof ArtifactResponse>;
export type JobEventResponseT = z.infer<typeof JobEventResponse>;
export type JobDetailT = z.infer<typeof JobDetail>;
export type PublishedJobT = z.infer<typeof PublishedJob>;

// --- On-model renders: the model library ---

export const AnchorPoint = z
  .object({ x: z.number().describe("Pixels from the left edge."), y: z.number().describe("Pixels from the top edge.") })
  .meta({ id: "AnchorPoint", description: "A point on the model photo, in pixels of the upright (EXIF-oriented) image." });

export const ModelAnchors = z
  .object({
    left_shoulder: AnchorPoint.describe("The model's own left shoulder joint (image right when facing the camera)."),
    right_shoulder: AnchorPoint,
    left_hip: AnchorPoint,
    right_hip: AnchorPoint,
    neck: AnchorPoint.nullable().describe("Base of the neck (optional)."),
  })
  .meta({ id: "ModelAnchors", description: "Where the body is: the garment is fitted between the shoulder and hip lines." });

export const ModelResponse = z
  .object({
    id: z.string().describe('"builtin:<name>" for Studio\'s drawn dress forms, a ULID for the shop\'s own photos. Pass it as options.model.'),
    name: z.string(),
    builtin: z.boolean().describe("Built-in models are drawn by Studio, work offline and cannot be deleted."),
    image_url: z.string().describe("Short-lived presigned GET URL of the model picture."),
    width: z.int(),
    height: z.int(),
    anchors: ModelAnchors,
    created_at: z.iso.datetime().nullable().describe("Null for built-in models."),
  })
  .meta({ id: "ModelResponse", description: "A model that on_model_render jobs can dress." });

export const ModelList = z
  .object({ models: z.array(ModelResponse).describe("Built-in models first (the first is the default), then the shop's own, newest first.") })
  .meta({ id: "ModelList" });

export type ModelResponseT = z.infer<typeof ModelResponse>;
