// One printed line per public event: time, stage, message, artifact kinds, cost / error.
import type { JobEvent } from "./types";

/** The public stages of each kind, in order (contract § Timeline semantics). */
export const STAGES: Record<string, string[]> = {
  catalog_image: ["fetch_source", "segment", "compose", "export"],
  on_model_render: ["fetch_source", "segment", "render", "finish", "export"],
};

export function stagesOf(kind: string): string[] {
  return STAGES[kind] ?? STAGES.catalog_image;
}

function clock(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toISOString().slice(11, 23); // HH:MM:SS.mmm (UTC)
}

export function formatCost(cost: unknown): string | null {
  if (!cost || typeof cost !== "object") return null;
  const { amount, currency, units } = cost as { amount?: number; currency?: string; units?: number };
  if (typeof amount !== "number") return null;
  return `cost ${amount.toFixed(4)} ${currency ?? "USD"}${typeof units === "number" ? ` (${units} units)` : ""}`;
}

export function formatError(error: unknown): string | null {
  if (!error || typeof error !== "object") return null;
  const { code, message, retryable } = error as { code?: string; message?: string; retryable?: boolean };
  return `error ${code ?? "?"}: ${message ?? ""}${retryable ? " (retryable)" : ""}`;
}

export function formatEvent(event: JobEvent): string {
  const label = event.event_type === "stage" ? (event.stage ?? "-") : event.event_type;
  const parts = [`${clock(event.created_at)}  ${label.padEnd(12)}  ${event.message}`];
  const kinds = (event.artifacts ?? []).map((a) => (a.role === "final" ? `${a.kind}*` : a.kind));
  if (kinds.length) parts.push(`[${kinds.join(", ")}]`);
  const cost = formatCost(event.extra?.cost);
  if (cost) parts.push(cost);
  const error = formatError(event.extra?.error);
  if (error) parts.push(error);
  return parts.join("  ");
}
