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
  | { ok: false; reason: "not_found" | "not_succeeded" | "no_product" | "no_image" | "shopify"; message: string };

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
  const updated = await db().job.update({ where: { id: job.id }, data: { productMediaId: mediaId } });
  return { ok: true, job: updated, added: true };
}
