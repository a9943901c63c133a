// The public shapes of jobs, events and artifacts (contract + seed page). Storage keys
// are turned into presigned URLs here and nowhere else.
import type { Artifact, Job } from "@prisma/client";
import { appBlobStore } from "~/storage/app-blob-store.server";
import type { ArtifactResponseT, JobDetailT, JobEventResponseT } from "~/api/schemas";

export type ArtifactResponse = ArtifactResponseT;
export type JobEventResponse = JobEventResponseT;
export type JobDetail = JobDetailT;

/** What serialization needs of a stored artifact / event (Prisma rows or fast-path rows). */
export type StoredArtifact = Pick<Artifact, "kind" | "role" | "label" | "meta" | "storageKey" | "contentType">;
export interface StoredEvent {
  seq: number;
  eventType: string;
  stage: string | null;
  message: string;
  extra: string | null;
  createdAt: Date;
  artifacts: StoredArtifact[];
}

export async function serializeArtifact(artifact: StoredArtifact): Promise<ArtifactResponse> {
  return {
    image_url: await appBlobStore().presign(artifact.storageKey, { contentType: artifact.contentType }),
    kind: artifact.kind,
    role: artifact.role as ArtifactResponse["role"],
    label: artifact.label,
    meta: JSON.parse(artifact.meta) as Record<string, unknown>,
  };
}

export async function serializeEvent(event: StoredEvent): Promise<JobEventResponse> {
  return {
    seq: event.seq,
    event_type: event.eventType as JobEventResponse["event_type"],
    visibility: "public",
    stage: event.stage,
    message: event.message,
    artifacts: await Promise.all(event.artifacts.map(serializeArtifact)),
    extra: event.extra ? (JSON.parse(event.extra) as Record<string, unknown>) : {},
    created_at: event.createdAt.toISOString(),
  };
}

export async function serializeJob(job: Job, finals: StoredArtifact[]): Promise<JobDetail> {
  return {
    public_id: job.publicId,
    kind: job.kind as JobDetail["kind"],
    status: job.status as JobDetail["status"],
    stage: job.stage,
    product_id: job.productId,
    options: JSON.parse(job.options) as Record<string, unknown>,
    created_at: job.createdAt.toISOString(),
    updated_at: job.updatedAt.toISOString(),
    latest_seq: job.latestPublicSeq,
    final_artifacts: await Promise.all(finals.map(serializeArtifact)),
  };
}
