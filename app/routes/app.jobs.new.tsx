// New job: products (App Bridge resource picker; one job per featured image) and/or uploaded
// photos (one job each), the job type, and its options with their defaults. Jobs are created
// by the same service code as POST /v1/jobs; problems show inline, next to what caused them.
import { useCallback, useEffect, useRef, useState } from "react";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { useActionData, useLoaderData, useNavigate, useNavigation, useSubmit } from "@remix-run/react";
import {
  Banner,
  BlockStack,
  Button,
  Card,
  ChoiceList,
  Divider,
  DropZone,
  InlineError,
  InlineStack,
  Layout,
  List,
  Page,
  PageActions,
  Text,
  Thumbnail,
} from "@shopify/polaris";
import { ProductIcon, XIcon } from "@shopify/polaris-icons";
import { TitleBar } from "@shopify/app-bridge-react";
import { authenticate } from "~/shopify.server";
import { createJob } from "~/jobs/create-job.server";
import { ApiError } from "~/api/errors.server";
import { isDemoMode } from "~/demo/demo-mode.server";
import { kindChoices, kindDescription, parseNewJobs } from "~/admin/new-jobs.server";
import { MAX_PRODUCTS, MAX_UPLOADS, type NewJobsErrors } from "~/admin/new-jobs.shared";
import { CatalogOptionsForm, GenericOptionsForm } from "~/components/OptionsForm";
import { formatBytes, formatCost, humanize, plural } from "~/components/job-format";

export const meta: MetaFunction = () => [{ title: "New job · Studio" }];

export const loader = async ({ request }: LoaderFunctionArgs) => {
  await authenticate.admin(request);
  return { kinds: kindChoices().map((choice) => ({ ...choice, description: kindDescription(choice.kind) })) };
};

export const action = async ({ request }: ActionFunctionArgs) => {
  const { session, admin } = await authenticate.admin(request);
  const result = await parseNewJobs({
    request,
    shop: session.shop,
    graphql: admin.graphql,
    productsUnavailable: isDemoMode()
      ? "the local preview isn't connected to a Shopify store, so Studio can't fetch this product's image. Upload a photo of it instead."
      : undefined,
  });
  if (!result.ok) return json({ errors: result.errors }, { status: 422 });
  const created = [];
  for (const input of result.inputs) {
    try {
      created.push((await createJob(input)).job.publicId);
    } catch (error) {
      // (the chosen model deleted after the form was checked; jobs created so far stay)
      if (!(error instanceof ApiError) || error.status !== 422) throw error;
      const errors: NewJobsErrors = { form: [`The model was deleted while the jobs were created${created.length ? ` (${created.length} created)` : ""}. Choose another model.`], options: {}, images: {}, products: {} };
      return json({ errors }, { status: 422 });
    }
  }
  throw redirect(created.length === 1 ? `/app/jobs/${created[0]}?created=1` : `/app?created=${created.length}`);
};

type Product = { id: string; title: string; image: string | null };
type Upload = { key: string; file: File; preview: string };
const ACCEPTED = ["image/png", "image/jpeg", "image/webp"];

