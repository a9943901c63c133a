// A job's options in words (catalog image options by name; other kinds key by key).
import { BlockStack, InlineStack, Text } from "@shopify/polaris";
import type { ReactNode } from "react";
import { optionLabel, optionValueLabel } from "./job-format";

function Row({ term, children }: { term: string; children: ReactNode }) {
  return (
    <InlineStack align="space-between" blockAlign="center" gap="200" wrap={false}>
      <Text as="span" variant="bodyMd" tone="subdued">
        {term}
      </Text>
      <Text as="span" variant="bodyMd" alignment="end">
        {children}
      </Text>
    </InlineStack>
  );
}


export function OptionsSummary({ kind, options }: { kind: string; options: Record<string, unknown> }) {
  if (kind === "catalog_image") {
    const background = String(options.background ?? "#ffffff");
    return (
      <BlockStack gap="200">
        <Row term="Background">
          <InlineStack gap="150" blockAlign="center" wrap={false}>
            <span className="studio-swatch" style={{ background }} aria-hidden="true" />
            <span>{background.toUpperCase()}</span>
          </InlineStack>
        </Row>
        <Row term="Product fill">{typeof options.fill === "number" ? `${Math.round(options.fill * 100)}%` : "—"}</Row>
        <Row term="Shadow">{optionValueLabel("shadow", options.shadow)}</Row>
        <Row term="Size">{typeof options.size === "number" ? `${options.size} × ${options.size} px` : "—"}</Row>
      </BlockStack>
    );
  }
  const entries = Object.entries(options);
  if (entries.length === 0) {
    return (
      <Text as="p" variant="bodyMd" tone="subdued">
        Default options
      </Text>
    );
  }
  return (
    <BlockStack gap="200">
      {entries.map(([key, value]) => (
        <Row key={key} term={optionLabel(key)}>
          {key === "size" && typeof value === "number" ? `${value} px` : optionValueLabel(key, value)}
        </Row>
      ))}
    </BlockStack>
  );
}
