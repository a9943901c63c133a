// What a pipeline is: an ordered list of stages. A stage never touches the database:
// it returns artifacts and a message, and the engine writes them (one place for seq and visibility).
import type { z } from "zod";

export type ArtifactRole = "intermediate" | "final";

export interface NewArtifact {
  kind: string;
  role: ArtifactRole;
  label?: string;
  meta?: Record<string, unknown>;
  body: Buffer;
  contentType: string;
  /** File name inside the job's storage folder, e.g. "cutout.png". */
  name: string;
}

export interface OptionIssue {
  path: (string | number)[];
  msg: string;
  type: string;
}

export interface StageOutput {
  /** The public event line for the finished stage. */
  message: string;
  artifacts?: NewArtifact[];
  /** Extra units beyond the stage's fixed cost (e.g. provider credits). */
  extraUnits?: number;
}

export interface StageJob {
  publicId: string;
  shop: string;
  kind: string;
  options: Record<string, unknown>;
  sourceUrl: string | null;
}

export interface StageNote {
  message: string;
  extra: Record<string, unknown>;
}

export interface StageContext {
  job: StageJob;
  /** Bytes of the uploaded or fetched source as stored. */
  source(): Promise<Buffer>;
  /** Bytes of the latest artifact of `kind` produced by an earlier stage (survives restarts). */
  artifact(kind: string): Promise<Buffer>;
  /** Values kept between stages of one run; recomputed from artifacts after a restart. */
  memo: Map<string, unknown>;
  /** Aborted on cancel-at-deadline or when the job's time limit passes. */
  signal: AbortSignal;
  /** Records an internal event (never public). */
  note(message: string, extra?: Record<string, unknown>): Promise<void>;
  /**
   * The notes this stage recorded in its previous run when that run was interrupted (the
   * worker died or lost its lease) rather than finished, failed or retried; [] otherwise. A
   * stage that started paid work elsewhere (a provider's render) resumes it from them
   * instead of starting, and paying for, it again.
   */
  interruptedNotes(): Promise<StageNote[]>;
  /** Publishes a public progress line for this stage (e.g. a provider's queue status). */
  progress(message: string, extra?: Record<string, unknown>): Promise<void>;
  /**
   * Whether the merchant asked to cancel. Long stages (provider polling) check it and throw
   * `StageError("cancelled", …)` to stop early; otherwise the engine stops after the stage.
   */
  cancelRequested(): Promise<boolean>;
}

export interface StageDefinition {
  name: string;
  /** Public line when the stage starts. */
  startMessage: string;
  /** Fixed cost units of the stage. */
  units: number;
  run(ctx: StageContext): Promise<StageOutput>;
}

export interface PipelineDefinition {
  kind: string;
  /** Validates and fills defaults for the job's options. */
  options: z.ZodType<Record<string, unknown>>;
  /**
   * Checks that need the shop (e.g. that a model id is the shop's own). Returns 422 issues
   * with `loc` relative to the options object; may also fill shop defaults into the options.
   */
  validateForShop?(shop: string, options: Record<string, unknown>): Promise<{ options: Record<string, unknown>; issues: OptionIssue[] }>;
  stages: StageDefinition[];
}

/** Price of one cost unit, in USD. */
export const UNIT_PRICE_USD = 0.002;
