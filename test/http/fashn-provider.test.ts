// The FASHN provider against a local double of FASHN's API (started here, passed to a real
// production server through FASHN_BASE_URL + FASHN_API_KEY): jobs succeed and fail exactly as
// the double answers, outputs end up in Studio's store, credits end up in the cost.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import sharp from "sharp";
import { startServer, type TestServer } from "../support/test-server";
import { bearerFetch, waitFor } from "../support/api-client";
import { multipart } from "../support/images";
import { SHOP } from "../support/constants";
import { validateResponse } from "../support/openapi";
import { FashnDouble, SUCCESS, type Behaviour } from "../support/fashn-double";
import { garmentPhoto } from "../fixtures/garments";
import { personPhoto, PERSON_ANCHORS } from "../fixtures/model-photos";

const double = new FashnDouble();
let server: TestServer;
let garment: Buffer;
/** fetch_source 1 + segment 4 + render 6 + finish 2 + export 3 */
const BASE_UNITS = 16;
const UNITS_PER_CREDIT = 40;

function fashnEnv(extra: Record<string, string> = {}) {
  return {
    FASHN_API_KEY: double.apiKey,
    FASHN_BASE_URL: double.url,
    FASHN_POLL_INTERVAL_MS: "20",
    JOB_RETRY_BASE_MS: "20",
    JOB_MAX_STAGE_ATTEMPTS: "3",
    ...extra,
  };
}

beforeAll(async () => {
  await double.start();
  garment = await sharp(await garmentPhoto("tee-navy")).resize(700).jpeg().toBuffer();
  server = await startServer({ env: fashnEnv() });
});
afterAll(async () => {
  await server?.stop();
  await double.stop();
});
beforeEach(() => double.reset());

async function createRender(s: TestServer, options: Record<string, unknown> = {}) {
  const res = await bearerFetch(s.url, "/v1/jobs", {
    method: "POST",
    body: multipart({ kind: "on_model_render", image: { data: garment, filename: "tee.jpg", type: "image/jpeg" }, options: JSON.stringify(options) }),
  });
  expect(res.status).toBe(201);
  return res.json();
}

async function finished(s: TestServer, publicId: string) {
  return waitFor(async () => {
    const job = await (await bearerFetch(s.url, `/v1/jobs/${publicId}`)).json();
    return ["succeeded", "failed", "cancelled"].includes(job.status) ? job : null;
  }, 120_000, 100);
}

async function events(s: TestServer, publicId: string) {
  const body = await (await bearerFetch(s.url, `/v1/jobs/${publicId}/events`)).json();
  await validateResponse("/v1/jobs/{public_id}/events", "get", 200, body);
  return body.events as any[];
}

async function run(behaviours: Behaviour[], options: Record<string, unknown> = {}) {
  double.script(...behaviours);
  const job = await createRender(server, options);
  const done = await finished(server, job.public_id);
  const timeline = await events(server, job.public_id);
  return { job, done, timeline, terminal: timeline[timeline.length - 1] };
}

describe("FASHN renders", () => {
  it("product-to-model for a built-in model: status lines, output copied into Studio's store, credits in the cost", async () => {
    const { job, done, timeline, terminal } = await run([{ statuses: ["starting", "in_queue", "in_queue", "processing", "processing"], end: "completed", credits: 2 }]);
    // With FASHN_API_KEY set, FASHN is the default renderer.
    expect(job.options).toMatchObject({ provider: "fashn", model: "builtin:mannequin-neutral" });
    expect(done.status, JSON.stringify(timeline)).toBe("succeeded");

    expect(double.runs).toHaveLength(1);
    expect(double.runs[0].model_name).toBe("product-to-model");
    expect(String(double.runs[0].inputs.product_image)).toMatch(/^data:image\/jpeg;base64,/);
    expect(double.runs[0].authorization).toBe(`Bearer ${double.apiKey}`);

    // FASHN's statuses as public lines of the render stage, once per change.
    const render = timeline.filter((e) => e.stage === "render" && e.event_type === "stage").map((e) => e.message);
    expect(render).toEqual(["Dressing the model", "Starting on FASHN", "In queue", "Rendering", expect.stringMatching(/^Rendered by FASHN \(product-to-model\)/)]);
    // The prediction id and raw responses stay internal.
    expect(JSON.stringify(timeline)).not.toContain("pred-");

    // Copied at once: fetched from the double exactly once, served by Studio afterwards.
    expect(double.outputFetches).toBe(1);
    const renderArtifact = timeline.flatMap((e) => e.artifacts).find((a: any) => a.kind === "render");
    expect(renderArtifact.meta).toMatchObject({ renderer: "fashn", fashn_model: "product-to-model", credits_used: 2, width: 768, height: 1152 });
    for (const artifact of [renderArtifact, ...done.final_artifacts]) {
      expect(artifact.image_url.startsWith(server.url)).toBe(true);
      expect(artifact.image_url).not.toContain(double.url);
      expect((await fetch(artifact.image_url)).status).toBe(200);
    }
    expect(double.outputFetches).toBe(1);
    for (const artifact of done.final_artifacts) {
      expect(artifact).toMatchObject({ kind: "on_model_render", role: "final" });
      expect(Math.min(artifact.meta.width, artifact.meta.height)).toBeGreaterThanOrEqual(1024);
      expect(artifact.meta.renderer).toBe("fashn");
    }
    expect(new Set(done.final_artifacts.map((a: any) => a.meta.format))).toEqual(new Set(["jpeg", "webp"]));
    expect(terminal.extra.cost).toEqual({ amount: ((BASE_UNITS + 2 * UNITS_PER_CREDIT) * 0.002 * 10_000) / 10_000, currency: "USD", units: BASE_UNITS + 2 * UNITS_PER_CREDIT });
  });

  it("tryon-v1.6 for the shop's own model photo, both images inline", async () => {
    const model = await (
      await bearerFetch(server.url, "/v1/models", {
        method: "POST",
        body: multipart({ image: { data: await personPhoto(), filename: "p.jpg", type: "image/jpeg" }, anchors: JSON.stringify(PERSON_ANCHORS) }),
      })
    ).json();
    const { done } = await run([SUCCESS], { model: model.id, category: "tops" });
    expect(done.status).toBe("succeeded");
    expect(double.runs).toHaveLength(1);
    expect(double.runs[0].model_name).toBe("tryon-v1.6");
    expect(String(double.runs[0].inputs.garment_image)).toMatch(/^data:image\/jpeg;base64,/);
    expect(String(double.runs[0].inputs.model_image)).toMatch(/^data:image\/jpeg;base64,/);
    expect(double.runs[0].inputs.category).toBe("tops");
  });

  it("lets a job choose the local renderer even when FASHN is the default", async () => {
    const { done, timeline } = await run([], { provider: "local" });
    expect(done.status).toBe("succeeded");
    expect(double.runs).toHaveLength(0);
    expect(timeline.flatMap((e) => e.artifacts).find((a: any) => a.kind === "render").meta.renderer).toBe("local-composite");
  });
});

