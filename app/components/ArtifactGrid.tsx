// Artifact thumbnails; each opens full size in a Polaris modal (with a link to the file itself).
import { useState } from "react";
import { BlockStack, InlineStack, Link, Modal, Text, Thumbnail } from "@shopify/polaris";
import { artifactKindLabel, formatBytes } from "./job-format";
import type { Artifact } from "./timeline-state";

export function artifactTitle(artifact: Artifact): string {
  return artifact.label || artifactKindLabel(artifact.kind);
}

function artifactFacts(artifact: Artifact): string {
  const meta = artifact.meta as { width?: number; height?: number; format?: string; bytes?: number };
  const facts: string[] = [];
  if (meta.width && meta.height) facts.push(`${meta.width} × ${meta.height} px`);
  if (meta.format) facts.push(String(meta.format).toUpperCase());
  if (typeof meta.bytes === "number") facts.push(formatBytes(meta.bytes));
  return facts.join(" · ");
}

export function ArtifactGrid({ artifacts, size = "large" }: { artifacts: Artifact[]; size?: "small" | "medium" | "large" }) {
  const [open, setOpen] = useState<Artifact | null>(null);
  if (artifacts.length === 0) return null;
  return (
    <>
      <InlineStack gap="300" wrap>
        {artifacts.map((artifact, index) => (
          <button
            key={`${artifact.kind}-${index}`}
            type="button"
            className="studio-artifact"
            onClick={() => setOpen(artifact)}
            aria-label={`View ${artifactTitle(artifact).toLowerCase()} full size`}
          >
            <span className={artifact.kind === "cutout" ? "studio-checker" : undefined}>
              <Thumbnail source={artifact.image_url} alt="" size={size} transparent={artifact.kind === "cutout"} />
            </span>
            <Text as="span" variant="bodySm" tone="subdued">
              {artifactTitle(artifact)}
            </Text>
          </button>
        ))}
      </InlineStack>
      <ArtifactModal artifact={open} onClose={() => setOpen(null)} />
    </>
  );
}

export function ArtifactModal({ artifact, onClose }: { artifact: Artifact | null; onClose: () => void }) {
  return (
    <Modal open={artifact !== null} onClose={onClose} title={artifact ? artifactTitle(artifact) : ""} size="large">
      {artifact && (
        <Modal.Section>
          <BlockStack gap="300">
            <div className={`studio-full-image${artifact.kind === "cutout" ? " studio-checker" : ""}`}>
              <img src={artifact.image_url} alt={artifactTitle(artifact)} />
            </div>
            <InlineStack align="space-between" blockAlign="center">
              <Text as="p" variant="bodySm" tone="subdued">
                {artifactFacts(artifact)}
              </Text>
              <Link url={artifact.image_url} target="_blank">
                Open image in new tab
              </Link>
            </InlineStack>
          </BlockStack>
        </Modal.Section>
      )}
    </Modal>
  );
}
