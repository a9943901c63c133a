// Job: its live timeline (polled from /v1 while it runs), progress by stage, the result beside
// the source, cost, and Cancel job / Run again.
import { useEffect, useId, useRef, type ReactNode } from "react";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { useFetcher, useLoaderData, useNavigate, useRevalidator, useSearchParams } from "@remix-run/react";
import { Badge, Banner, BlockStack, Box, Button, Card, EmptyState, InlineStack, Layout, Link, Page, Text, Thumbnail } from "@shopify/polaris";
import { TitleBar } from "@shopify/app-bridge-react";
import { authenticate } from "~/shopify.server";
import { env } from "~/env.server";
import { finalArtifacts, getOwnedJob } from "~/jobs/find-job.server";
import { serializeJob } from "~/jobs/serialize.server";
import { cancelOwnedJobs } from "~/jobs/cancel-job.server";
import { rerunJob } from "~/jobs/rerun-job.server";
import { setPublished } from "~/jobs/publication.server";
import { addFinalToProduct } from "~/jobs/product-media.server";
import { isDemoMode } from "~/demo/demo-mode.server";
import { readPublicTimeline } from "~/timeline/read-events.server";
import { pipelineFor } from "~/pipelines/index.server";
import { costOf as costOfUnits } from "~/engine/run-job.server";
import { StatusBadge } from "~/components/StatusBadge";
import { StageProgress } from "~/components/StageProgress";
import { Timeline } from "~/components/Timeline";
import { ArtifactGrid, artifactTitle } from "~/components/ArtifactGrid";
import { BeforeAfter } from "~/components/BeforeAfter";
import { OptionsSummary } from "~/components/OptionsSummary";
import { EMPTY_JOBS_ILLUSTRATION } from "~/components/illustrations";
import {
  errorAdvice,
  formatBytes,
  formatCost,
  formatDateTime,
  formatDuration,
  isTerminal,
  jobName,
  kindLabel,
  productAdminUrl,
  stageLabel,
} from "~/components/job-format";
import { artifactsOf, costOf, errorOf, stageProgress, terminalEvent, timelineState } from "~/components/timeline-state";
import { useJobTimeline } from "~/components/useJobTimeline";
import { useDisplayTimeZone } from "~/components/useClientClock";
import { useFreshArtifactUrls } from "~/components/useFreshArtifactUrls";
import { readAdminForm } from "~/admin/admin-form.server";

export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const job = await getOwnedJob(session.shop, params.publicId ?? "");
  if (!job) return json({ found: false as const }, { status: 404 });
  const [detail, timeline] = await Promise.all([finalArtifacts(job.id).then((finals) => serializeJob(job, finals)), readPublicTimeline(job)]);
  const pipeline = pipelineFor(job.kind);
  const stages = pipeline?.stages.map((stage) => stage.name) ?? [...new Set(timeline.events.flatMap((e) => (e.event_type === "stage" && e.stage ? [e.stage] : [])))];
  return json({
    found: true as const,
    job: detail,
    name: jobName(job),
    events: timeline.events,
    stages,
    cost: isTerminal(job.status) ? costOfUnits(job.costUnits) : null,
    startedAt: job.startedAt?.toISOString() ?? null,
    finishedAt: job.finishedAt?.toISOString() ?? null,
    publishedAt: job.publishedAt?.toISOString() ?? null,
    addedToProduct: job.productMediaId !== null,
    productUnavailable: isDemoMode() ? "The local preview isn't connected to a Shopify store, so it can't add images to products." : null,
    canRerun: Boolean(pipeline) && Boolean(job.sourceKey || job.sourceUrl),
    now: Date.now(),
    urlTtlSeconds: env().ARTIFACT_URL_TTL_SECONDS,
  });
};

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.found ? `${data.name} · Studio` : "Job not found · Studio" }];