describe("FASHN failures", () => {
  const fatal: [string, string][] = [
    ["ImageLoadError", "fashn_image_load_error"],
    ["PoseError", "fashn_pose_error"],
    ["ContentModerationError", "fashn_content_moderation"],
    ["InputValidationError", "fashn_input_validation"],
  ];
  for (const [name, code] of fatal) {
    it(`${name} fails the job at once (${code}, not retried)`, async () => {
      const { done, terminal } = await run([{ statuses: ["processing"], end: "failed", name }]);
      expect(done.status).toBe("failed");
      expect(double.runs).toHaveLength(1);
      expect(terminal).toMatchObject({ event_type: "failed", stage: "render" });
      expect(terminal.extra.error).toEqual({ code, message: expect.any(String), retryable: false });
      expect(terminal.extra.error.message).not.toContain("pred-");
      expect(terminal.extra.cost.units).toBe(5);
    });
  }

  it("OutOfCredits fails at once and tells the merchant what to do", async () => {
    const { done, terminal } = await run([{ end: "http", http: 429, error: "OutOfCredits", message: "No API credits remaining" }]);
    expect(done.status).toBe("failed");
    expect(double.runs).toHaveLength(1);
    expect(terminal.extra.error).toMatchObject({ code: "fashn_out_of_credits", retryable: false });
    expect(terminal.extra.error.message).toMatch(/top up/i);
    expect(terminal.extra.error.message).toMatch(/local/);
  });

  it("a refused API key fails at once", async () => {
    const { done, terminal } = await run([{ end: "http", http: 401, error: "UnauthorizedAccess" }]);
    expect(done.status).toBe("failed");
    expect(double.runs).toHaveLength(1);
    expect(terminal.extra.error).toMatchObject({ code: "fashn_unauthorized", retryable: false });
  });

  const transient: [string, Behaviour][] = [
    ["a 429 RateLimitExceeded", { end: "http", http: 429, error: "RateLimitExceeded" }],
    ["a 429 ConcurrencyLimitExceeded", { end: "http", http: 429, error: "ConcurrencyLimitExceeded" }],
    ["a 500", { end: "http", http: 500, error: "InternalServerError" }],
    ["a 503", { end: "http", http: 503, error: "ServiceUnavailable" }],
    ["a PipelineError", { statuses: ["in_queue"], end: "failed", name: "PipelineError" }],
    ["a ThirdPartyError", { statuses: ["processing"], end: "failed", name: "ThirdPartyError" }],
  ];
  for (const [label, behaviour] of transient) {
    it(`retries after ${label}, then succeeds`, async () => {
      const { done, timeline, terminal } = await run([behaviour, SUCCESS]);
      expect(done.status, JSON.stringify(timeline)).toBe("succeeded");
      expect(double.runs).toHaveLength(2);
      expect(terminal.extra.cost.units).toBe(BASE_UNITS + UNITS_PER_CREDIT);
      // One terminal event; the retry itself is internal.
      expect(timeline.filter((e) => ["succeeded", "failed"].includes(e.event_type))).toHaveLength(1);
    });
  }

  it("gives up on a retryable error after JOB_MAX_STAGE_ATTEMPTS and says so", async () => {
    const failing: Behaviour = { statuses: ["processing"], end: "failed", name: "ThirdPartyError" };
    const { done, terminal } = await run([failing, failing, failing]);
    expect(done.status).toBe("failed");
    expect(double.runs).toHaveLength(3);
    expect(terminal.extra.error).toMatchObject({ code: "fashn_third_party_error", retryable: true });
  });

  it("cancels while FASHN is rendering: stops polling, ends cancelled with the provider's caveat", async () => {
    double.script({ statuses: ["in_queue", "processing"], end: "never" });
    const job = await createRender(server);
    const prediction = await waitFor(async () => [...double.predictions.values()].find((p) => p.polls >= 3), 60_000, 20);
    const res = await bearerFetch(server.url, `/v1/jobs/${job.public_id}/cancel`, { method: "POST" });
    expect(res.status).toBe(202);
    const done = await finished(server, job.public_id);
    expect(done.status).toBe("cancelled");
    const timeline = await events(server, job.public_id);
    const terminal = timeline[timeline.length - 1];
    expect(terminal).toMatchObject({ event_type: "failed", stage: "render" });
    expect(terminal.extra.error).toEqual({ code: "cancelled", message: "Cancelled while FASHN was rendering; FASHN may still bill the started call.", retryable: false });
    expect(timeline.filter((e) => ["succeeded", "failed"].includes(e.event_type))).toHaveLength(1);
    expect(prediction.polls).toBeGreaterThanOrEqual(3);
    expect(double.runs).toHaveLength(1);
  });

  it("refuses provider fashn with an unknown model (422) before calling FASHN", async () => {
    const res = await bearerFetch(server.url, "/v1/jobs", {
      method: "POST",
      body: multipart({ kind: "on_model_render", image: { data: garment, filename: "t.jpg", type: "image/jpeg" }, options: JSON.stringify({ provider: "fashn", model: "builtin:nope" }) }),
    });
    expect(res.status).toBe(422);
    expect(double.runs).toHaveLength(0);
  });
});

