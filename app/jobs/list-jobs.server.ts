// The shop's jobs, newest first. ULIDs sort by creation time, so the cursor is simply the
// last public_id of the previous page and every page is one indexed range read. `before`
// walks back (the page of newer jobs just before a public_id), for a Previous button.
import { db } from "~/db.server";

export interface ListJobsQuery {
  shop: string;
  status?: string;
  kind?: string;
  productId?: string;
  cursor?: string;
  /** Instead of `cursor`: the page that ends just before (newer than) this public_id. */
  before?: string;
  limit: number;
}

export async function listJobs(query: ListJobsQuery) {
  const backwards = Boolean(query.before) && !query.cursor;
  const rows = await db().job.findMany({
    where: {
      shop: query.shop,
      ...(query.status ? { status: query.status } : {}),
      ...(query.kind ? { kind: query.kind } : {}),
      ...(query.productId ? { productId: query.productId } : {}),
      ...(query.cursor ? { publicId: { lt: query.cursor } } : backwards ? { publicId: { gt: query.before } } : {}),
    },
    orderBy: { publicId: backwards ? "asc" : "desc" },
    take: query.limit + 1,
    include: { artifacts: { where: { role: "final" }, orderBy: { id: "asc" } } },
  });
  const more = rows.length > query.limit;
  const page = rows.slice(0, query.limit);
  if (backwards) {
    page.reverse();
    // Walking back from `before`, that job itself (at least) is on the next page.
    return { jobs: page, nextCursor: page.length ? page[page.length - 1].publicId : null, previousCursor: more ? page[0].publicId : null };
  }
  return {
    jobs: page,
    nextCursor: more ? page[page.length - 1].publicId : null,
    /** Set when this page has newer jobs before it (i.e. it was reached with a cursor). */
    previousCursor: query.cursor && page.length ? page[0].publicId : null,
  };
}