export const action = async ({ request, params }: ActionFunctionArgs) => {
  const { session, admin } = await authenticate.admin(request);
  const form = await readAdminForm(request);
  const publicId = params.publicId ?? "";
  const intent = form.get("intent");
  if (intent === "cancel") {
    const tally = await cancelOwnedJobs(session.shop, [publicId]);
    if (tally.not_found) return { intent, ok: false, message: "Job not found" };
    if (tally.finished) return { intent, ok: false, message: "This job already finished" };
    return { intent, ok: true, message: tally.requested ? "Cancelling after the current stage" : "Job cancelled" };
  }
  if (intent === "publish" || intent === "unpublish") {
    const outcome = await setPublished(session.shop, publicId, intent === "publish");
    if (!outcome.ok) return { intent, ok: false, message: outcome.reason === "not_found" ? "Job not found" : "Only a finished job can be published" };
    return { intent, ok: true, message: intent === "publish" ? "Published to your storefront" : "Removed from your storefront" };
  }
  if (intent === "add-to-product") {
    const outcome = await addFinalToProduct(admin.graphql, session.shop, publicId);
    if (!outcome.ok) return { intent, ok: false, message: outcome.message };
    return { intent, ok: true, message: outcome.added ? "Added to the product's images" : "Already in the product's images" };
  }
  if (intent === "rerun") {
    const key = String(form.get("submission") ?? "");
    const result = await rerunJob(session.shop, publicId, { idempotencyKey: /^[\w-]{8,64}$/.test(key) ? `admin-rerun-${publicId}-${key}` : null });
    if (!result.ok) return { intent, ok: false, message: result.message };
    throw redirect(`/app/jobs/${result.job.publicId}?created=1`);
  }
  return { intent: null, ok: false, message: "Unknown action" };
};

export default function JobPage() {
  const data = useLoaderData<typeof loader>();
  if (!data.found) return <JobNotFound />;
  return <JobView key={data.job.public_id} data={data} />;
}

function JobNotFound() {
  return (
    <Page>
      <TitleBar title="Job not found" />
      <Card>
        <EmptyState heading="This job doesn't exist" action={{ content: "Go to jobs", url: "/app" }} image={EMPTY_JOBS_ILLUSTRATION}>
          <p>It may belong to another store, or the link is incomplete.</p>
        </EmptyState>
      </Card>
    </Page>
  );
}

type Loaded = Extract<ReturnType<typeof useLoaderData<typeof loader>>, { found: true }>;

