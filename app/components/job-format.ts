// Words and numbers the admin pages show for jobs (Polaris content guidelines: sentence case,
// plain words). Pure: used by loaders and components alike.
import type { BadgeProps } from "@shopify/polaris";

export function humanize(name: string): string {
  const words = name.replace(/[_-]+/g, " ").trim();
  return words ? words.charAt(0).toUpperCase() + words.slice(1) : "";
}

const KIND_LABELS: Record<string, string> = {
  catalog_image: "Catalog image",
  on_model_render: "On-model render",
};
export const kindLabel = (kind: string) => KIND_LABELS[kind] ?? humanize(kind);

const STAGE_LABELS: Record<string, string> = {
  fetch_source: "Fetch source",
  segment: "Cut out product",
  compose: "Compose",
  export: "Export",
  render: "Render",
};
export const stageLabel = (stage: string) => STAGE_LABELS[stage] ?? humanize(stage);

const ARTIFACT_LABELS: Record<string, string> = {
  source: "Source",
  cutout: "Cutout",
  composite: "Composite",
  catalog_image: "Catalog image",
  on_model_render: "On-model render",
};
export const artifactKindLabel = (kind: string) => ARTIFACT_LABELS[kind] ?? humanize(kind);

type StatusLook = { label: string; tone?: BadgeProps["tone"]; progress?: BadgeProps["progress"] };
const STATUS: Record<string, StatusLook> = {
  queued: { label: "Queued", progress: "incomplete" },
  running: { label: "Running", tone: "info", progress: "partiallyComplete" },
  succeeded: { label: "Succeeded", tone: "success", progress: "complete" },
  failed: { label: "Failed", tone: "critical", progress: "complete" },
  cancelled: { label: "Cancelled", progress: "complete" },
};
export const statusLook = (status: string): StatusLook => STATUS[status] ?? { label: humanize(status) };

export const TERMINAL = new Set(["succeeded", "failed", "cancelled"]);
export const isTerminal = (status: string) => TERMINAL.has(status);

export interface Cost {
  amount: number;
  currency: string;
  units?: number;
}

export function formatCost(cost: Cost | null | undefined): string {
  if (!cost) return "—";
  // Amounts are fractions of a cent per unit: show cents, or more digits when a cent hides it.
  const digits = cost.amount !== 0 && Math.abs(cost.amount) < 0.01 ? 3 : 2;
  return new Intl.NumberFormat("en-US", { style: "currency", currency: cost.currency, minimumFractionDigits: digits, maximumFractionDigits: digits }).format(cost.amount);
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

const relative = new Intl.RelativeTimeFormat("en", { numeric: "auto" });
const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ["year", 365 * 24 * 3600],
  ["month", 30 * 24 * 3600],
  ["week", 7 * 24 * 3600],
  ["day", 24 * 3600],
  ["hour", 3600],
  ["minute", 60],
];

/** "just now", "5 minutes ago", "yesterday"… relative to `now` (ms). */
export function formatAge(iso: string, now: number): string {
  const seconds = Math.round((new Date(iso).getTime() - now) / 1000);
  if (Math.abs(seconds) < 45) return "Just now";
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size || unit === "minute") {
      const text = relative.format(Math.round(seconds / size), unit);
      return text.charAt(0).toUpperCase() + text.slice(1);
    }
  }
  return "Just now";
}

/** `timeZone` is fixed ("UTC") for the server render and the first client render, so they match. */
export function formatDateTime(iso: string, timeZone?: string): string {
  return new Intl.DateTimeFormat("en-US", { dateStyle: "medium", timeStyle: "short", timeZone }).format(new Date(iso));
}

export function formatClock(iso: string, timeZone?: string): string {
  return new Intl.DateTimeFormat("en-US", { hour: "numeric", minute: "2-digit", second: "2-digit", timeZone }).format(new Date(iso));
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return "Under a second";
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes} min ${seconds % 60} s`;
}

/** What the merchant can do about a failed job, by error code. */
export function errorAdvice(code: string | undefined): string {
  switch (code) {
    case "no_subject":
      return "Use a photo where the product stands out from a plain, light background, then create a new job.";
    case "invalid_source":
    case "source_too_large":
    case "source_not_found":
    case "source_not_allowed":
      return "Check the image (PNG, JPEG or WebP, up to 20 MB and 40 megapixels) and create a new job with it.";
    case "source_unreachable":
    case "timeout":
    case "internal_error":
      return "Run the job again. If it keeps failing, contact support.";
    case "cancelled":
      return "Run the job again to start over.";
    default:
      return "Run the job again. If it keeps failing, contact support.";
  }
}

/** The Shopify admin page of a product, opened by App Bridge from inside the app. */
export function productAdminUrl(productId: string | null | undefined): string | null {
  const id = productId ? /^gid:\/\/shopify\/Product\/(\d+)$/.exec(productId)?.[1] : undefined;
  return id ? `shopify://admin/products/${id}` : null;
}

export type CancelTally = { cancelled: number; requested: number; finished: number; not_found: number };

/** One toast line for a bulk cancel. */
export function cancelSummary(tally: CancelTally): string {
  const stopped = tally.cancelled + tally.requested;
  const parts: string[] = [];
  if (stopped) parts.push(`${stopped} ${stopped === 1 ? "job" : "jobs"} cancelled`);
  if (tally.finished) parts.push(`${tally.finished} already finished`);
  if (tally.not_found) parts.push(`${tally.not_found} not found`);
  return parts.join(", ") || "No jobs cancelled";
}

/** What a job is called in lists and titles: the product's title or the file's name. */
export function jobName(job: { sourceName: string | null; productId: string | null }): string {
  return job.sourceName || (job.productId ? "Product image" : "Untitled image");
}

export const plural = (count: number, one: string, many = `${one}s`) => `${count} ${count === 1 ? one : many}`;

// Merchant wording for options the admin knows by name (other options show their schema's text).
const OPTION_LABELS: Record<string, string> = {
  background: "Background",
  fill: "Product fill",
  shadow: "Shadow",
  size: "Image size",
  model: "Model",
  provider: "Renderer",
  category: "Garment type",
};
const OPTION_HELP: Record<string, string> = {
  model: "Who wears the product: a dress form or one of your own model photos.",
  provider: "Studio renders on its own. FASHN gives photoreal results and needs a FASHN account.",
  category: "Tops and one-pieces hang from the shoulders; bottoms sit at the waist.",
};
const VALUE_LABELS: Record<string, Record<string, string>> = {
  provider: { local: "Studio", fashn: "FASHN" },
  category: { auto: "Detect automatically", tops: "Tops", bottoms: "Bottoms", "one-pieces": "One-pieces" },
};

export const optionLabel = (name: string) => OPTION_LABELS[name] ?? humanize(name);
export const optionHelp = (name: string, fallback?: string) => OPTION_HELP[name] ?? fallback;

export function optionValueLabel(name: string, value: unknown): string {
  if (typeof value === "boolean") return value ? "On" : "Off";
  if (value === null || value === undefined || value === "") return "Default";
  const text = String(value);
  if (VALUE_LABELS[name]?.[text]) return VALUE_LABELS[name][text];
  if (name === "model" && text.startsWith("builtin:")) return humanize(text.slice("builtin:".length));
  return typeof value === "string" ? humanize(text) : text;
}
