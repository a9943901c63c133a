// A local S3 (s3rver) on 127.0.0.1 with a random port and a temp directory, with one bucket.
// s3rver only knows the access key S3RVER (it does not check the secret or SigV4 signatures,
// but does check presigned-URL expiry).
import { mkdtemp, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";

interface S3rverInstance {
  run(): Promise<{ address: string; port: number }>;
  close(): Promise<void>;
}
type S3rverCtor = new (options: Record<string, unknown>) => S3rverInstance;
// s3rver is CommonJS without type declarations.
const S3rver = createRequire(import.meta.url)("s3rver") as S3rverCtor;

export const S3RVER_CREDENTIALS = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" };
export const S3_REGION = "us-east-1";
export const S3_BUCKET = "studio-test";

export interface LocalS3 {
  endpoint: string;
  bucket: string;
  client: S3Client;
  /** The app's configuration for `s3://bucket/<prefix>` on this server. */
  appEnv(prefix: string): Record<string, string>;
  /** Object keys under a prefix (whole bucket when omitted). */
  listKeys(prefix?: string): Promise<string[]>;
  getObject(key: string): Promise<Buffer>;
  stop(): Promise<void>;
}

export async function startS3rver(bucket = S3_BUCKET): Promise<LocalS3> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "studio-s3rver-"));
  const server = new S3rver({ address: "127.0.0.1", port: 0, directory: dir, silent: true });
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    client?.destroy();
    await server.close().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  };
  let client: S3Client | undefined;
  try {
    const { port } = await server.run();
    const endpoint = `http://127.0.0.1:${port}`;
    const s3 = new S3Client({
      region: S3_REGION,
      endpoint,
      forcePathStyle: true,
      credentials: S3RVER_CREDENTIALS,
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
    });
    client = s3;
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    return {
      endpoint,
      bucket,
      client: s3,
      appEnv: (prefix) => ({
        BLOB_STORE: `s3://${bucket}/${prefix}`,
        S3_ENDPOINT: endpoint,
        S3_REGION,
        AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
        S3_FORCE_PATH_STYLE: "true",
      }),
      async listKeys(prefix) {
        const keys: string[] = [];
        let token: string | undefined;
        do {
          const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
          keys.push(...(page.Contents ?? []).map((o) => o.Key!));
          token = page.IsTruncated ? page.NextContinuationToken : undefined;
        } while (token);
        return keys;
      },
      async getObject(key) {
        const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        return Buffer.from(await out.Body!.transformToByteArray());
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
