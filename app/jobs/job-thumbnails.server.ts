// One image per job for lists: its smallest final image, else its `source` intermediate (the
// oriented source), else none yet. Presigned through the serializer, one query for the page.
import type { Artifact } from "@prisma/client";
import { db } from "~/db.server";
import { serializeArtifact, type ArtifactResponse } from "./serialize.server";

type JobWithFinals = { id: number; publicId: string; artifacts: Artifact[] };

export async function jobThumbnails(jobs: readonly JobWithFinals[]): Promise<Map<string, ArtifactResponse | null>> {
  const withoutFinals = jobs.filter((job) => !job.artifacts.some((a) => a.role === "final")).map((job) => job.id);
  const sources = withoutFinals.length
    ? await db().artifact.findMany({ where: { jobId: { in: withoutFinals }, kind: "source" }, orderBy: { id: "asc" } })
    : [];
  const sourceByJob = new Map(sources.map((artifact) => [artifact.jobId, artifact]));
  const entries = await Promise.all(
    jobs.map(async (job) => {
      const finals = job.artifacts.filter((a) => a.role === "final").sort((a, b) => a.bytes - b.bytes);
      const pick = finals[0] ?? sourceByJob.get(job.id);
      return [job.publicId, pick ? await serializeArtifact(pick) : null] as const;
    }),
  );
  return new Map(entries);
}
