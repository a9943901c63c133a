export const JOB_KINDS = ["catalog_image", "on_model_render"] as const;
export type JobKind = (typeof JOB_KINDS)[number];

export const JOB_STATUSES = ["queued", "running", "succeeded", "failed", "cancelled"] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];
export const TERMINAL_STATUSES: readonly JobStatus[] = ["succeeded", "failed", "cancelled"];

export const PRODUCT_GID = /^gid:\/\/shopify\/Product\/[1-9]\d{0,19}$/;
/** Crockford base32 ULID, as the API prints it. */
export const ULID_PATTERN = /^[0-9A-HJKMNP-TV-Z]{26}$/;
