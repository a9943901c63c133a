import { execFile } from "node:child_process";
import { performance } from "node:perf_hooks";
import { promisify } from "node:util";
import sharp from "sharp";
import { afterAll, describe, expect, it } from "vitest";
import { closeImagingPool, NoSubjectError, renderOnMannequinInThread, segmentProduct, segmentProductInThread, type RasterImage } from "~/imaging/index.server";
import { NoGarmentError, renderOnMannequin } from "~/imaging/on-model/index.server";
import { garmentPhoto } from "../../fixtures/garments";
import { generateStudioPhoto } from "../../fixtures/studio-photos";

// Jobs run segmentation and the local on-model render on a pool thread, so that the server's
// thread stays free for requests.

afterAll(() => closeImagingPool());

/** Runs `work` and returns the share of that time the calling thread's event loop was busy. */
async function loopBusyDuring<T>(work: () => Promise<T>): Promise<{ value: T; busy: number }> {
  const before = performance.eventLoopUtilization();
  const value = await work();
  return { value, busy: performance.eventLoopUtilization(before).utilization };
}

describe("imaging on the pool's threads", () => {
  it("segments as on the calling thread, while that thread's event loop stays idle", async () => {
    const photo = await generateStudioPhoto(1000);
    await segmentProductInThread(photo.image); // (first use starts a thread: not measured)
    const { value: inThread, busy } = await loopBusyDuring(() => segmentProductInThread(photo.image));
    const here = await segmentProduct(photo.image);
    expect(Buffer.isBuffer(inThread.alpha)).toBe(true);
    expect(inThread.alpha.equals(here.alpha)).toBe(true);
    expect({ ...inThread, alpha: null }).toEqual({ ...here, alpha: null });
    // On this thread the loop is busy nearly all of the time (utilization ~1); waiting for a
    // thread it is idle but for the messages.
    expect(busy).toBeLessThan(0.5);
  });

  it("renders on a dress form as on the calling thread, while that thread's event loop stays idle", async () => {
    const { data, info } = await sharp(await garmentPhoto("tee-navy")).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const { alpha } = await segmentProductInThread({ data, width: info.width, height: info.height, channels: 3 });
    const garment: RasterImage = { data: await sharp(data, { raw: { width: info.width, height: info.height, channels: 3 } }).joinChannel(alpha, { raw: { width: info.width, height: info.height, channels: 1 } }).raw().toBuffer(), width: info.width, height: info.height, channels: 4 };
    const { value: inThread, busy } = await loopBusyDuring(() => renderOnMannequinInThread(garment, "mannequin-neutral", "auto"));
    const here = await renderOnMannequin(garment, "mannequin-neutral", "auto");
    expect(Buffer.isBuffer(inThread.png)).toBe(true);
    expect(inThread.png.equals(here.png)).toBe(true);
    expect({ ...inThread, png: null }).toEqual({ ...here, png: null });
    expect(busy).toBeLessThan(0.5);
  });

  it("rethrows the imaging errors as themselves", async () => {
    const photo = await generateStudioPhoto(7, { empty: true });
    expect(await segmentProductInThread(photo.image).catch((e: unknown) => e)).toBeInstanceOf(NoSubjectError);
    const clear: RasterImage = { data: Buffer.alloc(64 * 64 * 4), width: 64, height: 64, channels: 4 };
    expect(await renderOnMannequinInThread(clear, "mannequin-neutral", "auto").catch((e: unknown) => e)).toBeInstanceOf(NoGarmentError);
  });

  it("runs in a process started with V8 options, which a worker thread refuses to inherit", async () => {
    const script = `
      const { segmentProductInThread } = await import("./app/imaging/imaging-pool.server.ts");
      const data = Buffer.alloc(64 * 64 * 3, 255);
      for (let y = 20; y < 44; y++) for (let x = 20; x < 44; x++) data.fill(40, 3 * (y * 64 + x), 3 * (y * 64 + x) + 3);
      const { coverage } = await segmentProductInThread({ data, width: 64, height: 64, channels: 3 });
      console.log(coverage.toFixed(2));`;
    const { stdout } = await promisify(execFile)(process.execPath, ["--max-old-space-size=1024", "--import", "tsx", "--input-type=module", "-e", script]);
    expect(Number(stdout.trim())).toBeCloseTo((24 * 24) / (64 * 64), 1);
  });

  it("stops when its signal aborts", async () => {
    const photo = await generateStudioPhoto(1000);
    const controller = new AbortController();
    const running = segmentProductInThread(photo.image, controller.signal).catch((e: unknown) => e);
    controller.abort(new Error("deadline"));
    const error = await running;
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).name).toBe("AbortError");
  });
});
