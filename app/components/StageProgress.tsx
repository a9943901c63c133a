// Progress by stage: a bar and the pipeline's stages with done / current / failed marks.
import { BlockStack, Icon, InlineStack, ProgressBar, Spinner, Text } from "@shopify/polaris";
import { CheckCircleIcon, MinusCircleIcon, XCircleIcon } from "@shopify/polaris-icons";
import { stageLabel } from "./job-format";
import type { JobState, StageProgress as Progress, StageStatus } from "./timeline-state";

const STATUS_TEXT: Record<StageStatus, string> = {
  done: "Done",
  current: "In progress",
  failed: "Failed",
  stopped: "Stopped",
  pending: "Not started",
};

function Mark({ status }: { status: StageStatus }) {
  switch (status) {
    case "done":
      return <Icon source={CheckCircleIcon} tone="success" />;
    case "current":
      return <Spinner size="small" />;
    case "failed":
      return <Icon source={XCircleIcon} tone="critical" />;
    case "stopped":
      return <Icon source={MinusCircleIcon} tone="subdued" />;
    default:
      return <span className="studio-stage-pending" aria-hidden="true" />;
  }
}

export function StageProgress({ progress, state, labelId }: { progress: Progress; state: JobState; labelId: string }) {
  const tone = state === "failed" ? "critical" : state === "succeeded" ? "success" : "highlight";
  return (
    <BlockStack gap="400">
      <ProgressBar progress={progress.percent} tone={tone} size="small" ariaLabelledBy={labelId} animated={state === "running"} />
      <ol className="studio-stages">
        {progress.stages.map((stage) => (
          <li key={stage.name} data-status={stage.status}>
            <InlineStack gap="200" blockAlign="center" wrap={false}>
              <span className="studio-stage-mark">
                <Mark status={stage.status} />
              </span>
              <Text as="span" variant="bodyMd" fontWeight={stage.status === "current" ? "semibold" : "regular"} tone={stage.status === "pending" ? "subdued" : undefined}>
                {stageLabel(stage.name)}
                <span className="studio-visually-hidden">: {STATUS_TEXT[stage.status]}</span>
              </Text>
            </InlineStack>
          </li>
        ))}
      </ol>
    </BlockStack>
  );
}
