// shop/redact (GDPR): 48 hours after a shop uninstalls Studio, Shopify asks the app to erase
// what it holds for that shop. Studio holds jobs (events and artifacts go with them), their
// blobs, the shop's own model photos and its sessions; no customer data at all.
import { db } from "~/db.server";
import { deleteBlobs } from "~/storage/app-blob-store.server";

/** Jobs are erased in pages so a shop with a long history never loads it all at once. */
const PAGE = 100;

export interface ErasedTally {
  jobs: number;
  blobs: number;
  models: number;
}

/** Idempotent: Shopify may send the webhook more than once. Rows go only after their blobs. */
export async function eraseShopData(shop: string): Promise<ErasedTally> {
  const tally: ErasedTally = { jobs: 0, blobs: 0, models: 0 };
  for (;;) {
    const jobs = await db().job.findMany({ where: { shop }, select: { id: true }, orderBy: { id: "asc" }, take: PAGE });
    if (jobs.length === 0) break;
    const ids = jobs.map((job) => job.id);
    const keys = await blobKeysOf(db(), ids);
    tally.blobs += await deleteBlobs(keys);
    // A running job may commit a stage meanwhile. Taking its row first (a write: PostgreSQL
    // locks the rows, SQLite the database) holds that commit off until the rows are gone, and
    // the engine then deletes the stage's blobs itself; keys committed before are read again.
    const { count, late } = await db().$transaction(async (tx) => {
      await tx.job.updateMany({ where: { id: { in: ids } }, data: { leaseOwner: "erasing", leaseExpiresAt: null } });
      const again = await blobKeysOf(tx, ids);
      const { count } = await tx.job.deleteMany({ where: { id: { in: ids } } });
      const seen = new Set(keys);
      return { count, late: again.filter((key) => !seen.has(key)) };
    });
    tally.blobs += await deleteBlobs(late);
    tally.jobs += count;
  }
  const models = await db().studioModel.findMany({ where: { shop }, select: { id: true, storageKey: true } });
  tally.blobs += await deleteBlobs(models.map((model) => model.storageKey));
  tally.models = (await db().studioModel.deleteMany({ where: { shop } })).count;
  await db().session.deleteMany({ where: { shop } });
  return tally;
}

type Client = Pick<ReturnType<typeof db>, "job">;

/** The blob keys of these jobs: their sources, artifacts and previews. */
async function blobKeysOf(client: Client, ids: number[]): Promise<string[]> {
  const jobs = await client.job.findMany({
    where: { id: { in: ids } },
    select: { sourceKey: true, artifacts: { select: { storageKey: true, previewKey: true } } },
  });
  return jobs.flatMap((job) => [
    ...(job.sourceKey ? [job.sourceKey] : []),
    ...job.artifacts.flatMap((a) => (a.previewKey ? [a.storageKey, a.previewKey] : [a.storageKey])),
  ]);
}
