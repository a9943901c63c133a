// "Add to product": after review, the merchant adds a job's final image to its Shopify
// product's images through the Admin API (productUpdate with a media input). Shopify fetches
// the image itself from a presigned URL, asynchronously, so that URL lives longer than a page's.
import type { Job } from "@prisma/client";
import { db } from "~/db.server";
import { appBlobStore } from "~/storage/app-blob-store.server";
import { finalArtifacts, getOwnedJob } from "./find-job.server";
import type { AdminGraphql } from "./product-images.server";

/** Shopify downloads new media in the background; an hour leaves room for its queue. */
export const MEDIA_SOURCE_TTL_SECONDS = 3600;
/**
 * An Add to product request claims the job for this long: a second request meanwhile (another
 * tab, a double submit) would add the image twice. Longer than any Admin API call; a claim left
 * by a crashed process expires.
 */
export const MEDIA_CLAIM_MS = 2 * 60_000;

export const ADD_PRODUCT_MEDIA_MUTATION = `#graphql
  mutation StudioAddProductMedia($product: ProductUpdateInput!, $media: [CreateMediaInput!]) {
    productUpdate(product: $product, media: $media) {
      product {
        id
        media(last: 1) { nodes { id } }
      }
      userErrors { field message }
    }
  }`;

export type AddToProductOutcome =
  | { ok: true; job: Job; added: boolean }
  | { ok: false; reason: "not_found" | "not_succeeded" | "no_product" | "no_image" | "in_progress" | "shopify"; message: string };

type MutationBody = {
  data?: { productUpdate?: { product?: { id?: string; media?: { nodes?: { id?: string }[] } } | null; userErrors?: { message?: string }[] } | null };
  errors?: unknown;
};

/**
 * Adds the job's JPEG final (the format every theme and channel takes) to its product, once:
 * a job whose image was added already answers `added: false` without a second request.
 */
export async function addFinalToProduct(graphql: AdminGraphql, shop: string, publicId: string): Promise<AddToProductOutcome> {
  const job = await getOwnedJob(shop, publicId);
  if (!job) return { ok: false, reason: "not_found", message: "Job not found" };
  if (job.status !== "succeeded") return { ok: false, reason: "not_succeeded", message: "Only a finished job's image can be added to a product" };
  if (!job.productId) return { ok: false, reason: "no_product", message: "This job isn't linked to a product" };
  if (job.productMediaId) return { ok: true, job, added: false };
  const finals = await finalArtifacts(job.id);
  const image = finals.find((artifact) => artifact.contentType === "image/jpeg") ?? finals[0];
  if (!image) return { ok: false, reason: "no_image", message: "This job has no final image" };

  const claimedAt = new Date();
  const { count } = await db().job.updateMany({
    where: { id: job.id, productMediaId: null, OR: [{ mediaClaimedAt: null }, { mediaClaimedAt: { lt: new Date(claimedAt.getTime() - MEDIA_CLAIM_MS) } }] },
    data: { mediaClaimedAt: claimedAt },
  });
  if (count !== 1) {
    const now = await db().job.findUniqueOrThrow({ where: { id: job.id } });
    if (now.productMediaId) return { ok: true, job: now, added: false };
    return { ok: false, reason: "in_progress", message: "This image is being added to the product already" };
  }
  let outcome: AddToProductOutcome | undefined;
  try {
    outcome = await addClaimed(graphql, job, image);
    return outcome;
  } finally {
    // Failed or thrown (a re-authentication): the merchant may try again at once. Only this
    // request's claim is released: a stale one may have been taken over meanwhile.
    if (!outcome?.ok) await db().job.updateMany({ where: { id: job.id, mediaClaimedAt: claimedAt }, data: { mediaClaimedAt: null } });
  }
}

async function addClaimed(graphql: AdminGraphql, job: Job, image: Awaited<ReturnType<typeof finalArtifacts>>[number]): Promise<AddToProductOutcome> {
  const originalSource = await appBlobStore().presign(image.storageKey, { contentType: image.contentType, ttlSeconds: MEDIA_SOURCE_TTL_SECONDS });
  let body: MutationBody;
  try {
    const response = await graphql(ADD_PRODUCT_MEDIA_MUTATION, {
      // a product job's name is the product's title (good alt text); an upload's is a file name
      variables: { product: { id: job.productId }, media: [{ originalSource, mediaContentType: "IMAGE", alt: job.sourceUrl ? (job.sourceName ?? "") : "" }] },
    });
    body = (await response.json()) as MutationBody;
  } catch (error) {
    // A Response is the library asking for re-authentication: let it through.
    if (error instanceof Response) throw error;
    return { ok: false, reason: "shopify", message: "Shopify didn't answer. Try again in a moment." };
  }
  const result = body.data?.productUpdate;
  const problem = result?.userErrors?.find((e) => e.message)?.message;
  const mediaId = result?.product?.media?.nodes?.[0]?.id;
  if (problem || !result?.product || !mediaId) {
    return { ok: false, reason: "shopify", message: `Shopify didn't add the image: ${problem ?? (result?.product === null ? "the product no longer exists" : "no media came back")}` };
  }
  const updated = await db().job.update({ where: { id: job.id }, data: { productMediaId: mediaId, mediaClaimedAt: null } });
  return { ok: true, job: updated, added: true };
}
