// The options of a job kind as form fields. Catalog images get a designed form (colour with a
// picker and presets, product size, shadow, image size); other kinds (e.g. on-model renders)
// get fields generated from their schema, with the shop's models offered when /v1/models exists.
import { useEffect, useState } from "react";
import {
  BlockStack,
  Box,
  Button,
  Checkbox,
  ColorPicker,
  FormLayout,
  hexToRgb,
  hsbToHex,
  InlineStack,
  Popover,
  RangeSlider,
  rgbToHsb,
  Select,
  Text,
  TextField,
} from "@shopify/polaris";
import { optionHelp, optionLabel, optionValueLabel } from "./job-format";
import type { OptionField } from "~/admin/new-jobs.shared";

type Errors = Record<string, string>;
type OnChange = (name: string, value: unknown) => void;

const HEX = /^#[0-9a-fA-F]{6}$/;
const PRESETS: [string, string][] = [
  ["White", "#ffffff"],
  ["Off-white", "#f6f6f4"],
  ["Light grey", "#ededed"],
  ["Sand", "#efe8dc"],
  ["Pale blue", "#e8eff6"],
];
const SIZES = [1024, 2048, 3072, 4096];

export function CatalogOptionsForm({ values, defaults, onChange, errors }: { values: Record<string, unknown>; defaults: Record<string, unknown>; onChange: OnChange; errors: Errors }) {
  const background = String(values.background ?? defaults.background ?? "#ffffff");
  const fill = Number(values.fill ?? defaults.fill ?? 0.85);
  const shadow = Boolean(values.shadow ?? defaults.shadow ?? true);
  const size = Number(values.size ?? defaults.size ?? 2048);
  const [pickerOpen, setPickerOpen] = useState(false);
  const valid = HEX.test(background);
  const sizes = SIZES.includes(size) ? SIZES : [...SIZES, size].sort((a, b) => a - b);
  const percent = Math.round(fill * 100);

  return (
    <FormLayout>
      <BlockStack gap="200">
        <TextField
          label="Background colour"
          value={background}
          onChange={(value) => onChange("background", value.trim())}
          autoComplete="off"
          maxLength={7}
          prefix={<span className="studio-swatch" style={{ background: valid ? background : "transparent" }} aria-hidden="true" />}
          connectedRight={
            <Popover
              active={pickerOpen}
              onClose={() => setPickerOpen(false)}
              activator={
                <Button onClick={() => setPickerOpen((open) => !open)} disclosure>
                  Choose
                </Button>
              }
            >
              <Box padding="300">
                <ColorPicker color={rgbToHsb(hexToRgb(valid ? background : "#ffffff"))} onChange={(color) => onChange("background", hsbToHex(color))} />
              </Box>
            </Popover>
          }
          error={errors.background ?? (valid ? undefined : "Enter a colour like #FFFFFF")}
          helpText="The studio background behind the product."
        />
        <InlineStack gap="200" blockAlign="center">
          {PRESETS.map(([name, hex]) => (
            <button
              key={hex}
              type="button"
              className="studio-swatch-button"
              aria-label={`Use ${name.toLowerCase()} (${hex.toUpperCase()})`}
              aria-pressed={background.toLowerCase() === hex}
              title={name}
              onClick={() => onChange("background", hex)}
            >
              <span className="studio-swatch" style={{ background: hex }} />
            </button>
          ))}
        </InlineStack>
      </BlockStack>
      <RangeSlider
        label="Product size"
        value={percent}
        min={30}
        max={100}
        step={1}
        output
        suffix={
          <Box minWidth="40px">
            <Text as="span" variant="bodyMd" alignment="end" numeric>
              {percent}%
            </Text>
          </Box>
        }
        onChange={(value) => onChange("fill", Number(value) / 100)}
        helpText="How much of the image the product fills. The rest is margin."
        error={errors.fill}
      />
      <Checkbox
        label="Add a soft shadow under the product"
        checked={shadow}
        onChange={(checked) => onChange("shadow", checked)}
        error={errors.shadow}
      />
      <Select
        label="Image size"
        options={sizes.map((side) => ({ value: String(side), label: `${side} × ${side} px${side === defaults.size ? " (recommended)" : ""}` }))}
        value={String(size)}
        onChange={(value) => onChange("size", Number(value))}
        helpText="Square images, exported as JPEG and WebP."
        error={errors.size}
      />
    </FormLayout>
  );
}