function JobView({ data }: { data: Loaded }) {
  const { job } = data;
  const navigate = useNavigate();
  const revalidator = useRevalidator();
  const timeZone = useDisplayTimeZone();
  const progressLabel = useId();
  useFreshArtifactUrls(data.urlTtlSeconds, data.now);
  // On the terminal event, reload the job for its final state (status, final artifacts, cost).
  const { events, pollErrors } = useJobTimeline(job.public_id, data.events, () => revalidator.revalidate());

  const state = timelineState(events);
  const running = state === "queued" || state === "running";
  const progress = stageProgress(data.stages, events);
  const end = terminalEvent(events);
  const error = errorOf(end);
  const cost = costOf(end) ?? data.cost;
  const finals = job.final_artifacts.length ? job.final_artifacts : artifactsOf(events, "final");
  const source = artifactsOf(events, "intermediate").find((artifact) => artifact.kind === "source");
  const shown = finals.find((artifact) => (artifact.meta as { format?: string }).format === "jpeg") ?? finals[0];
  const latest = events[events.length - 1];
  const productUrl = productAdminUrl(job.product_id);

  const cancel = useFetcher<typeof action>();
  const rerun = useFetcher<typeof action>();
  const publication = useFetcher<typeof action>();
  const addToProduct = useFetcher<typeof action>();
  const busy = cancel.state !== "idle" || rerun.state !== "idle";
  const rerunKey = useRef<string | null>(null);
  const handled = useRef<unknown>(null);
  useEffect(() => {
    for (const fetcher of [cancel, rerun, publication, addToProduct]) {
      if (fetcher.state === "idle" && fetcher.data && handled.current !== fetcher.data) {
        handled.current = fetcher.data;
        shopify.toast.show(fetcher.data.message, { isError: !fetcher.data.ok });
      }
    }
  }, [cancel, rerun, publication, addToProduct]);

  // "Job created" after the new-job form or Run again (once: the URL changes a moment later).
  const [searchParams] = useSearchParams();
  const created = searchParams.get("created") === "1";
  const announced = useRef(false);
  useEffect(() => {
    if (!created || announced.current) return;
    announced.current = true;
    shopify.toast.show("Job created");
    navigate(`/app/jobs/${job.public_id}`, { replace: true, preventScrollReset: true });
  }, [created, job.public_id, navigate]);

  const onCancel = () => cancel.submit({ intent: "cancel" }, { method: "post" });
  // Optimistic: the button flips at once; the loader's value returns after the action.
  const published = publication.formData ? publication.formData.get("intent") === "publish" : data.publishedAt !== null;
  const onPublish = () => publication.submit({ intent: published ? "unpublish" : "publish" }, { method: "post" });
  const onAddToProduct = () => addToProduct.submit({ intent: "add-to-product" }, { method: "post" });
  const onRerun = () => {
    rerunKey.current ??= crypto.randomUUID();
    rerun.submit({ intent: "rerun", submission: rerunKey.current }, { method: "post" });
  };

  const duration = data.startedAt && data.finishedAt ? new Date(data.finishedAt).getTime() - new Date(data.startedAt).getTime() : null;
  const headline = running
    ? state === "queued"
      ? "Waiting to start"
      : latest?.message
    : state === "succeeded"
      ? duration !== null
        ? `Finished in ${duration < 1000 ? "under a second" : formatDuration(duration)}`
        : "Finished"
      : end?.message;

  return (
    <Page>
      <TitleBar title={data.name}>
        <button variant="breadcrumb" onClick={() => navigate("/app")}>
          Jobs
        </button>
        {running ? (
          <button tone="critical" onClick={onCancel} disabled={busy}>
            Cancel job
          </button>
        ) : null}
        {!running && data.canRerun ? (
          <button variant="primary" onClick={onRerun} disabled={busy}>
            Run again
          </button>
        ) : null}
      </TitleBar>
      <Text as="h1" variant="headingLg" visuallyHidden>
        {data.name}
      </Text>
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            {state === "failed" && (
              <Banner
                tone="critical"
                title="This job failed"
                action={data.canRerun ? { content: "Run again", onAction: onRerun, disabled: busy } : undefined}
                secondaryAction={{ content: "Create job", url: "/app/jobs/new" }}
              >
                <BlockStack gap="100">
                  <p>{error?.message ?? end?.message}</p>
                  <p>{errorAdvice(error?.code)}</p>
                </BlockStack>
              </Banner>
            )}
            {state === "cancelled" && (
              <Banner tone="warning" title="This job was cancelled" action={data.canRerun ? { content: "Run again", onAction: onRerun, disabled: busy } : undefined}>
                <p>{error?.message ?? "The job was cancelled."}</p>
              </Banner>
            )}
            {pollErrors >= 3 && running && (
              <Banner tone="warning" title="Reconnecting">
                <p>Studio can't reach the server right now. The timeline updates again as soon as the connection is back.</p>
              </Banner>
            )}
            <Card>
              <BlockStack gap="400">
                <InlineStack align="space-between" blockAlign="center" gap="200">
                  <InlineStack gap="200" blockAlign="center">
                    <Text as="h2" variant="headingMd" id={progressLabel}>
                      Progress
                    </Text>
                    <StatusBadge status={state} />
                  </InlineStack>
                  {headline && (
                    <Text as="p" variant="bodyMd" tone="subdued">
                      {headline}
                    </Text>
                  )}
                </InlineStack>
                <StageProgress progress={progress} state={state} labelId={progressLabel} />
              </BlockStack>
            </Card>
            {shown && (
              <Card>
                <BlockStack gap="400">
                  <Text as="h2" variant="headingMd">
                    Result
                  </Text>
                  {source ? (
                    <BeforeAfter
                      before={source.image_url}
                      after={shown.image_url}
                      background={typeof job.options.background === "string" ? job.options.background : undefined}
                      aspectRatio={aspectOf(shown)}
                    />
                  ) : (
                    <div className="studio-full-image">
                      <img src={shown.image_url} alt={artifactTitle(shown)} />
                    </div>
                  )}
                  {/* Both need a product: the gallery block shows a product's published jobs. */}
                  {state === "succeeded" && productUrl && (
                    <>
                      <ResultAction
                        title="Storefront"
                        badge={<Badge tone={published ? "success" : undefined}>{published ? "Published" : "Not published"}</Badge>}
                        description={
                          published
                            ? `Shown by the Studio gallery block on this product's page${data.publishedAt ? ` since ${formatDateTime(data.publishedAt, timeZone)}` : ""}.`
                            : "Review the result, then publish it to show it in the Studio gallery block on your storefront."
                        }
                      >
                        <Button variant={published ? "secondary" : "primary"} onClick={onPublish} loading={publication.state !== "idle"}>
                          {published ? "Unpublish" : "Publish to storefront"}
                        </Button>
                      </ResultAction>
                      <ResultAction
                        title="Product images"
                        badge={data.addedToProduct ? <Badge tone="success">Added</Badge> : null}
                        description={
                          data.addedToProduct
                            ? "The JPEG is one of the product's images in Shopify."
                            : (data.productUnavailable ?? "Adds the JPEG to the product's images in Shopify, after the ones it has.")
                        }
                      >
                        {data.addedToProduct ? (
                          <Button url={productUrl} target="_top">
                            View product
                          </Button>
                        ) : (
                          <Button onClick={onAddToProduct} loading={addToProduct.state !== "idle"} disabled={Boolean(data.productUnavailable)}>
                            Add to product
                          </Button>
                        )}
                      </ResultAction>
                    </>
                  )}
                  <BlockStack gap="200">
                    <Text as="h3" variant="headingSm">
                      Files
                    </Text>
                    {finals.map((artifact, index) => {
                      const meta = artifact.meta as { format?: string; bytes?: number };
                      const extension = meta.format === "jpeg" ? "jpg" : (meta.format ?? "png");
                      return (
                        <InlineStack key={index} align="space-between" blockAlign="center" gap="300" wrap={false}>
                          <InlineStack gap="300" blockAlign="center" wrap={false}>
                            <Thumbnail source={artifact.image_url} alt="" size="small" />
                            <BlockStack gap="050">
                              <Text as="span" variant="bodyMd" fontWeight="medium">
                                {artifactTitle(artifact)}
                              </Text>
                              {typeof meta.bytes === "number" && (
                                <Text as="span" variant="bodySm" tone="subdued">
                                  {formatBytes(meta.bytes)}
                                </Text>
                              )}
                            </BlockStack>
                          </InlineStack>
                          <Button url={artifact.image_url} target="_blank" download={`${data.name.replace(/\.[^.]+$/, "")}-studio.${extension}`}>
                            Download
                          </Button>
                        </InlineStack>
                      );
                    })}
                  </BlockStack>
                </BlockStack>
              </Card>
            )}
            <Card>
              <BlockStack gap="400">
                <Text as="h2" variant="headingMd">
                  Timeline
                </Text>
                <Timeline events={events} timeZone={timeZone} />
              </BlockStack>
            </Card>
          </BlockStack>
        </Layout.Section>
        <Layout.Section variant="oneThird">
          <BlockStack gap="400">
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">
                  Details
                </Text>
                <Fact term="Kind">{kindLabel(job.kind)}</Fact>
                {productUrl && (
                  <Fact term="Product">
                    <Link url={productUrl} target="_top">
                      View product in Shopify
                    </Link>
                  </Fact>
                )}
                <Fact term="Created">{formatDateTime(job.created_at, timeZone)}</Fact>
                {duration !== null && <Fact term="Duration">{formatDuration(duration)}</Fact>}
                {running && progress.current && <Fact term="Current stage">{stageLabel(progress.current)}</Fact>}
                <Fact term="Cost">{running ? "Calculated when the job finishes" : formatCost(cost)}</Fact>
                <Fact term="Job ID">
                  <Text as="span" variant="bodySm" breakWord>
                    {job.public_id}
                  </Text>
                </Fact>
              </BlockStack>
            </Card>
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">
                  Options
                </Text>
                <OptionsSummary kind={job.kind} options={job.options} />
              </BlockStack>
            </Card>
            {source && !shown && (
              <Card>
                <BlockStack gap="300">
                  <Text as="h2" variant="headingMd">
                    Source
                  </Text>
                  <ArtifactGrid artifacts={[source]} />
                </BlockStack>
              </Card>
            )}
          </BlockStack>
        </Layout.Section>
      </Layout>
      <Box paddingBlockEnd="800" />
    </Page>
  );
}

function aspectOf(artifact: { meta: Record<string, unknown> }): number {
  const { width, height } = artifact.meta as { width?: number; height?: number };
  return width && height ? width / height : 1;
}

function Fact({ term, children }: { term: string; children: ReactNode }) {
  return (
    <BlockStack gap="050">
      <Text as="span" variant="bodySm" tone="subdued">
        {term}
      </Text>
      <Text as="span" variant="bodyMd">
        {children}
      </Text>
    </BlockStack>
  );
}

/** One thing to do with a finished result: a heading with its state, a line of help, a button. */
function ResultAction({ title, badge, description, children }: { title: string; badge: ReactNode; description: string; children: ReactNode }) {
  return (
    <InlineStack align="space-between" blockAlign="center" gap="300">
      <BlockStack gap="050">
        <InlineStack gap="200" blockAlign="center">
          <Text as="h3" variant="headingSm">
            {title}
          </Text>
          {badge}
        </InlineStack>
        <Text as="p" variant="bodySm" tone="subdued">
          {description}
        </Text>
      </BlockStack>
      {children}
    </InlineStack>
  );
}
