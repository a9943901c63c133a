/**
 * Segmentation accuracy over a range of generated studio photos, for developing the segmenter
 * (the acceptance check with a fixed held-out set is the vitest suite).
 *
 *   npm run eval:segment -- --from 9000 --count 200 [--jobs 2] [--save-below 0.9 --out dir]
 *
 * Prints one tab-separated row per seed (seed, IoU, ms, size, label; in completion order with
 * --jobs), then a summary. Rows from two versions can be compared with `join`. With
 * --save-below, every photo below that IoU gets a side-by-side PNG: the photo, and the mask
 * errors (red: background taken for product, blue: product lost). The test suite's held-out
 * seeds (1000-2100) are best left out of development; a new range gives unseen photos.
 */
import { fork } from "node:child_process";
import { mkdir } from "node:fs/promises";
import { parseArgs } from "node:util";
import sharp from "sharp";
import { segmentProduct } from "../app/imaging/segment.server";
import { generateStudioPhoto, iouOf, type StudioPhoto } from "../test/fixtures/studio-photos";

const { values } = parseArgs({
  options: {
    from: { type: "string", default: "9000" },
    count: { type: "string", default: "50" },
    jobs: { type: "string", default: "1" },
    "save-below": { type: "string" },
    out: { type: "string", default: "test-output/segmentation" },
    // internal: a worker's share of the seeds (every `stride`-th one from `from`)
    stride: { type: "string", default: "1" },
    worker: { type: "boolean", default: false },
  },
});

const from = Number(values.from);
const count = Number(values.count);
const jobs = Math.max(1, Number(values.jobs));
const saveBelow = values["save-below"] === undefined ? null : Number(values["save-below"]);
if (![from, count, jobs].every(Number.isInteger) || count < 1 || (saveBelow !== null && !(saveBelow > 0 && saveBelow <= 1))) {
  console.error("usage: npm run eval:segment -- --from N --count N [--jobs N] [--save-below 0..1 --out dir]");
  process.exit(2);
}

interface Row {
  seed: number;
  iou: number;
  ms: number;
  line: string;
}

async function errorPicture(photo: StudioPhoto, alpha: Uint8Array, file: string): Promise<void> {
  const { width: W, height: H } = photo;
  const src = photo.image.data;
  const marked = Buffer.from(src);
  for (let i = 0; i < W * H; i++) {
    const predicted = alpha[i]! >= 128;
    const truth = photo.mask[i] === 1;
    if (predicted === truth) continue;
    marked[3 * i] = predicted ? 255 : 0;
    marked[3 * i + 1] = 0;
    marked[3 * i + 2] = predicted ? 0 : 255;
  }
  const scale = Math.min(1, 700 / Math.max(W, H));
  const w = Math.round(W * scale);
  const h = Math.round(H * scale);
  const small = (data: Buffer) => sharp(data, { raw: { width: W, height: H, channels: 3 } }).resize(w, h).png().toBuffer();
  await sharp({ create: { width: 2 * w + 10, height: h, channels: 3, background: "#888" } })
    .composite([
      { input: await small(src), left: 0, top: 0 },
      { input: await small(marked), left: w + 10, top: 0 },
    ])
    .png()
    .toFile(file);
}

async function evaluate(seed: number): Promise<Row> {
  const photo = await generateStudioPhoto(seed);
  const t0 = performance.now();
  let iou = 0;
  let alpha: Uint8Array | null = null;
  try {
    alpha = (await segmentProduct(photo.image)).alpha;
    iou = iouOf(alpha, photo.mask);
  } catch {
    // NoSubjectError on a photo with a product scores 0
  }
  const ms = performance.now() - t0;
  if (alpha && saveBelow !== null && iou < saveBelow) await errorPicture(photo, alpha, `${values.out}/seed-${seed}.png`);
  return { seed, iou, ms, line: `${seed}\t${iou.toFixed(4)}\t${ms.toFixed(0)}\t${photo.width}x${photo.height}\t${photo.label}` };
}

if (saveBelow !== null) await mkdir(values.out!, { recursive: true });

if (values.worker) {
  // child: evaluate every stride-th seed and report rows to the parent
  for (let seed = from; seed < from + count; seed += Number(values.stride)) process.send!(await evaluate(seed));
  process.exit(0);
}

const rows: Row[] = [];
const print = (r: Row) => {
  rows.push(r);
  console.log(r.line);
};
if (jobs === 1) {
  for (let seed = from; seed < from + count; seed++) print(await evaluate(seed));
} else {
  const shared = ["--worker", "--stride", String(jobs), "--out", values.out!, ...(saveBelow === null ? [] : ["--save-below", String(saveBelow)])];
  await Promise.all(
    Array.from({ length: Math.min(jobs, count) }, (_, k) => {
      const child = fork(process.argv[1]!, [...shared, "--from", String(from + k), "--count", String(count - k)], { execArgv: process.execArgv });
      child.on("message", (r: Row) => print(r));
      return new Promise<void>((resolve, reject) => child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`worker exited with ${code}`)))));
    }),
  );
}

const ious = rows.map((r) => r.iou).sort((a, b) => a - b);
const mean = ious.reduce((a, b) => a + b, 0) / ious.length;
const worst = rows.reduce((a, b) => (b.iou < a.iou ? b : a));
console.log(
  `# ${rows.length} photos (seeds ${from}-${from + count - 1}): mean IoU ${mean.toFixed(4)}, ` +
    `below 0.90: ${ious.filter((v) => v < 0.9).length}, below 0.95: ${ious.filter((v) => v < 0.95).length}, ` +
    `worst ${worst.iou.toFixed(4)} (seed ${worst.seed})`,
);