describe("FASHN limits", () => {
  it("a render that never completes hits the job's time limit (timeout)", async () => {
    const s = await startServer({ env: fashnEnv({ JOB_TIME_LIMIT_SECONDS: "8" }) });
    try {
      double.script({ statuses: ["in_queue", "processing"], end: "never" });
      const job = await createRender(s);
      const done = await finished(s, job.public_id);
      expect(done.status).toBe("failed");
      const timeline = await events(s, job.public_id);
      const terminal = timeline[timeline.length - 1];
      expect(terminal.event_type).toBe("failed");
      expect(terminal.extra.error).toMatchObject({ code: "timeout", retryable: true });
      expect(timeline.filter((e) => ["succeeded", "failed"].includes(e.event_type))).toHaveLength(1);
      expect(double.runs).toHaveLength(1);
      expect([...double.predictions.values()][0].polls).toBeGreaterThan(0);
    } finally {
      await s.stop();
    }
  });

  it("a server killed while FASHN renders resumes polling that render after a restart: one run, billed once", async () => {
    const s = await startServer({ env: fashnEnv({ JOB_LEASE_SECONDS: "2" }) });
    try {
      double.script({ statuses: ["in_queue", ...Array(60).fill("processing")], end: "completed", credits: 2 });
      const job = await createRender(s);
      const prediction = await waitFor(async () => [...double.predictions.values()].find((p) => p.polls >= 3), 60_000, 20);
      await s.kill();
      const pollsAtCrash = prediction.polls;
      await s.restart();
      const done = await finished(s, job.public_id);
      expect(done.status).toBe("succeeded");
      // the same prediction was polled on; no second render was started (and billed)
      expect(double.runs).toHaveLength(1);
      expect(prediction.polls).toBeGreaterThan(pollsAtCrash);
      const timeline = await events(s, job.public_id);
      expect(timeline.filter((e) => e.event_type === "queued")).toHaveLength(1);
      expect(timeline.filter((e) => ["succeeded", "failed"].includes(e.event_type))).toHaveLength(1);
      const terminal = timeline[timeline.length - 1];
      expect(terminal.extra.cost.units).toBe(BASE_UNITS + 2 * UNITS_PER_CREDIT);
    } finally {
      await s.stop();
    }
  });

  it("keeps in-flight FASHN calls under FASHN_MAX_CONCURRENCY", async () => {
    const s = await startServer({ env: fashnEnv({ FASHN_MAX_CONCURRENCY: "1", WORKER_CONCURRENCY: "3" }) });
    try {
      const slow: Behaviour = { statuses: ["in_queue", "in_queue", "processing", "processing", "processing", "processing"], end: "completed", credits: 1 };
      double.script(slow, slow, slow);
      const jobs = await Promise.all([createRender(s), createRender(s), createRender(s)]);
      for (const job of jobs) expect((await finished(s, job.public_id)).status).toBe("succeeded");
      expect(double.runs).toHaveLength(3);
      expect(double.maxInFlight).toBe(1);
    } finally {
      await s.stop();
    }
  });
});
