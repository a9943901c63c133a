// `npm run bench`: RATIOS measured side by side in one run (the machine is shared and noisy,
// so absolute numbers are not comparable between runs; ratios taken minutes apart are).
//
//  1. HTTP: a closed-loop load generator (16 keep-alive connections, fixed duration) against
//     one production server: /healthz (baseline), an empty events poll, a full timeline.
//     Interleaved rounds; each endpoint's median req/s, and ratios to /healthz.
//  2. Pipeline: the catalog job run in-process (runJob: image work + SQLite + blob writes),
//     and each pure image function, against a plain sharp decode + resize + JPEG encode of
//     the same photo. Alternating runs, medians, ratios to that baseline.
//
// Knobs (env): BENCH_SECONDS (3), BENCH_WARMUP_SECONDS (1), BENCH_ROUNDS (3),
// BENCH_CONNECTIONS (16), BENCH_PIPELINE_RUNS (5).
import { rmSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import sharp from "sharp";
import globalSetup from "../test/support/global-setup";
import { startServer, type TestServer } from "../test/support/test-server";
import { sessionToken } from "../test/support/api-client";
import { multipart } from "../test/support/images";
import { SHOP } from "../test/support/constants";
import { useUnitEnv } from "../test/support/unit-env";
import { generateStudioPhoto } from "../test/fixtures/studio-photos";

const num = (name: string, fallback: number) => {
  const value = Number(process.env[name]);
  return Number.isFinite(value) && value > 0 ? value : fallback;
};
const SECONDS = num("BENCH_SECONDS", 3);
const WARMUP_SECONDS = num("BENCH_WARMUP_SECONDS", 1);
const ROUNDS = Math.round(num("BENCH_ROUNDS", 3));
const CONNECTIONS = Math.round(num("BENCH_CONNECTIONS", 16));
const PIPELINE_RUNS = Math.max(5, Math.round(num("BENCH_PIPELINE_RUNS", 5)));
const PHOTO_SIDE = 2048;
const TARGETS = { empty_poll_over_healthz: 0.6, full_timeline_over_healthz: 0.35 };

const log = (line = "") => process.stdout.write(`${line}\n`);
const progress = (line: string) => process.stderr.write(`… ${line}\n`);

// ---------------------------------------------------------------------------------------
// Statistics

function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Nearest-rank percentile of an ascending-sorted array. */
function percentile(sorted: Float64Array | number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

const round = (value: number, digits = 2) => (Number.isFinite(value) ? Number(value.toFixed(digits)) : null);

// ---------------------------------------------------------------------------------------
// Closed-loop load generator: CONNECTIONS workers, each sends its next request as soon as
// the previous response has been read. Only requests completed inside the measured window
// (after the warm-up) count. Bounded: every request has a timeout, the run a fixed length.

interface LoadResult {
  requests: number;
  rps: number;
  /** Latencies (ms) of the requests completed in the window, ascending. */
  latencies: Float64Array;
  errors: number;
  firstError: string | null;
  /** CPU used by this (client) process during the window, as a share of one core. */
  clientCpu: number;
}

function getOnce(agent: http.Agent, url: URL, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { agent, host: url.hostname, port: url.port, path: url.pathname + url.search, method: "GET", headers, timeout: 10_000 },
      (res) => {
        res.on("data", () => undefined);
        res.on("end", () => resolve(res.statusCode ?? 0));
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error("request timed out")));
    req.on("error", reject);
    req.end();
  });
}

async function load(target: string, headers: Record<string, string>, seconds = SECONDS, warmupSeconds = WARMUP_SECONDS): Promise<LoadResult> {
  const url = new URL(target);
  if (url.hostname !== "127.0.0.1") throw new Error(`refusing to load ${url.host}: the load generator only targets 127.0.0.1`);
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS, maxFreeSockets: CONNECTIONS });
  const start = performance.now();
  const windowStart = start + warmupSeconds * 1000;
  const windowEnd = windowStart + seconds * 1000;
  let latencies = new Float64Array(1 << 16);
  let count = 0;
  let errors = 0;
  let firstError: string | null = null;
  let cpuAtWindow: NodeJS.CpuUsage | null = null;
  const cpuTimer = setTimeout(() => (cpuAtWindow = process.cpuUsage()), warmupSeconds * 1000);
  const worker = async () => {
    while (performance.now() < windowEnd) {
      const sent = performance.now();
      let failure: string | null = null;
      try {
        const status = await getOnce(agent, url, headers);
        if (status !== 200) failure = `HTTP ${status}`;
      } catch (error) {
        failure = (error as Error).message;
      }
      const done = performance.now();
      if (done < windowStart || done > windowEnd) continue;
      if (failure) {
        errors++;
        firstError ??= failure;
        continue;
      }
      if (count === latencies.length) {
        const grown = new Float64Array(latencies.length * 2);
        grown.set(latencies);
        latencies = grown;
      }
      latencies[count++] = done - sent;
    }
  };
  await Promise.all(Array.from({ length: CONNECTIONS }, worker));
  clearTimeout(cpuTimer);
  const cpu = cpuAtWindow ? process.cpuUsage(cpuAtWindow) : { user: 0, system: 0 };
  agent.destroy();
  const measured = latencies.slice(0, count).sort();
  return {
    requests: count,
    rps: count / seconds,
    latencies: measured,
    errors,
    firstError,
    clientCpu: (cpu.user + cpu.system) / 1000 / (seconds * 1000),
  };
}

