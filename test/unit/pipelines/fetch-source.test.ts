// fetch_source tells a damaged photo (the merchant's to replace) from a failure of ours.
import { describe, expect, it } from "vitest";
import sharp from "sharp";
import { fetchSourceStage } from "~/pipelines/fetch-source.server";
import { StageError } from "~/pipelines/stage-error";
import type { StageContext } from "~/pipelines/pipeline";

function contextFor(bytes: Buffer): StageContext {
  const unused = () => Promise.reject(new Error("not used by fetch_source"));
  return {
    job: { publicId: "01J00000000000000000000000", shop: "a.myshopify.com", kind: "catalog_image", options: {}, sourceUrl: null },
    source: async () => bytes,
    artifact: unused,
    memo: new Map(),
    signal: new AbortController().signal,
    note: async () => undefined,
    interruptedNotes: async () => [],
    progress: async () => undefined,
    cancelRequested: async () => false,
  } as StageContext;
}

describe("fetch_source", () => {
  it("fails a photo whose data is damaged past a sound header for good, as the photo's fault", async () => {
    const png = await sharp({ create: { width: 64, height: 64, channels: 3, background: "#a33" } }).png().toBuffer();
    const damaged = Buffer.from(png);
    damaged[png.indexOf("IDAT") + 10]! ^= 0xff; // the header and the end marker still read
    const failure = await fetchSourceStage.run(contextFor(damaged)).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(StageError);
    expect(failure).toMatchObject({ code: "invalid_source", retryable: false });
    expect((failure as StageError).message).toMatch(/could not be decoded/);
  });

  it("loads a sound photo as the source artifact", async () => {
    const png = await sharp({ create: { width: 64, height: 48, channels: 3, background: "#a33" } }).png().toBuffer();
    const output = await fetchSourceStage.run(contextFor(png));
    expect(output.artifacts?.[0]).toMatchObject({ kind: "source", meta: { width: 64, height: 48, format: "png" } });
  });
});
