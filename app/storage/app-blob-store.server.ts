// The application's blob store, configured from the validated environment on first use.
import { env } from "~/env.server";
import { blobStore, configureBlobStore, isBlobStoreConfigured } from "./index.server";
import type { BlobStore } from "./blob-store.server";

/** The configured store; configured from env on first use unless something configured it already. */
export function appBlobStore(): BlobStore {
  if (!isBlobStoreConfigured()) {
    const e = env();
    configureBlobStore({
      blobStore: e.BLOB_STORE,
      appUrl: e.SHOPIFY_APP_URL,
      secret: e.SHOPIFY_API_SECRET,
      ttlSeconds: e.ARTIFACT_URL_TTL_SECONDS,
      s3: {
        endpoint: e.S3_ENDPOINT,
        region: e.S3_REGION,
        accessKeyId: e.AWS_ACCESS_KEY_ID,
        secretAccessKey: e.AWS_SECRET_ACCESS_KEY,
        forcePathStyle: e.S3_FORCE_PATH_STYLE,
      },
    });
  }
  return blobStore();
}

/** Deletes these blobs (absent ones are fine), a few at a time: S3 answers each in tens of milliseconds. */
export async function deleteBlobs(keys: string[]): Promise<number> {
  const store = appBlobStore();
  for (let i = 0; i < keys.length; i += 16) await Promise.all(keys.slice(i, i + 16).map((key) => store.delete(key)));
  return keys.length;
}
