// A job's public timeline, oldest first: time, stage, message, error and cost on the terminal
// event, and the artifacts each stage produced (thumbnails that open full size).
import { BlockStack, InlineStack, Text } from "@shopify/polaris";
import { ArtifactGrid } from "./ArtifactGrid";
import { formatClock, formatCost, stageLabel } from "./job-format";
import { costOf, errorOf, type TimelineEvent } from "./timeline-state";

function tone(event: TimelineEvent): "success" | "critical" | "warning" | "neutral" {
  if (event.event_type === "succeeded") return "success";
  if (event.event_type === "failed") return errorOf(event)?.code === "cancelled" ? "warning" : "critical";
  return "neutral";
}

export function Timeline({ events, timeZone }: { events: TimelineEvent[]; timeZone?: string }) {
  return (
    <ol className="studio-timeline" aria-label="Timeline">
      {events.map((event, index) => {
        const error = errorOf(event);
        const cost = costOf(event);
        const latest = index === events.length - 1;
        return (
          <li key={event.seq} className="studio-timeline__item" data-tone={tone(event)} data-latest={latest || undefined}>
            <span className="studio-timeline__dot" aria-hidden="true" />
            <BlockStack gap="200">
              <InlineStack align="space-between" blockAlign="start" gap="400" wrap={false}>
                <BlockStack gap="050">
                  <Text as="p" variant="bodyMd" fontWeight={event.event_type === "stage" ? "regular" : "semibold"}>
                    {event.message}
                  </Text>
                  {event.stage && (
                    <Text as="p" variant="bodySm" tone="subdued">
                      {stageLabel(event.stage)}
                    </Text>
                  )}
                </BlockStack>
                <Text as="span" variant="bodySm" tone="subdued" numeric>
                  <time dateTime={event.created_at}>{formatClock(event.created_at, timeZone)}</time>
                </Text>
              </InlineStack>
              {error && error.code !== "cancelled" && (
                <Text as="p" variant="bodyMd" tone="critical">
                  {error.message}
                </Text>
              )}
              {cost && (
                <Text as="p" variant="bodySm" tone="subdued">
                  Cost: {formatCost(cost)}
                </Text>
              )}
              <ArtifactGrid artifacts={event.artifacts} size="medium" />
            </BlockStack>
          </li>
        );
      })}
    </ol>
  );
}
