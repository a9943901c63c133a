// The one door for writing timeline events. seq comes from the job row's counter,
// incremented in the same transaction as the insert: the row lock (PostgreSQL) or the
// single writer (SQLite) serialises concurrent appends, so seqs never collide or reorder.
import type { Prisma } from "@prisma/client";
import { db } from "~/db.server";
import type { EventType, Visibility } from "./event-types";

export type Tx = Prisma.TransactionClient;

export interface NewEvent {
  type: EventType;
  visibility: Visibility;
  stage?: string | null;
  message: string;
  extra?: Record<string, unknown> | null;
  /** Artifacts (already stored) that this event carries. */
  artifactIds?: number[];
}

/** Appends inside an existing transaction (so callers can change job state atomically with it). */
export async function appendEventTx(tx: Tx, jobId: number, event: NewEvent): Promise<{ id: number; seq: number }> {
  // One statement bumps the counter and, for public events, latestPublicSeq (read by every
  // poll, so it lives on the job row instead of a MAX() query). Both SQLite and PostgreSQL
  // evaluate SET expressions against the old row, so both sides see the same lastSeq.
  const isPublic = event.visibility === "public";
  const rows = await tx.$queryRaw<{ seq: number | bigint }[]>`
    UPDATE "Job"
    SET "lastSeq" = "lastSeq" + 1,
        "latestPublicSeq" = CASE WHEN ${isPublic} THEN "lastSeq" + 1 ELSE "latestPublicSeq" END
    WHERE "id" = ${jobId}
    RETURNING "lastSeq" AS seq`;
  if (rows.length !== 1) throw new Error(`appendEvent: job ${jobId} does not exist`);
  const seq = Number(rows[0].seq);
  const created = await tx.jobEvent.create({
    data: {
      jobId,
      seq,
      eventType: event.type,
      visibility: event.visibility,
      stage: event.stage ?? null,
      message: event.message,
      extra: event.extra ? JSON.stringify(event.extra) : null,
    },
    select: { id: true },
  });
  if (event.artifactIds?.length) {
    await tx.artifact.updateMany({ where: { id: { in: event.artifactIds }, jobId }, data: { eventId: created.id } });
  }
  return { id: created.id, seq };
}

export async function appendEvent(jobId: number, event: NewEvent): Promise<{ id: number; seq: number }> {
  return db().$transaction((tx) => appendEventTx(tx, jobId, event));
}

/** Internal events (provider ids, retries, raw errors, timings) never leave through the public surface. */
export function appendInternal(jobId: number, stage: string | null, message: string, extra?: Record<string, unknown>) {
  return appendEvent(jobId, { type: "stage", visibility: "internal", stage, message, extra });
}
