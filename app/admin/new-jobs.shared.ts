// What the new-job form and its server side share (no server code here).
export const MAX_UPLOADS = 10;
export const MAX_PRODUCTS = 50;

export interface NewJobsErrors {
  /** Problems that belong to no single field. */
  form: string[];
  kind?: string;
  /** By option name ("" for the options as a whole). */
  options: Record<string, string>;
  /** By position of the uploaded file in the submission. */
  images: Record<number, string>;
  /** By product id. */
  products: Record<string, string>;
  sources?: string;
}

/** One option of a job kind, as the new-job form renders it (derived from the kind's zod schema). */
export interface OptionField {
  name: string;
  type: "string" | "number" | "integer" | "boolean";
  enum?: string[];
  default?: unknown;
  minimum?: number;
  maximum?: number;
  description?: string;
  required: boolean;
}
