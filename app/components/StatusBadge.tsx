import { Badge } from "@shopify/polaris";
import { statusLook } from "./job-format";

/** A job's status as a Polaris badge: tone and progress icon per status. */
export function StatusBadge({ status }: { status: string }) {
  const look = statusLook(status);
  return (
    <Badge tone={look.tone} progress={look.progress}>
      {look.label}
    </Badge>
  );
}