type FieldSpec = OptionField;

export function GenericOptionsForm({ kind, fields, values, onChange, errors }: { kind: string; fields: FieldSpec[]; values: Record<string, unknown>; onChange: OnChange; errors: Errors }) {
  if (fields.length === 0) {
    return (
      <Text as="p" variant="bodyMd" tone="subdued">
        This job type has no options.
      </Text>
    );
  }
  return (
    <FormLayout>
      {fields.map((field) => {
        const label = optionLabel(field.name);
        const helpText = optionHelp(field.name, field.description);
        const value = values[field.name];
        const error = errors[field.name];
        if (field.name === "model" && kind === "on_model_render") {
          return <ModelField key={field.name} field={field} value={value} onChange={onChange} error={error} helpText={helpText} />;
        }
        if (field.enum) {
          const options = field.enum.map((option) => ({ value: option, label: optionValueLabel(field.name, option) }));
          return (
            <Select
              key={field.name}
              label={label}
              options={field.required || field.default !== undefined ? options : [{ value: "", label: "Default" }, ...options]}
              value={value === undefined || value === null ? "" : String(value)}
              onChange={(next) => onChange(field.name, next)}
              helpText={helpText}
              error={error}
            />
          );
        }
        if (field.type === "boolean") {
          return <Checkbox key={field.name} label={label} checked={value === true} onChange={(checked) => onChange(field.name, checked)} helpText={helpText} error={error} />;
        }
        const numeric = field.type === "number" || field.type === "integer";
        return (
          <TextField
            key={field.name}
            label={label}
            type={numeric ? "number" : "text"}
            value={value === undefined || value === null ? "" : String(value)}
            onChange={(next) => onChange(field.name, numeric ? (next === "" ? "" : Number(next)) : next)}
            min={field.minimum}
            max={field.maximum}
            step={field.type === "integer" ? 1 : undefined}
            autoComplete="off"
            helpText={helpText}
            error={error}
          />
        );
      })}
    </FormLayout>
  );
}

type ModelOption = { value: string; label: string };

/** Reads GET /v1/models when the server has it; accepts `{models: [...]}` or a bare list. */
function parseModels(body: unknown): ModelOption[] {
  const list = Array.isArray(body) ? body : Array.isArray((body as { models?: unknown })?.models) ? (body as { models: unknown[] }).models : [];
  return list.flatMap((item) => {
    if (typeof item === "string") return [{ value: item, label: item }];
    const record = item as Record<string, unknown>;
    const id = record.id ?? record.model_id ?? record.public_id ?? record.name;
    if (typeof id !== "string") return [];
    const name = record.name ?? record.label ?? record.title;
    return [{ value: id, label: typeof name === "string" && name !== id ? name : id }];
  });
}

function ModelField({ field, value, onChange, error, helpText }: { field: FieldSpec; value: unknown; onChange: OnChange; error?: string; helpText?: string }) {
  const [models, setModels] = useState<ModelOption[] | null>(null);
  useEffect(() => {
    let live = true;
    fetch("/v1/models", { headers: { Accept: "application/json" } })
      .then((response) => (response.ok ? response.json() : []))
      .then((body) => live && setModels(parseModels(body)))
      .catch(() => live && setModels([]));
    return () => {
      live = false;
    };
  }, []);
  const current = value === undefined || value === null ? "" : String(value);
  if (models && models.length > 0) {
    const options = field.required ? models : [{ value: "", label: "Default model" }, ...models];
    return <Select label="Model" options={options} value={current} onChange={(next) => onChange(field.name, next)} helpText={helpText} error={error} />;
  }
  return (
    <TextField
      label="Model"
      value={current}
      onChange={(next) => onChange(field.name, next)}
      autoComplete="off"
      placeholder={models === null ? "Loading models…" : undefined}
      helpText={helpText ?? "Leave empty for the default model."}
      error={error}
    />
  );
}
