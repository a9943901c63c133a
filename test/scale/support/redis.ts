// Queue isolation without touching anyone else's Redis data. The app's BullMQ queue has a
// fixed name ("studio-jobs") and BullMQ's default key prefix ("bull"), with no setting to
// change either; what REDIS_URL does carry is the logical database (redis://host:port/N).
// So each test file claims a logical database 1..15 that is empty apart from this queue's
// keys (a SET NX lock key marks it as taken), and uses redis://127.0.0.1:6379/N as REDIS_URL.
// Only keys of this queue in the claimed database are ever deleted; nothing is flushed.
import { randomBytes } from "node:crypto";
import { Queue } from "bullmq";
import { QUEUE_NAME, redisConnection } from "~/engine/bull-queue.server";

export const REDIS_BASE_URL = process.env.STUDIO_TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
const LOCK_KEY = "studio-scale-test:lock";
const OWN_KEY = (key: string) => key.startsWith(`bull:${QUEUE_NAME}:`) || key === LOCK_KEY;

/** The few commands used here (BullMQ's ioredis connection; ioredis is not a direct dependency). */
interface RedisClient {
  scan(cursor: string, ...args: (string | number)[]): Promise<[string, string[]]>;
  set(key: string, value: string, ...args: (string | number)[]): Promise<string | null>;
  get(key: string): Promise<string | null>;
  del(...keys: string[]): Promise<number>;
}

export interface ClaimedRedis {
  /** REDIS_URL for the app: the base URL with the claimed logical database. */
  url: string;
  db: number;
  /** A BullMQ handle on the app's queue in that database (counts, getJob…). */
  queue: Queue;
  /** Deletes this queue's keys in the claimed database and releases it. */
  release(): Promise<void>;
}

async function scanKeys(client: RedisClient, pattern: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = "0";
  do {
    const [next, batch] = await client.scan(cursor, "MATCH", pattern, "COUNT", 500);
    keys.push(...batch);
    cursor = next;
  } while (cursor !== "0");
  return keys;
}

async function deleteQueueKeys(client: RedisClient) {
  const keys = await scanKeys(client, `bull:${QUEUE_NAME}:*`);
  for (let i = 0; i < keys.length; i += 500) await client.del(...keys.slice(i, i + 500));
}

function urlFor(db: number) {
  const url = new URL(REDIS_BASE_URL);
  url.pathname = `/${db}`;
  return url.toString();
}

export async function claimRedisDatabase(): Promise<ClaimedRedis> {
  const token = randomBytes(8).toString("hex");
  const candidates = Array.from({ length: 15 }, (_, i) => i + 1).sort(() => Math.random() - 0.5);
  for (const db of candidates) {
    const url = urlFor(db);
    const queue = new Queue(QUEUE_NAME, { connection: redisConnection(url) });
    const client = (await queue.client) as unknown as RedisClient;
    const unlock = async () => {
      if ((await client.get(LOCK_KEY)) === token) await client.del(LOCK_KEY);
    };
    try {
      if ((await client.set(LOCK_KEY, token, "EX", 1800, "NX")) !== "OK") {
        await queue.close();
        continue; // another test run holds it
      }
      const foreign = (await scanKeys(client, "*")).filter((k) => !OWN_KEY(k));
      if (foreign.length > 0) {
        await unlock();
        await queue.close();
        continue; // someone else uses this database
      }
      // Leftovers of an earlier (crashed) run of this suite would be delivered to our workers.
      await deleteQueueKeys(client);
    } catch (error) {
      await unlock().catch(() => undefined);
      await queue.close().catch(() => undefined);
      throw error;
    }
    return {
      url,
      db,
      queue,
      async release() {
        try {
          await deleteQueueKeys(client);
          await unlock();
        } finally {
          await queue.close();
        }
      },
    };
  }
  throw new Error(`no free Redis logical database (1..15) on ${REDIS_BASE_URL} for the scale tests`);
}
