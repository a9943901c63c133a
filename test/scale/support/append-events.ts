// Child process for timeline-seq.test.ts: appends N events to one job with the app's own
// appendEvent (DATABASE_URL from the environment), all at once after "go" arrives on stdin,
// and prints the allocated seqs as one JSON line.
// Usage: node --import tsx test/scale/support/append-events.ts <jobId> <count> <tag>
import { createInterface } from "node:readline";
import { db } from "~/db.server";
import { appendEvent } from "~/timeline/append-event.server";

const [jobId, count, tag] = [Number(process.argv[2]), Number(process.argv[3]), process.argv[4] ?? "child"];

// Connect first, so both children start appending at the same moment.
await db().$queryRaw`SELECT 1`;
console.log("ready");
const lines = createInterface({ input: process.stdin });
for await (const line of lines) if (line.trim() === "go") break;

const results = await Promise.all(
  Array.from({ length: count }, (_, i) =>
    appendEvent(jobId, { type: "stage", visibility: i % 4 === 0 ? "internal" : "public", stage: "segment", message: `${tag}-${i}` }),
  ),
);
console.log(JSON.stringify({ seqs: results.map((r) => r.seq) }));
await db().$disconnect();
process.exit(0);
