// One image per job for lists: a final, else its `source` intermediate (the oriented
// source), else none yet. The small WebP preview the engine stored beside it when there is
// one (jobs from before previews existed show the image itself). Presigned, one query a page.
import type { Artifact } from "@prisma/client";
import { db } from "~/db.server";
import { appBlobStore } from "~/storage/app-blob-store.server";

type JobWithFinals = { id: number; publicId: string; artifacts: Artifact[] };

/** Thumbnail URL per job public id (null: nothing to show yet). */
export async function jobThumbnails(jobs: readonly JobWithFinals[]): Promise<Map<string, string | null>> {
  const withoutFinals = jobs.filter((job) => !job.artifacts.some((a) => a.role === "final")).map((job) => job.id);
  const sources = withoutFinals.length
    ? await db().artifact.findMany({ where: { jobId: { in: withoutFinals }, kind: "source" }, orderBy: { id: "asc" } })
    : [];
  const sourceByJob = new Map(sources.map((artifact) => [artifact.jobId, artifact]));
  const store = appBlobStore();
  const entries = await Promise.all(
    jobs.map(async (job) => {
      const finals = job.artifacts.filter((a) => a.role === "final").sort((a, b) => Number(!a.previewKey) - Number(!b.previewKey) || a.bytes - b.bytes);
      const pick = finals[0] ?? sourceByJob.get(job.id);
      if (!pick) return [job.publicId, null] as const;
      const url = pick.previewKey
        ? await store.presign(pick.previewKey, { contentType: "image/webp" })
        : await store.presign(pick.storageKey, { contentType: pick.contentType });
      return [job.publicId, url] as const;
    }),
  );
  return new Map(entries);
}
