// Segmentation and the local on-model render are seconds of synchronous pixel maths. On the
// server's thread they would stall every request meanwhile (a merchant's timeline polls
// included) and a worker's lease renewals; so jobs run them in a pool of worker threads.
// The pool starts on first use; one thread then stays (starting one, with tsx and OpenCV's
// WebAssembly, takes seconds), more stay a few minutes for the next photos. A job's abort
// (cancel at its deadline, time limit, lost lease) stops the thread working for it.
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Piscina } from "piscina";
import { ImagingArgumentError, NoSubjectError } from "./errors.server";
import { asBuffer, type RasterTransfer, type Reply } from "./imaging-thread.server";
import type * as tasks from "./imaging-thread.server";
import { NoGarmentError } from "./on-model/garment-frame.server";
import type { MannequinSlug } from "./on-model/mannequin.server";
import type { OnModelResult } from "./on-model/render.server";
import type { Anchors, GarmentCategory } from "./on-model/types";
import type { RasterImage, SegmentResult } from "./types.server";

const THREAD_FILE = "app/imaging/imaging-thread.server.ts";
const IDLE_MS = 5 * 60_000;

/** The thread's entry, found from this module in the sources or in the server bundle (build/server). */
function threadFile(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const file = join(dir, THREAD_FILE);
    if (existsSync(file)) return file;
    if (dirname(dir) === dir) throw new Error(`${THREAD_FILE} not found above ${fileURLToPath(import.meta.url)}`);
  }
}

let pool: Piscina | undefined;

type TaskName = "segment" | "mannequinRender" | "photoRender";
type Input<K extends TaskName> = Parameters<(typeof tasks)[K]>[0];
type Output<K extends TaskName> = Awaited<ReturnType<(typeof tasks)[K]>> extends Reply<infer T> ? T : never;

/** Runs task `name` of imaging-thread.server.ts on a pool thread and rethrows its error as the imaging error it was. */
async function inThread<K extends TaskName>(name: K, input: Input<K>, signal?: AbortSignal): Promise<Output<K>> {
  pool ??= new Piscina({
    filename: threadFile(),
    // The thread loads TypeScript sources. (Not the process's own options: a worker refuses
    // V8 and process-wide ones, such as --max-old-space-size.)
    execArgv: ["--import", "tsx"],
    minThreads: 1,
    maxThreads: availableParallelism(),
    idleTimeout: IDLE_MS,
  });
  const reply = (await pool.run(input, { name, signal })) as Reply<Output<K>>;
  if (reply.ok) return reply.value;
  const error =
    reply.name === "NoSubjectError"
      ? new NoSubjectError(reply.message)
      : reply.name === "ImagingArgumentError"
        ? new ImagingArgumentError(reply.message)
        : reply.name === "NoGarmentError"
          ? Object.assign(new NoGarmentError(), { message: reply.message })
          : new Error(`${reply.name}: ${reply.message}`);
  throw error;
}

function transfer({ data, width, height, channels }: RasterImage): RasterTransfer {
  return { data, width, height, channels };
}

/** segmentProduct (segment.server.ts) on a pool thread; rejects with an AbortError when `signal` aborts. */
export async function segmentProductInThread(image: RasterImage, signal?: AbortSignal): Promise<SegmentResult> {
  const result = await inThread("segment", { image: transfer(image) }, signal);
  return { ...result, alpha: asBuffer(result.alpha) };
}

/** renderOnMannequin (on-model/index.server.ts) on a pool thread. */
export async function renderOnMannequinInThread(garment: RasterImage, slug: MannequinSlug, category: GarmentCategory, signal?: AbortSignal): Promise<OnModelResult & { zoom: number }> {
  const result = await inThread("mannequinRender", { garment: transfer(garment), slug, category }, signal);
  return { ...result, png: asBuffer(result.png) };
}

/** renderOnPhoto (on-model/index.server.ts) on a pool thread. */
export async function renderOnPhotoInThread(garment: RasterImage, photo: Buffer, anchors: Anchors, category: GarmentCategory, signal?: AbortSignal): Promise<OnModelResult> {
  const result = await inThread("photoRender", { garment: transfer(garment), photo, anchors, category }, signal);
  return { ...result, png: asBuffer(result.png) };
}

/** Stops the pool's threads (tests; a process exiting needs not: idle threads do not hold it). */
export async function closeImagingPool(): Promise<void> {
  const p = pool;
  pool = undefined;
  await p?.destroy();
}
