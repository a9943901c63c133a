// Storage key layout: one folder per job, so a job's blobs can be listed or purged together.
export function jobBlobKey(shop: string, publicId: string, name: string): string {
  return `jobs/${shop}/${publicId}/${name}`;
}