// ---------------------------------------------------------------------------------------
// HTTP part

interface EndpointSummary {
  rps_median: number;
  rps_runs: number[];
  p50_ms: number;
  p99_ms: number;
  errors: number;
  client_cpu: number;
}

async function waitForJob(server: TestServer, token: string, publicId: string, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await fetch(`${server.url}/v1/jobs/${publicId}`, { headers: { Authorization: `Bearer ${token}` } });
    const job = (await res.json()) as { status: string; latest_seq: number };
    if (["succeeded", "failed", "cancelled"].includes(job.status)) return job;
    if (Date.now() > deadline) throw new Error(`job ${publicId} did not finish in ${timeoutMs / 1000} s`);
    await sleep(200);
  }
}

async function benchHttp(server: TestServer, photo: Buffer) {
  const token = await sessionToken(SHOP);
  const auth = { Authorization: `Bearer ${token}` };
  progress("creating a catalog job on the server");
  const created = await fetch(`${server.url}/v1/jobs`, {
    method: "POST",
    headers: auth,
    body: multipart({ kind: "catalog_image", image: { data: photo, filename: "bench.jpg", type: "image/jpeg" } }),
  });
  if (created.status !== 201) throw new Error(`POST /v1/jobs answered ${created.status}: ${await created.text()}`);
  const { public_id: publicId } = (await created.json()) as { public_id: string };
  const job = await waitForJob(server, token, publicId);
  if (job.status !== "succeeded") throw new Error(`the catalog job ${publicId} ended ${job.status}`);

  const endpoints = {
    healthz: { path: "/healthz", headers: {} as Record<string, string> },
    empty_poll: { path: `/v1/jobs/${publicId}/events?since=${job.latest_seq}`, headers: auth },
    full_timeline: { path: `/v1/jobs/${publicId}/events`, headers: auth },
  };
  // Sanity: the empty poll is empty, the full timeline is the whole job, both 200.
  const empty = (await (await fetch(server.url + endpoints.empty_poll.path, { headers: auth })).json()) as { events: unknown[] };
  const full = await fetch(server.url + endpoints.full_timeline.path, { headers: auth });
  const fullText = await full.text();
  const fullEvents = (JSON.parse(fullText) as { events: { artifacts: unknown[] }[] }).events;
  if (empty.events.length !== 0 || full.status !== 200 || fullEvents.length < 5) {
    throw new Error(`unexpected responses: empty poll has ${empty.events.length} events, full timeline ${full.status} with ${fullEvents.length}`);
  }
  const timelineShape = {
    events: fullEvents.length,
    artifacts: fullEvents.reduce((n, e) => n + e.artifacts.length, 0),
    bytes: Buffer.byteLength(fullText),
  };

  // One untimed pass over every endpoint first: the fresh server's JIT and caches warm up
  // before round 1, so round 1 is not systematically slower than the others.
  progress("untimed warm-up pass over the three endpoints");
  for (const endpoint of Object.values(endpoints)) await load(server.url + endpoint.path, endpoint.headers, 0.5, 0.5);

  const runs = new Map<string, LoadResult[]>(Object.keys(endpoints).map((name) => [name, []]));
  const perRoundRatios: { empty_poll_over_healthz: number; full_timeline_over_healthz: number }[] = [];
  for (let r = 1; r <= ROUNDS; r++) {
    const rps: Record<string, number> = {};
    for (const [name, endpoint] of Object.entries(endpoints)) {
      progress(`round ${r}/${ROUNDS}: ${name} (${WARMUP_SECONDS} s warm-up + ${SECONDS} s, ${CONNECTIONS} connections)`);
      const result = await load(server.url + endpoint.path, endpoint.headers);
      runs.get(name)!.push(result);
      rps[name] = result.rps;
    }
    perRoundRatios.push({
      empty_poll_over_healthz: rps.empty_poll / rps.healthz,
      full_timeline_over_healthz: rps.full_timeline / rps.healthz,
    });
  }

  const summary: Record<string, EndpointSummary> = {};
  for (const [name, results] of runs) {
    const all = new Float64Array(results.reduce((n, r) => n + r.latencies.length, 0));
    let offset = 0;
    for (const r of results) {
      all.set(r.latencies, offset);
      offset += r.latencies.length;
    }
    all.sort();
    summary[name] = {
      rps_median: median(results.map((r) => r.rps)),
      rps_runs: results.map((r) => r.rps),
      p50_ms: percentile(all, 50),
      p99_ms: percentile(all, 99),
      errors: results.reduce((n, r) => n + r.errors, 0),
      client_cpu: median(results.map((r) => r.clientCpu)),
    };
    const firstError = results.find((r) => r.firstError)?.firstError;
    if (firstError) progress(`${name}: ${summary[name].errors} failed requests, first: ${firstError}`);
  }
  return { publicId, summary, perRoundRatios, timelineShape };
}

