// Jobs: the shop's jobs, newest first, one page (25) at a time with cursor pagination in the
// URL, filters for status and kind, and bulk cancel.
import { useEffect, useMemo, useRef, useState } from "react";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useFetcher, useLoaderData, useNavigate, useNavigation, useRevalidator, useSearchParams } from "@remix-run/react";
import {
  Card,
  ChoiceList,
  EmptySearchResult,
  EmptyState,
  IndexFilters,
  IndexFiltersMode,
  IndexTable,
  Link,
  Page,
  Text,
  Thumbnail,
  useIndexResourceState,
} from "@shopify/polaris";
import { ImageIcon } from "@shopify/polaris-icons";
import { TitleBar } from "@shopify/app-bridge-react";
import { authenticate } from "~/shopify.server";
import { env } from "~/env.server";
import { listJobs } from "~/jobs/list-jobs.server";
import { jobThumbnails } from "~/jobs/job-thumbnails.server";
import { cancelOwnedJobs } from "~/jobs/cancel-job.server";
import { JOB_KINDS, JOB_STATUSES, ULID_PATTERN } from "~/jobs/job-kinds";
import { costOf } from "~/engine/run-job.server";
import { StatusBadge } from "~/components/StatusBadge";
import { EMPTY_JOBS_ILLUSTRATION } from "~/components/illustrations";
import { cancelSummary, formatAge, formatCost, isTerminal, jobName, kindLabel, plural, stageLabel, statusLook } from "~/components/job-format";
import { useNow } from "~/components/useClientClock";
import { useFreshArtifactUrls } from "~/components/useFreshArtifactUrls";
import { readAdminForm } from "~/admin/admin-form.server";

const PAGE_SIZE = 25;

const oneOf = <T extends string>(value: string | null, allowed: readonly T[]): T | undefined =>
  value !== null && (allowed as readonly string[]).includes(value) ? (value as T) : undefined;
const jobId = (value: string | null) => (value && ULID_PATTERN.test(value) ? value : undefined);

export const meta: MetaFunction = () => [{ title: "Jobs · Studio" }];

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const url = new URL(request.url);
  const status = oneOf(url.searchParams.get("status"), JOB_STATUSES);
  const kind = oneOf(url.searchParams.get("kind"), JOB_KINDS);
  const cursor = jobId(url.searchParams.get("cursor"));
  const before = cursor ? undefined : jobId(url.searchParams.get("before"));
  const query = { shop: session.shop, status, kind, limit: PAGE_SIZE };
  let page = await listJobs({ ...query, cursor, before });
  // Walked back to the newest jobs: that is the first page, shown in full.
  if (before && page.previousCursor === null) page = await listJobs(query);
  const thumbnails = await jobThumbnails(page.jobs);
  return {
    rows: page.jobs.map((job) => ({
      id: job.publicId,
      name: jobName(job),
      kind: job.kind,
      status: job.status,
      stage: job.stage,
      createdAt: job.createdAt.toISOString(),
      cost: isTerminal(job.status) ? costOf(job.costUnits) : null,
      thumbnail: thumbnails.get(job.publicId) ?? null,
    })),
    filters: { status: status ?? null, kind: kind ?? null },
    paged: Boolean(cursor || before),
    nextCursor: page.nextCursor,
    previousCursor: page.previousCursor,
    now: Date.now(),
    urlTtlSeconds: env().ARTIFACT_URL_TTL_SECONDS,
  };
};

export const action = async ({ request }: ActionFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const form = await readAdminForm(request);
  if (form.get("intent") !== "cancel") return { ok: false as const, message: "Unknown action" };
  const ids = form
    .getAll("id")
    .map(String)
    .filter((id) => ULID_PATTERN.test(id))
    .slice(0, 100);
  const tally = await cancelOwnedJobs(session.shop, ids);
  return { ok: true as const, message: cancelSummary(tally) };
};

