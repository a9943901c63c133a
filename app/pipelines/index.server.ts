import { catalogImagePipeline } from "./catalog-image.server";
import { onModelRenderPipeline } from "./on-model-render.server";
import type { PipelineDefinition } from "./pipeline";

const PIPELINES = new Map<string, PipelineDefinition>([
  [catalogImagePipeline.kind, catalogImagePipeline],
  [onModelRenderPipeline.kind, onModelRenderPipeline],
]);

/** The pipeline for a kind, or undefined while that kind is not available. */
export function pipelineFor(kind: string): PipelineDefinition | undefined {
  return PIPELINES.get(kind);
}

/** Adds (or replaces) a kind's pipeline; the engine's own tests use it for scripted stages. */
export function registerPipeline(pipeline: PipelineDefinition) {
  PIPELINES.set(pipeline.kind, pipeline);
}
