// A kind's options, validated the one way every caller uses (the /v1 API, the admin form, Run
// again): the pipeline's zod schema fills defaults, then its shop checks (e.g. that a model is
// the shop's own) run. Issues are relative to the options object; `options` is set once the
// schema accepted them.
import { zodIssuesToValidation } from "~/api/zod-issues";
import type { OptionIssue, PipelineDefinition } from "~/pipelines/pipeline";

export async function validateJobOptions(
  pipeline: PipelineDefinition,
  shop: string,
  raw: Record<string, unknown>,
): Promise<{ options?: Record<string, unknown>; issues: OptionIssue[] }> {
  const parsed = pipeline.options.safeParse(raw);
  if (!parsed.success) {
    return { issues: zodIssuesToValidation(parsed.error, []).map(({ loc, msg, type }) => ({ path: loc, msg, type })) };
  }
  if (!pipeline.validateForShop) return { options: parsed.data, issues: [] };
  return pipeline.validateForShop(shop, parsed.data);
}
