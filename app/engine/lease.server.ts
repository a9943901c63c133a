// Leases: a worker owns a running job only while its lease is fresh. A worker that dies
// stops renewing, and after JOB_LEASE_SECONDS any worker may claim the job and resume it.
import { db } from "~/db.server";

export async function claimJob(jobId: number, workerId: string, leaseMs: number): Promise<boolean> {
  const now = new Date();
  const { count } = await db().job.updateMany({
    where: {
      id: jobId,
      OR: [{ status: "queued" }, { status: "running", leaseExpiresAt: { lt: now } }],
    },
    data: {
      status: "running",
      leaseOwner: workerId,
      leaseExpiresAt: new Date(now.getTime() + leaseMs),
      attempts: { increment: 1 },
    },
  });
  return count === 1;
}

export async function renewLease(jobId: number, workerId: string, leaseMs: number): Promise<boolean> {
  const { count } = await db().job.updateMany({
    where: { id: jobId, status: "running", leaseOwner: workerId },
    data: { leaseExpiresAt: new Date(Date.now() + leaseMs) },
  });
  return count === 1;
}

/** Jobs waiting for a worker: queued ones, and running ones whose worker stopped renewing. */
export async function findClaimableJobs(limit: number, exclude: Iterable<number> = []): Promise<{ id: number; attempts: number }[]> {
  return db().job.findMany({
    where: {
      id: { notIn: [...exclude] },
      OR: [{ status: "queued" }, { status: "running", leaseExpiresAt: { lt: new Date() } }],
    },
    orderBy: { id: "asc" },
    take: limit,
    select: { id: true, attempts: true },
  });
}