// ---------------------------------------------------------------------------------------
// Pipeline part (in-process)

const CATALOG_STAGES = ["fetch_source", "segment", "compose", "export"] as const;
const STAGE_FUNCTIONS = ["normalizeSource", "segmentProduct", "makeCutoutPng", "composeOnCanvas", "exportFinals"] as const;

async function benchPipeline(photo: Buffer) {
  const { dir } = useUnitEnv({ JOB_TIME_LIMIT_SECONDS: "600", JOB_LEASE_SECONDS: "60" });
  // No libvips operation cache: repeated runs on the same bytes must not get cheaper.
  sharp.cache(false);
  const { createJob } = await import("../app/jobs/create-job.server");
  const { runJob } = await import("../app/engine/run-job.server");
  const { inspectSourceImage } = await import("../app/jobs/source-image.server");
  const { catalogImageOptions } = await import("../app/pipelines/catalog-image.server");
  const imaging = await import("../app/imaging/index.server");
  const { db } = await import("../app/db.server");

  const options = catalogImageOptions.parse({}) as { background: string; fill: number; shadow: boolean; size: number };
  const info = await inspectSourceImage(photo, ["body", "image"]);

  const baseline = async () => {
    const t = performance.now();
    await sharp(photo).resize(PHOTO_SIDE).jpeg().toBuffer();
    return performance.now() - t;
  };
  const pipeline = async () => {
    const t0 = performance.now();
    const { job } = await createJob({
      shop: SHOP,
      kind: "catalog_image",
      options,
      productId: null,
      source: { type: "upload", bytes: photo, info, filename: "bench.jpg" },
      idempotencyKey: null,
    });
    const t1 = performance.now();
    await runJob(job.id);
    const t2 = performance.now();
    const done = await db().job.findUniqueOrThrow({ where: { id: job.id } });
    if (done.status !== "succeeded") throw new Error(`in-process catalog job ended ${done.status}`);
    // The engine times each stage's run() (internal "Stage finished" events): the rest of
    // runJob is the engine itself (claim, cancel checks, blob writes, DB transactions).
    const finished = await db().jobEvent.findMany({ where: { jobId: job.id, visibility: "internal", message: "Stage finished" } });
    const stageMs = Object.fromEntries(finished.map((e) => [e.stage ?? "?", Number(JSON.parse(e.extra ?? "{}").ms)]));
    return { createJob: t1 - t0, runJob: t2 - t1, stageMs };
  };
  const stages = async () => {
    const ms: Record<string, number> = {};
    let t = performance.now();
    const lap = (name: string) => {
      const now = performance.now();
      ms[name] = now - t;
      t = now;
    };
    const source = await imaging.normalizeSource(photo);
    lap("normalizeSource");
    const seg = await imaging.segmentProduct(source.image);
    lap("segmentProduct");
    await imaging.makeCutoutPng(source.image, seg.alpha);
    lap("makeCutoutPng");
    const composite = await imaging.composeOnCanvas(source.image, seg.alpha, options);
    lap("composeOnCanvas");
    await imaging.exportFinals(composite.png);
    lap("exportFinals");
    return ms;
  };

  // Untimed warm-up: the image functions are the code runJob runs, so one pass warms both.
  progress("pipeline warm-up (untimed baseline + image functions)");
  await baseline();
  await stages();

  const samples = {
    baseline: [] as number[],
    createJob: [] as number[],
    runJob: [] as number[],
    engineStages: [] as Record<string, number>[],
    stages: [] as Record<string, number>[],
  };
  const runPipeline = async () => {
    const p = await pipeline();
    samples.createJob.push(p.createJob);
    samples.runJob.push(p.runJob);
    samples.engineStages.push(p.stageMs);
  };
  for (let i = 1; i <= PIPELINE_RUNS; i++) {
    progress(`pipeline run ${i}/${PIPELINE_RUNS}: baseline, runJob, image functions`);
    samples.baseline.push(await baseline());
    // Swap the order every other run so neither always runs right after the other.
    if (i % 2) {
      await runPipeline();
      samples.stages.push(await stages());
    } else {
      samples.stages.push(await stages());
      await runPipeline();
    }
  }
  await db().$disconnect();
  rmSync(dir, { recursive: true, force: true }); // ~15 MB of blobs per run

  const base = median(samples.baseline);
  const stageMs = Object.fromEntries(STAGE_FUNCTIONS.map((name) => [name, median(samples.stages.map((s) => s[name]))]));
  const sumStages = median(samples.stages.map((s) => STAGE_FUNCTIONS.reduce((n, name) => n + s[name], 0)));
  const runJobMs = median(samples.runJob);
  const engineStageMs = Object.fromEntries(CATALOG_STAGES.map((name) => [name, median(samples.engineStages.map((s) => s[name]))]));
  const engineStagesSum = median(samples.engineStages.map((s) => CATALOG_STAGES.reduce((n, name) => n + s[name], 0)));
  return {
    engine_stage_ms: engineStageMs,
    engine_stages_ms: engineStagesSum,
    engine_overhead_ms: median(samples.runJob.map((ms, i) => ms - CATALOG_STAGES.reduce((n, name) => n + samples.engineStages[i][name], 0))),
    runs: PIPELINE_RUNS,
    baseline_ms: base,
    baseline_runs: samples.baseline,
    runjob_ms: runJobMs,
    runjob_runs: samples.runJob,
    createjob_ms: median(samples.createJob),
    stage_ms: stageMs,
    image_functions_ms: sumStages,
  };
}

