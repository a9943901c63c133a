// What the storefront may see: the final images of jobs a merchant published, and nothing
// else (no queued, running or unpublished job, no intermediate artifact).
import type { Prisma } from "@prisma/client";
import { db } from "~/db.server";
import { serializeArtifact } from "~/jobs/serialize.server";
import type { PublishedJobT } from "~/api/schemas";
import { ULID_PATTERN } from "~/jobs/job-kinds";

/** A product page shows a handful of images; older publications stay stored, just not listed. */
export const MAX_PUBLISHED_PER_PRODUCT = 20;

/** Storefront pages may reuse an answer briefly; its URLs live much longer than this. */
export const STOREFRONT_CACHE = { "Cache-Control": "private, max-age=60" };

const published = (shop: string) => ({ shop, status: "succeeded", publishedAt: { not: null } }) satisfies Prisma.JobWhereInput;
const withFinals = { artifacts: { where: { role: "final" }, orderBy: { id: "asc" } } } satisfies Prisma.JobInclude;
type JobWithFinals = Prisma.JobGetPayload<{ include: typeof withFinals }>;

export async function publishedJobsForProduct(shop: string, productId: string): Promise<PublishedJobT[]> {
  const jobs = await db().job.findMany({
    where: { ...published(shop), productId },
    orderBy: [{ publishedAt: "desc" }, { id: "desc" }],
    take: MAX_PUBLISHED_PER_PRODUCT,
    include: withFinals,
  });
  return Promise.all(jobs.map(serializePublished));
}

/** One published job of the shop, or null (unknown, foreign, unpublished or unfinished alike). */
export async function publishedJob(shop: string, publicId: string): Promise<PublishedJobT | null> {
  if (!ULID_PATTERN.test(publicId)) return null;
  const job = await db().job.findFirst({ where: { ...published(shop), publicId }, include: withFinals });
  return job ? serializePublished(job) : null;
}

async function serializePublished(job: JobWithFinals): Promise<PublishedJobT> {
  return {
    public_id: job.publicId,
    kind: job.kind as PublishedJobT["kind"],
    product_id: job.productId,
    published_at: job.publishedAt!.toISOString(),
    images: await Promise.all(job.artifacts.map(serializeArtifact)),
  };
}