const STATUS_CHOICES = JOB_STATUSES.map((value) => ({ value, label: statusLook(value).label }));
const KIND_CHOICES = JOB_KINDS.map((value) => ({ value, label: kindLabel(value) }));

export default function JobsIndex() {
  const data = useLoaderData<typeof loader>();
  const navigate = useNavigate();
  const navigation = useNavigation();
  const revalidator = useRevalidator();
  const [searchParams] = useSearchParams();
  const fetcher = useFetcher<typeof action>();
  const now = useNow(data.now);
  useFreshArtifactUrls(data.urlTtlSeconds, data.now);

  const { status, kind } = data.filters;
  const filtered = Boolean(status || kind);
  const [mode, setMode] = useState(filtered ? IndexFiltersMode.Filtering : IndexFiltersMode.Default);
  const { selectedResources, allResourcesSelected, handleSelectionChange, clearSelection } = useIndexResourceState(data.rows, {
    resourceIDResolver: (row) => row.id,
  });

  // Keep statuses current while jobs run.
  const active = data.rows.some((row) => !isTerminal(row.status));
  const revalidate = useRef(revalidator);
  revalidate.current = revalidator;
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => {
      if (document.visibilityState === "visible" && revalidate.current.state === "idle") revalidate.current.revalidate();
    }, 5000);
    return () => clearInterval(timer);
  }, [active]);

  // "N jobs created" after the new-job form, once.
  const created = Number(searchParams.get("created") ?? 0);
  const announced = useRef(false);
  useEffect(() => {
    if (!(created > 0) || announced.current) return;
    announced.current = true;
    shopify.toast.show(`${plural(created, "job")} created`);
    navigate(listUrl({ status, kind }), { replace: true, preventScrollReset: true });
  }, [created, navigate, status, kind]);

  // The bulk cancel's result, once per submission.
  const shown = useRef<unknown>(null);
  useEffect(() => {
    if (fetcher.state !== "idle" || !fetcher.data || shown.current === fetcher.data) return;
    shown.current = fetcher.data;
    shopify.toast.show(fetcher.data.message, { isError: !fetcher.data.ok });
    clearSelection();
  }, [fetcher.state, fetcher.data, clearSelection]);

  const go = (params: { status?: string | null; kind?: string | null; cursor?: string | null; before?: string | null }) =>
    navigate(listUrl(params), { preventScrollReset: true });
  const setFilter = (name: "status" | "kind", value: string | undefined) => go({ status, kind, [name]: value ?? null });

  const filters = [
    {
      key: "status",
      label: "Status",
      pinned: true,
      shortcut: true,
      filter: (
        <ChoiceList title="Status" titleHidden choices={STATUS_CHOICES} selected={status ? [status] : []} onChange={(value) => setFilter("status", value[0])} />
      ),
    },
    {
      key: "kind",
      label: "Kind",
      pinned: true,
      shortcut: true,
      filter: <ChoiceList title="Kind" titleHidden choices={KIND_CHOICES} selected={kind ? [kind] : []} onChange={(value) => setFilter("kind", value[0])} />,
    },
  ];
  const appliedFilters = [
    ...(status ? [{ key: "status", label: `Status: ${statusLook(status).label}`, onRemove: () => setFilter("status", undefined) }] : []),
    ...(kind ? [{ key: "kind", label: `Kind: ${kindLabel(kind)}`, onRemove: () => setFilter("kind", undefined) }] : []),
  ];
  const tabs = useMemo(() => [{ id: "all-jobs", content: "All jobs", isLocked: true }], []);

  const cancelSelected = () => {
    const form = new FormData();
    form.set("intent", "cancel");
    const ids = allResourcesSelected ? data.rows.map((row) => row.id) : selectedResources;
    for (const id of ids) form.append("id", id);
    fetcher.submit(form, { method: "post" });
  };

  const empty = data.rows.length === 0 && !filtered && !data.paged;
  const loading = navigation.state === "loading" && navigation.location.pathname === "/app";

  return (
    <Page>
      <TitleBar title="Jobs">
        <button variant="primary" onClick={() => navigate("/app/jobs/new")}>
          Create job
        </button>
      </TitleBar>
      <Text as="h1" variant="headingLg" visuallyHidden>
        Jobs
      </Text>
      {empty ? (
        <Card>
          <EmptyState
            heading="Turn product photos into catalog images"
            action={{ content: "Create job", url: "/app/jobs/new" }}
            image={EMPTY_JOBS_ILLUSTRATION}
          >
            <p>Pick products or upload photos. Studio cuts out each product and places it on a clean studio background, ready for your store.</p>
          </EmptyState>
        </Card>
      ) : (
        <Card padding="0">
          <IndexFilters
            tabs={tabs}
            selected={0}
            onSelect={() => undefined}
            canCreateNewView={false}
            hideQueryField
            queryValue=""
            onQueryChange={() => undefined}
            onQueryClear={() => undefined}
            filters={filters}
            appliedFilters={appliedFilters}
            onClearAll={() => go({})}
            mode={mode}
            setMode={setMode}
            loading={loading}
          />
          <IndexTable
            resourceName={{ singular: "job", plural: "jobs" }}
            itemCount={data.rows.length}
            selectedItemsCount={allResourcesSelected ? "All" : selectedResources.length}
            onSelectionChange={handleSelectionChange}
            promotedBulkActions={[{ content: "Cancel jobs", onAction: cancelSelected, disabled: fetcher.state !== "idle" }]}
            emptyState={<EmptySearchResult title="No jobs found" description="Try changing the filters." withIllustration />}
            loading={loading}
            headings={[
              { title: "Image", hidden: true },
              { title: "Job" },
              { title: "Kind" },
              { title: "Status" },
              { title: "Stage" },
              { title: "Cost", alignment: "end" },
              { title: "Created" },
            ]}
            pagination={
              data.previousCursor || data.nextCursor
                ? {
                    hasPrevious: Boolean(data.previousCursor),
                    onPrevious: () => go({ status, kind, before: data.previousCursor }),
                    hasNext: Boolean(data.nextCursor),
                    onNext: () => go({ status, kind, cursor: data.nextCursor }),
                    accessibilityLabels: { previous: "Previous page", next: "Next page" },
                  }
                : undefined
            }
          >
            {data.rows.map((row, index) => (
              <IndexTable.Row id={row.id} key={row.id} position={index} selected={selectedResources.includes(row.id)}>
                <IndexTable.Cell>
                  <Thumbnail source={row.thumbnail ?? ImageIcon} alt="" size="small" />
                </IndexTable.Cell>
                <IndexTable.Cell>
                  <Link url={`/app/jobs/${row.id}`} dataPrimaryLink monochrome removeUnderline>
                    <Text as="span" variant="bodyMd" fontWeight="semibold">
                      {row.name}
                    </Text>
                  </Link>
                </IndexTable.Cell>
                <IndexTable.Cell>{kindLabel(row.kind)}</IndexTable.Cell>
                <IndexTable.Cell>
                  <StatusBadge status={row.status} />
                </IndexTable.Cell>
                <IndexTable.Cell>{row.stage ? stageLabel(row.stage) : "—"}</IndexTable.Cell>
                <IndexTable.Cell>
                  <Text as="span" alignment="end" numeric>
                    {formatCost(row.cost)}
                  </Text>
                </IndexTable.Cell>
                <IndexTable.Cell>
                  <time dateTime={row.createdAt}>{formatAge(row.createdAt, now)}</time>
                </IndexTable.Cell>
              </IndexTable.Row>
            ))}
          </IndexTable>
        </Card>
      )}
    </Page>
  );
}

function listUrl(params: { status?: string | null; kind?: string | null; cursor?: string | null; before?: string | null }): string {
  const search = new URLSearchParams();
  for (const name of ["status", "kind", "cursor", "before"] as const) {
    const value = params[name];
    if (value) search.set(name, value);
  }
  const query = search.toString();
  return query ? `/app?${query}` : "/app";
}
