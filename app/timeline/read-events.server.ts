// Reads a job's public timeline after a cursor. Internal events never leave here.
import { db } from "~/db.server";
import { serializeEvent, type JobEventResponse } from "~/jobs/serialize.server";

export interface TimelinePage {
  public_id: string;
  events: JobEventResponse[];
  latest_seq: number | null;
}

/** `job` must already be ownership-checked (getOwnedJob). `since` is an exclusive seq cursor. */
export async function readPublicTimeline(
  job: { id: number; publicId: string; latestPublicSeq: number | null },
  since?: number,
): Promise<TimelinePage> {
  const latest = job.latestPublicSeq;
  // The common poll ("anything new?") is answered from the job row alone.
  if (latest === null || (since !== undefined && since >= latest)) {
    return { public_id: job.publicId, events: [], latest_seq: latest };
  }
  const rows = await db().jobEvent.findMany({
    where: { jobId: job.id, visibility: "public", ...(since !== undefined ? { seq: { gt: since } } : {}) },
    orderBy: { seq: "asc" },
    include: { artifacts: { orderBy: { id: "asc" } } },
  });
  const events = await Promise.all(rows.map(serializeEvent));
  // An event appended between the two reads is included; latest_seq must not lag behind it.
  const newest = events.length ? events[events.length - 1].seq : null;
  return { public_id: job.publicId, events, latest_seq: Math.max(latest, newest ?? latest) };
}
