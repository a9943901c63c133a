// seq allocation on PostgreSQL: concurrent appendEvent calls on one job (in this process, and
// from two OS processes at once) get distinct seqs 1..N, increasing in insertion order, and
// latestPublicSeq is the highest public seq. On PostgreSQL it is the Job row lock taken by
// `UPDATE "Job" … RETURNING` that serialises writers (SQLite has a single writer anyway).
import { spawn } from "node:child_process";
import { afterAll, describe, expect, it } from "vitest";
import { API_KEY, API_SECRET, SCOPES } from "../support/constants";
import { ROOT } from "../support/paths";
import { createTestDatabase } from "../support/postgres";
import { workerEnv } from "../support/worker-process";
import { Cleanup } from "./support/harness";

const cleanup = new Cleanup();
afterAll(() => cleanup.run());

const database = await createTestDatabase();
cleanup.add("drop database", () => database.drop());
// Config is read once, at the first app import: set it before.
Object.assign(process.env, {
  NODE_ENV: "test",
  DATABASE_URL: database.url,
  BLOB_STORE: "./test-output/unused-blobs",
  SHOPIFY_API_KEY: API_KEY,
  SHOPIFY_API_SECRET: API_SECRET,
  SHOPIFY_APP_URL: "http://127.0.0.1:9",
  SCOPES,
  STUDIO_WORKER: "off",
});
const { db } = await import("~/db.server");
const { appendEvent } = await import("~/timeline/append-event.server");
cleanup.add("disconnect prisma", () => db().$disconnect());

let counter = 0;
async function newJob() {
  counter++;
  return db().job.create({
    data: { publicId: `01JSCALESEQ${String(counter).padStart(15, "0")}`, shop: "seq.myshopify.com", kind: "catalog_image", options: "{}" },
  });
}

async function expectDenseAndOrdered(jobId: number, total: number) {
  const rows = await db().jobEvent.findMany({ where: { jobId }, orderBy: { id: "asc" } });
  expect(rows).toHaveLength(total);
  expect(rows.map((r) => r.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
  // Insertion order (serial id) and seq order agree: no writer slipped in between another's
  // seq allocation and its insert.
  for (let i = 1; i < rows.length; i++) expect(rows[i].seq).toBeGreaterThan(rows[i - 1].seq);
  const job = await db().job.findUniqueOrThrow({ where: { id: jobId } });
  expect(job.lastSeq).toBe(total);
  const publicMax = Math.max(...rows.filter((r) => r.visibility === "public").map((r) => r.seq));
  expect(job.latestPublicSeq).toBe(publicMax);
  return rows;
}

describe("timeline seq allocation on PostgreSQL", () => {
  it("runs on PostgreSQL (not the SQLite default)", async () => {
    const [{ version }] = await db().$queryRaw<{ version: string }[]>`SELECT version()`;
    expect(version).toMatch(/PostgreSQL/);
  });

  it("gives 200 concurrent appends on one job 200 distinct seqs 1..200, increasing in insertion order", async () => {
    const job = await newJob();
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        appendEvent(job.id, { type: "stage", visibility: i % 3 === 0 ? "internal" : "public", stage: "segment", message: `e${i}` }),
      ),
    );
    const seqs = results.map((r) => r.seq);
    expect(new Set(seqs).size).toBe(200);
    const rows = await expectDenseAndOrdered(job.id, 200);
    // What appendEvent returned is what was stored.
    const byId = new Map(rows.map((r) => [r.id, r.seq]));
    for (const r of results) expect(byId.get(r.id)).toBe(r.seq);
  });

  it("keeps latestPublicSeq on the last public event when internal events come after it", async () => {
    const job = await newJob();
    await appendEvent(job.id, { type: "queued", visibility: "public", message: "Queued" });
    await appendEvent(job.id, { type: "stage", visibility: "public", stage: "segment", message: "s" });
    await appendEvent(job.id, { type: "stage", visibility: "internal", stage: "segment", message: "i" });
    await appendEvent(job.id, { type: "stage", visibility: "internal", stage: "segment", message: "i2" });
    const after = await db().job.findUniqueOrThrow({ where: { id: job.id } });
    expect(after.lastSeq).toBe(4);
    expect(after.latestPublicSeq).toBe(2);
  });

  it("gives 2 OS processes appending 100 events each at once 200 distinct seqs, no collisions", async () => {
    const job = await newJob();
    const children = ["a", "b"].map((tag) => {
      const child = spawn(process.execPath, ["--import", "tsx", "test/scale/support/append-events.ts", String(job.id), "100", tag], {
        cwd: ROOT,
        env: workerEnv({ DATABASE_URL: database.url, STUDIO_WORKER: "off" }) as NodeJS.ProcessEnv,
        stdio: ["pipe", "pipe", "pipe"],
      });
      cleanup.add(`kill appender ${tag}`, () => child.exitCode === null && child.kill("SIGKILL"));
      let out = "";
      child.stdout!.on("data", (d) => (out += d));
      child.stderr!.on("data", (d) => (out += d));
      const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
      const ready = new Promise<void>((resolve, reject) => {
        const check = () => (out.includes("ready") ? resolve() : child.exitCode !== null ? reject(new Error(out.slice(-1500))) : setTimeout(check, 20));
        check();
      });
      return { child, ready, exited, output: () => out, tag };
    });
    await Promise.all(children.map((c) => c.ready));
    for (const c of children) c.child.stdin!.write("go\n");
    const perProcess: number[][] = [];
    for (const c of children) {
      expect(await c.exited, c.output().slice(-1500)).toBe(0);
      const line = c.output().split("\n").find((l) => l.startsWith("{"));
      perProcess.push(JSON.parse(line!).seqs);
    }
    expect(perProcess[0]).toHaveLength(100);
    expect(perProcess[1]).toHaveLength(100);
    const all = [...perProcess[0], ...perProcess[1]];
    expect(new Set(all).size).toBe(200);
    const rows = await expectDenseAndOrdered(job.id, 200);
    // Both processes really interleaved (one did not simply finish before the other started).
    const tagsInOrder = rows.map((r) => r.message.split("-")[0]);
    const switches = tagsInOrder.filter((t, i) => i > 0 && t !== tagsInOrder[i - 1]).length;
    expect(switches).toBeGreaterThan(1);
  });
});