// ---------------------------------------------------------------------------------------
// Report

function pad(cells: (string | number)[], widths: number[]) {
  return cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join("  ");
}

function verdict(value: number, target: number) {
  return value >= target ? "PASS" : "MISS";
}

async function main() {
  const started = performance.now();
  progress("build + template DB (test/support/global-setup.ts; rebuilds only if app/ changed)");
  globalSetup();
  const setupSeconds = (performance.now() - started) / 1000;

  progress(`generating a ${PHOTO_SIDE}×${PHOTO_SIDE} studio photo`);
  const photo = (await generateStudioPhoto(7, { width: PHOTO_SIDE, height: PHOTO_SIDE, centred: true, jpegQuality: 90 })).jpeg;

  progress("starting the production server (SQLite, local blobs, in-process worker)");
  let server: TestServer | undefined;
  const stopServer = async () => {
    const s = server;
    server = undefined;
    if (!s) return;
    await s.stop();
    rmSync(path.dirname(s.dbFile), { recursive: true, force: true });
  };
  const onSignal = (signal: NodeJS.Signals) => {
    void stopServer().finally(() => process.exit(signal === "SIGINT" ? 130 : 143));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);

  let http_;
  try {
    server = await startServer({ env: { STUDIO_WORKER: "on", NODE_ENV: "production" } });
    http_ = await benchHttp(server, photo);
  } finally {
    await stopServer();
  }
  const pipe = await benchPipeline(photo);

  const s = http_.summary;
  const ratios = {
    empty_poll_over_healthz: s.empty_poll.rps_median / s.healthz.rps_median,
    full_timeline_over_healthz: s.full_timeline.rps_median / s.healthz.rps_median,
    pipeline_runjob_over_sharp_baseline: pipe.runjob_ms / pipe.baseline_ms,
    image_functions_over_sharp_baseline: pipe.image_functions_ms / pipe.baseline_ms,
    engine_overhead_over_sharp_baseline: pipe.engine_overhead_ms / pipe.baseline_ms,
    ...Object.fromEntries(STAGE_FUNCTIONS.map((name) => [`${name}_over_sharp_baseline`, pipe.stage_ms[name] / pipe.baseline_ms])),
  };

  log();
  log(`HTTP throughput: ${CONNECTIONS} keep-alive connections, closed loop, ${SECONDS} s per run after ${WARMUP_SECONDS} s warm-up,`);
  log(`${ROUNDS} interleaved rounds (healthz, empty poll, full timeline); req/s = median of the rounds.`);
  log(`Full timeline: ${http_.timelineShape.events} events, ${http_.timelineShape.artifacts} presigned artifacts, ${http_.timelineShape.bytes} bytes.`);
  const w = [15, 9, 26, 8, 8, 7, 11];
  log(pad(["endpoint", "req/s", "rounds", "p50 ms", "p99 ms", "errors", "client cpu"], w));
  for (const [name, e] of Object.entries(s)) {
    log(pad([name, e.rps_median.toFixed(0), e.rps_runs.map((r) => r.toFixed(0)).join(" / "), e.p50_ms.toFixed(2), e.p99_ms.toFixed(2), e.errors, `${(e.client_cpu * 100).toFixed(0)}%`], w));
  }
  const perRound = (key: keyof typeof TARGETS) => http_.perRoundRatios.map((r) => r[key].toFixed(2)).join(" / ");
  for (const key of Object.keys(TARGETS) as (keyof typeof TARGETS)[]) {
    log(`  ${key.replace("_over_", " / ").padEnd(26)} ${ratios[key].toFixed(2)}   target >= ${TARGETS[key]}   ${verdict(ratios[key], TARGETS[key])}   (per round: ${perRound(key)})`);
  }

  log();
  log(`Catalog pipeline, ${PHOTO_SIDE}×${PHOTO_SIDE} JPEG, in-process, ${pipe.runs} alternating runs each (medians).`);
  log(`Baseline = sharp decode + resize(${PHOTO_SIDE}) + JPEG encode of the same photo.`);
  const w2 = [64, 10, 11];
  log(pad(["", "ms", "× baseline"], w2));
  const row = (label: string, ms: number) => log(pad([label, ms.toFixed(1), (ms / pipe.baseline_ms).toFixed(2)], w2));
  row("baseline: sharp decode + resize + JPEG", pipe.baseline_ms);
  row("runJob, whole catalog job (includes SQLite + blob writes)", pipe.runjob_ms);
  for (const name of CATALOG_STAGES) row(`  ${name} stage run() (timed by the engine)`, pipe.engine_stage_ms[name]);
  row("  engine: claim, cancel checks, blob writes, DB transactions", pipe.engine_overhead_ms);
  log("pure image functions, called directly on the same photo:");
  for (const name of STAGE_FUNCTIONS) row(`  ${name}`, pipe.stage_ms[name]);
  row("  sum of the image functions", pipe.image_functions_ms);
  row("createJob (source blob + job row + queued event; not in runJob)", pipe.createjob_ms);
  log();
  const total = (performance.now() - started) / 1000;
  log(`Total ${total.toFixed(0)} s (of which build/setup ${setupSeconds.toFixed(0)} s).`);

  const json = {
    ratios: Object.fromEntries(Object.entries(ratios).map(([k, v]) => [k, round(v, 3)])),
    targets: Object.fromEntries(Object.entries(TARGETS).map(([k, t]) => [k, { target: t, pass: ratios[k as keyof typeof TARGETS] >= t }])),
    per_round_ratios: http_.perRoundRatios.map((r) => ({ empty_poll_over_healthz: round(r.empty_poll_over_healthz, 3), full_timeline_over_healthz: round(r.full_timeline_over_healthz, 3) })),
    http: Object.fromEntries(
      Object.entries(s).map(([name, e]) => [
        name,
        { rps: round(e.rps_median, 0), rps_runs: e.rps_runs.map((r) => round(r, 0)), p50_ms: round(e.p50_ms), p99_ms: round(e.p99_ms), errors: e.errors, client_cpu: round(e.client_cpu) },
      ]),
    ),
    pipeline_ms: {
      baseline: round(pipe.baseline_ms, 1),
      runjob: round(pipe.runjob_ms, 1),
      createjob: round(pipe.createjob_ms, 1),
      image_functions: round(pipe.image_functions_ms, 1),
      engine_overhead: round(pipe.engine_overhead_ms, 1),
      ...Object.fromEntries(CATALOG_STAGES.map((name) => [`stage_${name}`, round(pipe.engine_stage_ms[name], 1)])),
      ...Object.fromEntries(STAGE_FUNCTIONS.map((name) => [name, round(pipe.stage_ms[name], 1)])),
    },
    config: { connections: CONNECTIONS, seconds: SECONDS, warmup_seconds: WARMUP_SECONDS, rounds: ROUNDS, pipeline_runs: pipe.runs, photo: `${PHOTO_SIDE}x${PHOTO_SIDE}` },
    total_seconds: round(total, 1),
  };
  log(`BENCH_JSON ${JSON.stringify(json)}`);
}

main().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`bench failed: ${(error as Error)?.stack ?? error}\n`);
    process.exit(1);
  },
);
