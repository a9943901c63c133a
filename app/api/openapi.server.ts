// GET /v1/openapi.json: OpenAPI 3.1, with component schemas generated from app/api/schemas.ts
// (JSON Schema 2020-12 is OpenAPI 3.1's dialect), so the document cannot drift from the code.
import { z } from "zod";
import * as S from "./schemas";
import { catalogImageOptions } from "~/pipelines/catalog-image.server";
import { onModelRenderOptions } from "~/pipelines/on-model-render.server";
import { MAX_SOURCE_BYTES, MAX_SOURCE_SIZE } from "~/jobs/source-image.server";

const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` });
const json = (id: string, description: string) => ({ description, content: { "application/json": { schema: ref(id) } } });

const errors = {
  "401": json("ErrorDetail", "Missing or invalid credential."),
  "422": json("HTTPValidationError", "Validation Error"),
};
const notFound = { "404": json("ErrorDetail", 'Unknown, malformed or foreign job: `{"detail": "Job not found"}`.') };

const hmacHeader = {
  name: "X-Shopify-Hmac-Sha256",
  in: "header",
  required: false,
  schema: { anyOf: [{ type: "string" }, { type: "null" }] },
  description:
    "base64(HMAC-SHA256(SHOPIFY_API_SECRET, METHOD\\nPATHNAME\\nQUERY\\nBODY)) with `shop` and `timestamp` query parameters; see the contract.",
};
const modelIdParam = { name: "model_id", in: "path", required: true, schema: { type: "string", title: "Model Id" } };
const modelNotFound = { "404": json("ErrorDetail", 'Unknown, malformed or foreign model: `{"detail": "Model not found"}`.') };
const publicIdParam = { name: "public_id", in: "path", required: true, schema: { type: "string", title: "Public Id" } };
const query = (name: string, schema: object, description: string) => ({ name, in: "query", required: false, schema, description });

let cached: object | undefined;

export function openApiDocument(): object {
  if (cached) return cached;
  const registry = z.registry<{ id: string }>();
  for (const schema of [S.ArtifactResponse, S.JobEventResponse, S.JobEventsResponse, S.JobDetail, S.JobList, S.ValidationError, S.HTTPValidationError, S.ErrorDetail, S.Health, S.Publication, S.PublishedJob, S.PublishedJobList]) {
    registry.add(schema, { id: (schema.meta() as { id: string }).id });
  }
  registry.add(catalogImageOptions, { id: "CatalogImageOptions" });
  for (const schema of [S.AnchorPoint, S.ModelAnchors, S.ModelResponse, S.ModelList]) {
    registry.add(schema, { id: (schema.meta() as { id: string }).id });
  }
  registry.add(onModelRenderOptions, { id: "OnModelRenderOptions" });
  const { schemas } = z.toJSONSchema(registry, { target: "draft-2020-12", uri: (id) => `#/components/schemas/${id}`, io: "output" });
  // (the ids zod writes are fragments, which JSON Schema 2020-12 forbids in $id: the $refs
  // resolve against the document anyway)
  for (const schema of Object.values(schemas)) {
    delete (schema as Record<string, unknown>).$schema;
    delete (schema as Record<string, unknown>).$id;
  }

  cached = {
    openapi: "3.1.0",
    info: {
      title: "Studio API",
      version: "1.0.0",
      description: "Catalog images and on-model renders as background jobs with a public event timeline.",
    },
    servers: [{ url: "/" }],
    security: [{ sessionToken: [] }, { hmac: [] }],
    components: {
      schemas,
      securitySchemes: {
        sessionToken: { type: "http", scheme: "bearer", bearerFormat: "JWT", description: "Shopify session token (App Bridge)." },
        hmac: { type: "apiKey", in: "header", name: "X-Shopify-Hmac-Sha256", description: "Server-to-server HMAC; see the contract." },
        appProxy: {
          type: "apiKey",
          in: "query",
          name: "signature",
          description: "Shopify's app-proxy signature (hex HMAC-SHA256 of the sorted query; timestamp within 90 s), added by Shopify when it forwards https://{shop}/apps/studio/* to /proxy/*.",
        },
      },
    },
    paths: {
      "/v1/jobs": {
        get: {
          operationId: "listJobs",
          summary: "The shop's jobs, newest first",
          parameters: [
            query("status", { type: "string", enum: ["queued", "running", "succeeded", "failed", "cancelled"] }, "Filter by status."),
            query("kind", { type: "string", enum: ["catalog_image", "on_model_render"] }, "Filter by kind."),
            query("product_id", { type: "string", pattern: "^gid://shopify/Product/[1-9]\\d{0,19}$" }, "Filter by product."),
            query("cursor", { type: "string" }, "next_cursor of the previous page."),
            query("limit", { type: "integer", minimum: 1, maximum: 100, default: 20 }, "Page size."),
            hmacHeader,
          ],
          responses: { "200": json("JobList", "A page of jobs."), ...errors },
        },
        post: {
          operationId: "createJob",
          summary: "Create a job",
          parameters: [
            { name: "Idempotency-Key", in: "header", required: false, schema: { type: "string", maxLength: 255 }, description: "The same key from the same shop returns the same job." },
            hmacHeader,
          ],
          requestBody: {
            required: true,
            content: {
              "multipart/form-data": {
                schema: {
                  type: "object",
                  required: ["kind", "image"],
                  properties: {
                    kind: { type: "string", enum: ["catalog_image", "on_model_render"] },
                    image: { type: "string", contentMediaType: "application/octet-stream", description: `PNG, JPEG or WebP; at most ${MAX_SOURCE_BYTES / 1024 / 1024} MB and 40 megapixels.` },
                    product_id: { type: "string", pattern: "^gid://shopify/Product/[1-9]\\d{0,19}$" },
                    options: { type: "string", description: "A JSON object, validated per kind (catalog_image: CatalogImageOptions; on_model_render: OnModelRenderOptions)." },
                  },
                },
              },
              "application/json": {
                schema: {
                  type: "object",
                  required: ["kind", "source_url"],
                  properties: {
                    kind: { type: "string", enum: ["catalog_image", "on_model_render"] },
                    source_url: { type: "string", format: "uri", pattern: "^https://cdn\\.shopify\\.com/" },
                    product_id: { type: "string", pattern: "^gid://shopify/Product/[1-9]\\d{0,19}$" },
                    options: { type: "object" },
                  },
                },
              },
            },
          },
          responses: {
            "201": json("JobDetail", "The job (also for a repeated Idempotency-Key)."),
            "400": json("ErrorDetail", "The body could not be parsed."),
            "413": json("ErrorDetail", `Image over ${MAX_SOURCE_SIZE} or 40 megapixels.`),
            "415": json("ErrorDetail", "Not a PNG, JPEG or WebP image."),
            ...errors,
          },
        },
      },
      "/v1/jobs/{public_id}": {
        get: {
          operationId: "getJob",
          summary: "A job",
          parameters: [publicIdParam, hmacHeader],
          responses: { "200": json("JobDetail", "The job."), ...notFound, ...errors },
        },
      },
      "/v1/jobs/{public_id}/events": {
        get: {
          operationId: "getJobEvents",
          summary: "Get a job's public event timeline",
          description:
            "Return the job's public-visibility events, cursored by ?since=. Ownership is enforced by a preceding detail fetch — a foreign or unknown job id 404s before any events are read.",
          parameters: [
            publicIdParam,
            query("since", { anyOf: [{ type: "integer", minimum: 0 }, { type: "null" }] }, "Exclusive seq cursor — only events after it."),
            hmacHeader,
          ],
          responses: { "200": json("JobEventsResponse", "Successful Response"), ...notFound, ...errors },
        },
      },
      "/v1/jobs/{public_id}/cancel": {
        post: {
          operationId: "cancelJob",
          summary: "Cancel a job",
          description: "A queued job is cancelled at once, a running one after its current stage.",
          parameters: [publicIdParam, hmacHeader],
          responses: {
            "202": json("JobDetail", "The job as it is at that moment."),
            "409": json("ErrorDetail", "The job already finished."),
            ...notFound,
            ...errors,
          },
        },
      },
      "/v1/jobs/{public_id}/publication": {
        get: {
          operationId: "getPublication",
          summary: "Whether the storefront shows the job's final images",
          parameters: [publicIdParam, hmacHeader],
          responses: { "200": json("Publication", "The job's publication."), ...notFound, ...errors },
        },
        put: {
          operationId: "publishJob",
          summary: "Publish a succeeded job's final images to the storefront (app proxy)",
          description: "Publishing again keeps the first published_at.",
          parameters: [publicIdParam, hmacHeader],
          responses: {
            "200": json("Publication", "Published."),
            "409": json("ErrorDetail", "The job has not succeeded."),
            ...notFound,
            ...errors,
          },
        },
        delete: {
          operationId: "unpublishJob",
          summary: "Take the job's images off the storefront",
          parameters: [publicIdParam, hmacHeader],
          responses: { "200": json("Publication", "Not published (also if it was not)."), ...notFound, ...errors },
        },
      },
      "/v1/models": {
        get: {
          operationId: "listModels",
          summary: "The shop's model library: Studio's built-in dress forms, then the shop's own photos",
          parameters: [hmacHeader],
          responses: { "200": json("ModelList", "The models this shop's on_model_render jobs can use."), ...errors },
        },
        post: {
          operationId: "createModel",
          summary: "Add a model photo with its anchor points",
          parameters: [hmacHeader],
          requestBody: {
            required: true,
            content: {
              "multipart/form-data": {
                schema: {
                  type: "object",
                  required: ["image", "anchors"],
                  properties: {
                    image: {
                      type: "string",
                      contentMediaType: "application/octet-stream",
                      description: `An upright, front-facing photo of a person: PNG, JPEG or WebP; at most ${MAX_SOURCE_BYTES / 1024 / 1024} MB and 40 megapixels, at least 256 px on the shorter side.`,
                    },
                    anchors: {
                      type: "string",
                      description:
                        'A JSON object (ModelAnchors): left_shoulder, right_shoulder, left_hip, right_hip and optionally neck, each {"x", "y"} in pixels inside the (EXIF-oriented) image; hips below shoulders.',
                    },
                    name: { type: "string", minLength: 1, maxLength: 80, description: "Default: the file name." },
                  },
                },
              },
            },
          },
          responses: {
            "201": json("ModelResponse", "The model; pass its id as options.model."),
            "400": json("ErrorDetail", "The body could not be parsed."),
            "413": json("ErrorDetail", `Image over ${MAX_SOURCE_SIZE} or 40 megapixels.`),
            "415": json("ErrorDetail", "Not multipart, or not a PNG, JPEG or WebP image."),
            ...errors,
          },
        },
      },
      "/v1/models/{model_id}": {
        get: {
          operationId: "getModel",
          summary: "A model",
          parameters: [modelIdParam, hmacHeader],
          responses: { "200": json("ModelResponse", "The model."), ...modelNotFound, ...errors },
        },
        delete: {
          operationId: "deleteModel",
          summary: "Delete one of the shop's own models",
          description:
            "Built-in models cannot be deleted (409). A model that a queued or running job will render with is kept until that job finishes (409); finished jobs keep their images.",
          parameters: [modelIdParam, hmacHeader],
          responses: {
            "204": { description: "Deleted." },
            "409": json("ErrorDetail", "A built-in model, or a model an unfinished job uses."),
            ...modelNotFound,
            ...errors,
          },
        },
      },
      "/proxy/products/{product_id}": {
        get: {
          operationId: "storefrontProductImages",
          summary: "Storefront (app proxy): a product's published jobs",
          description: "Served to the storefront as /apps/studio/products/{product_id}. Only published, succeeded jobs; never in-progress ones.",
          security: [{ appProxy: [] }],
          parameters: [{ name: "product_id", in: "path", required: true, schema: { type: "string", pattern: "^(\\d+|gid://shopify/Product/[1-9]\\d{0,19})$" }, description: "N or gid://shopify/Product/N." }],
          responses: {
            "200": json("PublishedJobList", "The product's published jobs, most recently published first (at most 20)."),
            "401": json("ErrorDetail", "Unsigned, badly signed or stale request, or a shop without Studio."),
            "422": json("HTTPValidationError", "Not a product id."),
          },
        },
      },
      "/proxy/jobs/{public_id}": {
        get: {
          operationId: "storefrontJob",
          summary: "Storefront (app proxy): one published job",
          security: [{ appProxy: [] }],
          parameters: [publicIdParam],
          responses: {
            "200": json("PublishedJob", "The published job."),
            "401": json("ErrorDetail", "Unsigned, badly signed or stale request, or a shop without Studio."),
            "404": json("ErrorDetail", 'Unknown, foreign, unpublished or unfinished job: `{"detail": "Job not found"}`.'),
          },
        },
      },
      "/v1/openapi.json": {
        get: { operationId: "openapi", summary: "This document", security: [], responses: { "200": { description: "OpenAPI 3.1 document." } } },
      },
      "/healthz": {
        get: { operationId: "healthz", summary: "Liveness (no auth, no database)", security: [], responses: { "200": json("Health", "Alive.") } },
      },
    },
  };
  return cached;
}
