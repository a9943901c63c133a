// Publishing: the merchant reviews a finished job and makes its final images public on the
// storefront (the app proxy serves only published jobs). Only a succeeded job can be
// published; the conditional update keeps that true whatever else touches the job.
import type { Job } from "@prisma/client";
import { db } from "~/db.server";
import { getOwnedJob } from "./find-job.server";

export type PublicationOutcome =
  | { ok: true; job: Job }
  | { ok: false; reason: "not_found" }
  | { ok: false; reason: "not_succeeded"; status: string };

/** Publishes (or unpublishes) one of the shop's jobs; publishing twice keeps the first date. */
export async function setPublished(shop: string, publicId: string, published: boolean): Promise<PublicationOutcome> {
  const job = await getOwnedJob(shop, publicId);
  if (!job) return { ok: false, reason: "not_found" };
  if (published) {
    await db().job.updateMany({ where: { id: job.id, status: "succeeded", publishedAt: null }, data: { publishedAt: new Date() } });
  } else {
    await db().job.updateMany({ where: { id: job.id, publishedAt: { not: null } }, data: { publishedAt: null } });
  }
  const now = await db().job.findUniqueOrThrow({ where: { id: job.id } });
  if (published && now.status !== "succeeded") return { ok: false, reason: "not_succeeded", status: now.status };
  return { ok: true, job: now };
}

export function serializePublication(job: Pick<Job, "publicId" | "publishedAt">) {
  return { public_id: job.publicId, published: job.publishedAt !== null, published_at: job.publishedAt?.toISOString() ?? null };
}