export default function NewJob() {
  const { kinds } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const submit = useSubmit();
  const navigation = useNavigation();
  const navigate = useNavigate();
  const submitting = navigation.state === "submitting";

  const firstAvailable = kinds.find((k) => k.available)?.kind ?? "catalog_image";
  const [kind, setKind] = useState(firstAvailable);
  const choice = kinds.find((k) => k.kind === kind) ?? kinds[0];
  const [optionValues, setOptionValues] = useState<Record<string, Record<string, unknown>>>(() =>
    Object.fromEntries(kinds.map((k) => [k.kind, { ...k.defaults }])),
  );
  const [products, setProducts] = useState<Product[]>([]);
  const [uploads, setUploads] = useState<Upload[]>([]);
  const [rejected, setRejected] = useState<string[]>([]);
  const [errors, setErrors] = useState<NewJobsErrors | null>(null);
  const submission = useRef<string | null>(null);

  // Server problems arrive with the action's answer; they stay until what they are about changes.
  useEffect(() => {
    if (actionData?.errors) {
      setErrors(actionData.errors);
      submission.current = null;
    }
  }, [actionData]);

  // Object URLs for upload previews are released with the upload.
  const previews = useRef(uploads);
  previews.current = uploads;
  useEffect(() => () => previews.current.forEach((upload) => URL.revokeObjectURL(upload.preview)), []);

  const jobCount = products.length + uploads.length;
  const values = optionValues[kind] ?? {};
  const setValue = useCallback(
    (name: string, value: unknown) => {
      setOptionValues((all) => ({ ...all, [kind]: { ...all[kind], [name]: value } }));
      setErrors((current) => (current ? { ...current, options: {} } : current));
    },
    [kind],
  );

  const pickProducts = async () => {
    const selection = await shopify.resourcePicker({
      type: "product",
      multiple: MAX_PRODUCTS,
      action: "select",
      selectionIds: products.map((product) => ({ id: product.id })),
    });
    if (!selection) return;
    setProducts(
      selection.map((product) => ({
        id: product.id,
        title: product.title ?? "Untitled product",
        image: product.images?.[0]?.originalSrc ?? null,
      })),
    );
    setErrors((current) => (current ? { ...current, products: {}, sources: undefined } : current));
  };

  const onDrop = (_all: File[], accepted: File[], refused: File[]) => {
    const room = MAX_UPLOADS - uploads.length;
    const added = accepted.slice(0, Math.max(0, room)).map((file) => ({ key: `${file.name}-${file.size}-${Math.random()}`, file, preview: URL.createObjectURL(file) }));
    const problems = refused.map((file) => `${file.name} isn't a PNG, JPEG or WebP image.`);
    if (accepted.length > room) problems.push(`You can upload ${MAX_UPLOADS} images at a time.`);
    setRejected(problems);
    setUploads((current) => [...current, ...added]);
    setErrors((current) => (current ? { ...current, images: {}, sources: undefined } : current));
  };

  const removeUpload = (key: string) => {
    setUploads((current) => {
      const gone = current.find((upload) => upload.key === key);
      if (gone) URL.revokeObjectURL(gone.preview);
      return current.filter((upload) => upload.key !== key);
    });
    setErrors((current) => (current ? { ...current, images: {} } : current));
  };

  const backgroundInvalid = kind === "catalog_image" && typeof values.background === "string" && !/^#[0-9a-fA-F]{6}$/.test(values.background);

  const create = () => {
    if (jobCount === 0) {
      setErrors({ form: [], options: {}, images: {}, products: {}, sources: "Choose products or upload images to create jobs from." });
      return;
    }
    submission.current ??= crypto.randomUUID();
    const form = new FormData();
    form.set("kind", kind);
    form.set("options", JSON.stringify(cleanOptions(values)));
    form.set("submission", submission.current);
    for (const upload of uploads) form.append("image", upload.file, upload.file.name);
    for (const product of products) form.append("product", JSON.stringify({ id: product.id, title: product.title }));
    submit(form, { method: "post", encType: "multipart/form-data" });
  };

  const problems = errors ? summarize(errors, uploads, products) : [];
  const createLabel = jobCount > 1 ? `Create ${jobCount} jobs` : "Create job";

  return (
    <Page>
      <TitleBar title="New job">
        <button variant="breadcrumb" onClick={() => navigate("/app")}>
          Jobs
        </button>
        <button variant="primary" onClick={create} disabled={submitting || backgroundInvalid}>
          {createLabel}
        </button>
      </TitleBar>
      <Text as="h1" variant="headingLg" visuallyHidden>
        New job
      </Text>
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            {problems.length > 0 && (
              <Banner tone="critical" title={problems.length === 1 ? "There is 1 problem with this job" : `There are ${problems.length} problems with these jobs`}>
                <List type="bullet">
                  {problems.map((problem, index) => (
                    <List.Item key={index}>{problem}</List.Item>
                  ))}
                </List>
              </Banner>
            )}
            <Card>
              <BlockStack gap="400">
                <BlockStack gap="100">
                  <Text as="h2" variant="headingMd">
                    Images
                  </Text>
                  <Text as="p" variant="bodyMd" tone="subdued">
                    Each product's featured image and each uploaded photo becomes its own job.
                  </Text>
                </BlockStack>
                <BlockStack gap="300">
                  <InlineStack align="space-between" blockAlign="center" gap="200">
                    <BlockStack gap="050">
                      <Text as="h3" variant="headingSm">
                        Products
                      </Text>
                      <Text as="p" variant="bodySm" tone="subdued">
                        Uses each product's featured image.
                      </Text>
                    </BlockStack>
                    <Button icon={ProductIcon} onClick={pickProducts}>
                      {products.length ? "Change products" : "Select products"}
                    </Button>
                  </InlineStack>
                  {products.map((product) => (
                    <SourceRow
                      key={product.id}
                      image={product.image}
                      title={product.title}
                      detail="Featured image"
                      error={errors?.products[product.id]}
                      onRemove={() => setProducts((current) => current.filter((p) => p.id !== product.id))}
                    />
                  ))}
                </BlockStack>
                <Divider />
                <BlockStack gap="300">
                  <Text as="h3" variant="headingSm">
                    Photos
                  </Text>
                  <DropZone
                    label="Upload photos"
                    labelHidden
                    accept={ACCEPTED.join(",")}
                    type="image"
                    allowMultiple
                    onDrop={onDrop}
                    error={Boolean(errors?.sources)}
                  >
                    <DropZone.FileUpload actionTitle="Add photos" actionHint={`PNG, JPEG or WebP, up to 20 MB each. ${MAX_UPLOADS} at a time.`} />
                  </DropZone>
                  {rejected.map((message) => (
                    <InlineError key={message} message={message} fieldID="studio-uploads" />
                  ))}
                  {uploads.map((upload, index) => (
                    <SourceRow
                      key={upload.key}
                      image={upload.preview}
                      title={upload.file.name}
                      detail={formatBytes(upload.file.size)}
                      error={errors?.images[index]}
                      onRemove={() => removeUpload(upload.key)}
                    />
                  ))}
                </BlockStack>
                {errors?.sources && <InlineError message={errors.sources} fieldID="studio-sources" />}
              </BlockStack>
            </Card>
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">
                  Job type
                </Text>
                <ChoiceList
                  title="Job type"
                  titleHidden
                  choices={kinds.map((k) => ({
                    value: k.kind,
                    label: k.label,
                    disabled: !k.available,
                    helpText: k.available ? k.description : `${k.description} Not available yet.`,
                  }))}
                  selected={[kind]}
                  onChange={(selected) => {
                    setKind(selected[0]);
                    setErrors((current) => (current ? { ...current, kind: undefined, options: {} } : current));
                  }}
                  error={errors?.kind}
                />
              </BlockStack>
            </Card>
            <Card>
              <BlockStack gap="400">
                <Text as="h2" variant="headingMd">
                  Options
                </Text>
                {kind === "catalog_image" ? (
                  <CatalogOptionsForm values={values} defaults={choice.defaults} onChange={setValue} errors={errors?.options ?? {}} />
                ) : (
                  <GenericOptionsForm kind={kind} fields={choice.fields} values={values} onChange={setValue} errors={errors?.options ?? {}} />
                )}
                {errors?.options[""] && <InlineError message={errors.options[""]} fieldID="studio-options" />}
              </BlockStack>
            </Card>
          </BlockStack>
        </Layout.Section>
        <Layout.Section variant="oneThird">
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">
                Summary
              </Text>
              <Text as="p" variant="bodyMd">
                {jobCount === 0 ? "No images chosen yet" : `${plural(jobCount, "job")}: ${summaryParts(products.length, uploads.length)}`}
              </Text>
              <Text as="p" variant="bodyMd" tone="subdued">
                {choice.available && choice.baseCost > 0 ? `${formatCost({ amount: choice.baseCost, currency: "USD" })} per job` : "Cost depends on the options"}
              </Text>
              <Text as="p" variant="bodyMd" tone="subdued">
                Jobs run in the background. You can leave this page once they're created.
              </Text>
            </BlockStack>
          </Card>
        </Layout.Section>
        <Layout.Section>
          <PageActions
            primaryAction={{ content: createLabel, onAction: create, loading: submitting, disabled: backgroundInvalid }}
            secondaryActions={[{ content: "Cancel", url: "/app", disabled: submitting }]}
          />
        </Layout.Section>
      </Layout>
    </Page>
  );
}

