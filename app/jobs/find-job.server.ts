// Ownership lives here: every read of a job by id goes through these functions, so a
// foreign, unknown or malformed id is the same "not found" for every caller (API and pages).
import { db } from "~/db.server";
import { readRows } from "~/db/fast-read.server";
import { ULID_PATTERN } from "./job-kinds";

export async function getOwnedJob(shop: string, publicId: string) {
  if (!ULID_PATTERN.test(publicId)) return null;
  const job = await db().job.findUnique({ where: { publicId } });
  return job && job.shop === shop ? job : null;
}

export interface JobRef {
  id: number;
  publicId: string;
  latestPublicSeq: number | null;
}

/** The few fields a timeline poll needs, read on the fast path (see app/db/fast-read.server.ts). */
export async function getOwnedJobRef(shop: string, publicId: string): Promise<JobRef | null> {
  if (!ULID_PATTERN.test(publicId)) return null;
  const [row] = await readRows(`SELECT "id", "shop", "latestPublicSeq" FROM "Job" WHERE "publicId" = ?`, [publicId]);
  if (!row || row.shop !== shop) return null;
  return { id: Number(row.id), publicId, latestPublicSeq: row.latestPublicSeq === null ? null : Number(row.latestPublicSeq) };
}

export function finalArtifacts(jobId: number) {
  return db().artifact.findMany({ where: { jobId, role: "final" }, orderBy: { id: "asc" } });
}
