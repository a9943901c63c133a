// Blobs in S3 or an S3-compatible store (MinIO, R2, s3rver). Presigned URLs point at
// the store itself, so the app never proxies S3 bytes.
import {
  DeleteObjectCommand,
  GetObjectCommand,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { BlobNotFoundError, type BlobStore, type PutOptions } from "./blob-store.server";
import { DEFAULT_TTL_SECONDS, assertValidBlobKey } from "./local-blob-store.server";

export interface S3BlobStoreOptions {
  /** `s3://bucket/optional/prefix` */
  url: string;
  region: string;
  endpoint?: string;
  forcePathStyle?: boolean;
  /** Omit to use the SDK's default credential chain (env, profile, instance role). */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  ttlSeconds?: number;
  /** Clock in milliseconds used as the presign signing date, for tests. */
  now?: () => number;
}

/** Split `s3://bucket/prefix` into bucket and a prefix that is "" or ends with "/". */
export function parseS3Url(url: string): { bucket: string; prefix: string } {
  // Parsed by hand: `new URL` would lowercase the bucket and mangle odd prefixes.
  const match = /^s3:\/\/([^/?#]+)\/*([^?#]*)$/.exec(url);
  if (!match) throw new Error(`invalid S3 URL (expected s3://bucket/prefix): ${url}`);
  const prefix = match[2]!.replace(/\/+$/, "");
  return { bucket: match[1]!, prefix: prefix ? `${prefix}/` : "" };
}

export class S3BlobStore implements BlobStore {
  readonly client: S3Client;
  readonly bucket: string;
  readonly prefix: string;
  private readonly ttlSeconds: number;
  private readonly now: () => number;

  constructor(options: S3BlobStoreOptions) {
    ({ bucket: this.bucket, prefix: this.prefix } = parseS3Url(options.url));
    this.ttlSeconds = options.ttlSeconds ?? DEFAULT_TTL_SECONDS;
    this.now = options.now ?? Date.now;
    const config: S3ClientConfig = {
      region: options.region,
      forcePathStyle: options.forcePathStyle ?? false,
      // Newer SDKs add CRC32 checksums (and x-amz-checksum-mode on presigned GETs)
      // by default; many S3-compatible servers reject or mis-store those requests.
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
    };
    if (options.endpoint) config.endpoint = options.endpoint;
    if (options.credentials) config.credentials = options.credentials;
    this.client = new S3Client(config);
  }

  private objectKey(key: string): string {
    assertValidBlobKey(key);
    return this.prefix + key;
  }

  async put(key: string, body: Buffer, options: PutOptions): Promise<void> {
    await this.client.send(
      new PutObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key), Body: body, ContentType: options.contentType }),
    );
  }

  async get(key: string): Promise<Buffer> {
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }));
      if (!out.Body) throw new BlobNotFoundError(key);
      return Buffer.from(await out.Body.transformToByteArray());
    } catch (err) {
      if (isNotFound(err)) throw new BlobNotFoundError(key);
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    // S3 treats deleting an absent key as success, matching the interface.
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }));
  }

  async presign(key: string, options: { contentType: string; ttlSeconds?: number }): Promise<string> {
    const command = new GetObjectCommand({
      Bucket: this.bucket,
      Key: this.objectKey(key),
      ResponseContentType: options.contentType,
    });
    return getSignedUrl(this.client, command, {
      expiresIn: options.ttlSeconds ?? this.ttlSeconds,
      signingDate: new Date(this.now()),
    });
  }
}

function isNotFound(err: unknown): boolean {
  if (err instanceof BlobNotFoundError) return true;
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } } | null;
  // A missing bucket is misconfiguration, not a missing blob.
  if (!e || e.name === "NoSuchBucket") return false;
  return e.name === "NoSuchKey" || e.name === "NotFound" || e.$metadata?.httpStatusCode === 404;
}