function SourceRow({ image, title, detail, error, onRemove }: { image: string | null; title: string; detail: string; error?: string; onRemove: () => void }) {
  return (
    <BlockStack gap="100">
      <InlineStack align="space-between" blockAlign="center" gap="300" wrap={false}>
        <InlineStack gap="300" blockAlign="center" wrap={false}>
          <Thumbnail source={image ?? ProductIcon} alt="" size="small" />
          <BlockStack gap="050">
            <Text as="span" variant="bodyMd" fontWeight="medium" truncate>
              {title}
            </Text>
            <Text as="span" variant="bodySm" tone="subdued">
              {detail}
            </Text>
          </BlockStack>
        </InlineStack>
        <Button icon={XIcon} variant="tertiary" accessibilityLabel={`Remove ${title}`} onClick={onRemove} />
      </InlineStack>
      {error && <InlineError message={error} fieldID={`source-${title}`} />}
    </BlockStack>
  );
}

function summaryParts(products: number, uploads: number): string {
  const parts: string[] = [];
  if (products) parts.push(plural(products, "product"));
  if (uploads) parts.push(plural(uploads, "photo"));
  return parts.join(" and ");
}

/** Empty fields are left out, so the kind's defaults apply. */
function cleanOptions(values: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== "" && value !== undefined && value !== null));
}

function summarize(errors: NewJobsErrors, uploads: Upload[], products: Product[]): string[] {
  const lines = [...errors.form];
  if (errors.kind) lines.push(errors.kind);
  if (errors.sources) lines.push(errors.sources);
  for (const [name, message] of Object.entries(errors.options)) lines.push(name ? `${humanize(name)}: ${message}` : message);
  for (const [index, message] of Object.entries(errors.images)) lines.push(`${uploads[Number(index)]?.file.name ?? "Image"}: ${message}`);
  for (const [id, message] of Object.entries(errors.products)) {
    const title = products.find((product) => product.id === id)?.title;
    lines.push(title && !message.includes(title) ? `${title}: ${message}` : message);
  }
  return lines;
}
