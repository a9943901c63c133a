// Reads a job's public timeline after a cursor. Internal events never leave here.
import { readRows, toDate } from "~/db/fast-read.server";
import type { JobRef } from "~/jobs/find-job.server";
import { serializeEvent, type JobEventResponse, type StoredArtifact, type StoredEvent } from "~/jobs/serialize.server";

export interface TimelinePage {
  public_id: string;
  events: JobEventResponse[];
  latest_seq: number | null;
}

// One round trip: events and their artifacts, in seq then artifact order.
const EVENTS_SQL = `
  SELECT e."id", e."seq", e."eventType", e."stage", e."message", e."extra", e."createdAt",
         a."id" AS "aId", a."kind", a."role", a."label", a."meta", a."storageKey", a."contentType"
  FROM "JobEvent" e
  LEFT JOIN "Artifact" a ON a."eventId" = e."id"
  WHERE e."jobId" = ? AND e."visibility" = 'public' AND e."seq" > ?
  ORDER BY e."seq" ASC, a."id" ASC`;

/** `job` must already be ownership-checked (getOwnedJobRef). `since` is an exclusive seq cursor. */
export async function readPublicTimeline(job: JobRef, since?: number): Promise<TimelinePage> {
  const latest = job.latestPublicSeq;
  // The common poll ("anything new?") is answered from the job row alone.
  if (latest === null || (since !== undefined && since >= latest)) {
    return { public_id: job.publicId, events: [], latest_seq: latest };
  }
  const rows = await readRows(EVENTS_SQL, [job.id, since ?? -1]);
  const events: StoredEvent[] = [];
  for (const row of rows) {
    let event = events[events.length - 1];
    if (!event || event.seq !== Number(row.seq)) {
      event = {
        seq: Number(row.seq),
        eventType: String(row.eventType),
        stage: (row.stage as string | null) ?? null,
        message: String(row.message),
        extra: (row.extra as string | null) ?? null,
        createdAt: toDate(row.createdAt),
        artifacts: [],
      };
      events.push(event);
    }
    if (row.aId !== null) {
      event.artifacts.push({
        kind: String(row.kind),
        role: String(row.role),
        label: (row.label as string | null) ?? null,
        meta: String(row.meta),
        storageKey: String(row.storageKey),
        contentType: String(row.contentType),
      } satisfies StoredArtifact);
    }
  }
  const serialized = await Promise.all(events.map(serializeEvent));
  // An event appended between the two reads is included; latest_seq must not lag behind it.
  const newest = serialized.length ? serialized[serialized.length - 1].seq : latest;
  return { public_id: job.publicId, events: serialized, latest_seq: Math.max(latest, newest) };
}
