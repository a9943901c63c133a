// The featured image of each product, through the Admin API with the shop's session: one
// `nodes` query for the lot. A product job's source is that image's Shopify CDN URL (the only
// kind of URL a job may fetch).
import { isAllowedSourceUrl } from "./source-url";
import { PRODUCT_GID } from "./job-kinds";

/** `admin.graphql` from authenticate.admin, or anything with its shape. */
export type AdminGraphql = (query: string, options?: { variables?: Record<string, unknown> }) => Promise<Response>;

export type FeaturedImage = { ok: true; title: string; url: string } | { ok: false; message: string };

export const FEATURED_IMAGES_QUERY = `#graphql
  query StudioFeaturedImages($ids: [ID!]!) {
    nodes(ids: $ids) {
      ... on Product {
        id
        title
        featuredMedia {
          ... on MediaImage {
            image { url }
          }
        }
      }
    }
  }`;

type ProductNode = { id?: string; title?: string; featuredMedia?: { image?: { url?: string } | null } | null } | null;

const BATCH = 250; // the Admin API's limit for `nodes(ids:)`

/** Keyed by product id; ids that are not product GIDs are refused without a request. */
export async function fetchFeaturedImages(graphql: AdminGraphql, productIds: readonly string[]): Promise<Map<string, FeaturedImage>> {
  const result = new Map<string, FeaturedImage>();
  const ids = [...new Set(productIds)].filter((id) => {
    if (PRODUCT_GID.test(id)) return true;
    result.set(id, { ok: false, message: "This isn't a product ID." });
    return false;
  });
  for (let start = 0; start < ids.length; start += BATCH) {
    const batch = ids.slice(start, start + BATCH);
    let nodes: ProductNode[];
    try {
      const response = await graphql(FEATURED_IMAGES_QUERY, { variables: { ids: batch } });
      const body = (await response.json()) as { data?: { nodes?: ProductNode[] }; errors?: unknown };
      if (!body.data?.nodes) throw new Error(`no data: ${JSON.stringify(body.errors ?? body).slice(0, 200)}`);
      nodes = body.data.nodes;
    } catch (error) {
      // A Response is the library asking for re-authentication: let it through.
      if (error instanceof Response) throw error;
      for (const id of batch) result.set(id, { ok: false, message: "Shopify didn't return this product. Try again in a moment." });
      continue;
    }
    batch.forEach((id, index) => {
      const node = nodes[index];
      if (!node || node.id !== id) {
        result.set(id, { ok: false, message: "This product no longer exists." });
        return;
      }
      const title = node.title ?? "Untitled product";
      const url = node.featuredMedia?.image?.url;
      if (!url) result.set(id, { ok: false, message: `“${title}” has no featured image. Add one in Shopify, or upload a photo.` });
      else if (!isAllowedSourceUrl(url)) result.set(id, { ok: false, message: `The image of “${title}” isn't on Shopify's CDN.` });
      else result.set(id, { ok: true, title, url });
    });
  }
  return result;
}
