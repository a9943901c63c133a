// Ownership lives here: every read of a job by id goes through getOwnedJob, so a foreign,
// unknown or malformed id is the same "not found" for every caller (API and admin pages).
import { db } from "~/db.server";
import { ULID_PATTERN } from "./job-kinds";

export async function getOwnedJob(shop: string, publicId: string) {
  if (!ULID_PATTERN.test(publicId)) return null;
  const job = await db().job.findUnique({ where: { publicId } });
  return job && job.shop === shop ? job : null;
}

export function finalArtifacts(jobId: number) {
  return db().artifact.findMany({ where: { jobId, role: "final" }, orderBy: { id: "asc" } });
}
