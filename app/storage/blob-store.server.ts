// The one door to artifact bytes. Storage keys never leave app/storage: everything
// outside sees presigned URLs (contract: no raw key, bucket or path in any response).

export interface PutOptions {
  contentType: string;
}

export interface BlobStore {
  /** Store bytes under `key` (overwrites). */
  put(key: string, body: Buffer, options: PutOptions): Promise<void>;
  /** Read bytes back; throws BlobNotFoundError when absent. */
  get(key: string): Promise<Buffer>;
  /** Remove a blob; absent keys are not an error. */
  delete(key: string): Promise<void>;
  /** A short-lived GET URL for the blob (default TTL from config, 15 min). */
  presign(key: string, options: { contentType: string; ttlSeconds?: number }): Promise<string>;
}

export class BlobNotFoundError extends Error {
  constructor(key: string) {
    super(`blob not found: ${key}`);
    this.name = "BlobNotFoundError";
  }
}
