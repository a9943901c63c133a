import { describe, expect, it } from "vitest";
import { useUnitEnv } from "../../support/unit-env";

useUnitEnv();
const { db } = await import("~/db.server");
const { appendEvent } = await import("~/timeline/append-event.server");

describe("timeline seq allocation", () => {
  it("gives 200 concurrent appends on one job 200 distinct, increasing seqs", async () => {
    const job = await db().job.create({ data: { publicId: "01JTESTSEQ0000000000000000", shop: "a.myshopify.com", kind: "catalog_image", options: "{}" } });
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        appendEvent(job.id, { type: "stage", visibility: i % 3 === 0 ? "internal" : "public", stage: "segment", message: `e${i}` }),
      ),
    );
    const seqs = results.map((r) => r.seq);
    expect(new Set(seqs).size).toBe(200);
    expect([...seqs].sort((a, b) => a - b)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    const rows = await db().jobEvent.findMany({ where: { jobId: job.id }, orderBy: { id: "asc" } });
    // Insertion order and seq order agree: no reordering.
    for (let i = 1; i < rows.length; i++) expect(rows[i].seq).toBeGreaterThan(rows[i - 1].seq);
    const after = await db().job.findUniqueOrThrow({ where: { id: job.id } });
    expect(after.lastSeq).toBe(200);
    const publicMax = Math.max(...rows.filter((r) => r.visibility === "public").map((r) => r.seq));
    expect(after.latestPublicSeq).toBe(publicMax);
  });
});
