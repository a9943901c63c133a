// Storage key layout: one folder per job, so a job's blobs can be listed or purged together.
export function jobBlobKey(shop: string, publicId: string, name: string): string {
  return `jobs/${shop}/${publicId}/${name}`;
}

/** A shop's own model photo (on-model renders): one folder per model. */
export function modelBlobKey(shop: string, modelId: string, name: string): string {
  return `models/${shop}/${modelId}/${name}`;
}

/** Built-in models are drawn by Studio and shared by every shop. */
export function builtinModelBlobKey(slug: string): string {
  return `models/_builtin/${slug}.png`;
}
