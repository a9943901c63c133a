// The embedded admin in a real browser: the production build in local-preview mode
// (STUDIO_DEMO=1), opened through the /demo admin shell, as a merchant would use it.
// Screenshots of every page go to test-output/screenshots/.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import sharp from "sharp";
import type { Frame, Locator, Page } from "playwright-core";
import { startServer, type TestServer } from "../support/test-server";
import { bearerFetch, waitFor } from "../support/api-client";
import { multipart, productPhoto } from "../support/images";
import { appFrame, describeViolations, imagesLoaded, launchBrowser, openApp, screenshot, seriousViolations, type Browser } from "../support/browser";
import { DEMO_SHOP } from "~/demo/demo-shop";

const JOB_URL = /\/app\/jobs\/[0-9A-HJKMNP-TV-Z]{26}/;
let server: TestServer;
let browser: Browser;
let page: Page;

const DEMO_ENV = { STUDIO_DEMO: "1", NODE_ENV: "development", WORKER_CONCURRENCY: "2" };

beforeAll(async () => {
  browser = await launchBrowser();
  page = browser.page;
});

afterAll(async () => {
  await browser?.close();
});

async function expectAccessible(frame: Frame) {
  const violations = await seriousViolations(frame);
  expect(violations, describeViolations(violations)).toEqual([]);
}

function expectNoBrowserProblems() {
  const problems = browser.problems.splice(0);
  expect(problems).toEqual([]);
}

async function jobsOfDemoShop(): Promise<{ public_id: string; status: string }[]> {
  const all: { public_id: string; status: string }[] = [];
  let cursor = "";
  for (;;) {
    const res = await bearerFetch(server.url, `/v1/jobs?limit=100${cursor ? `&cursor=${cursor}` : ""}`, { shop: DEMO_SHOP });
    const body = await res.json();
    all.push(...body.jobs);
    if (!body.next_cursor) return all;
    cursor = body.next_cursor;
  }
}

/** Uploads photos on the new-job page (already open) and presses Create job in the admin title bar. */
async function createFromUpload(frame: Frame, files: { name: string; buffer: Buffer }[]): Promise<Frame> {
  await frame.setInputFiles('input[type="file"]', files.map((file) => ({ ...file, mimeType: "image/jpeg" })));
  for (const file of files) await frame.getByText(file.name).waitFor();
  await page.locator("#appbar-actions").getByRole("button", { name: /^Create (job|\d+ jobs)$/ }).click();
  await frame.waitForURL(JOB_URL, { timeout: 30_000 });
  return appFrame(page);
}

const visible = (locator: Locator, timeout = 15_000) => locator.first().waitFor({ state: "visible", timeout });

async function expectCount(locator: Locator, expected: number, timeout = 15_000) {
  await waitFor(async () => (await locator.count()) === expected, timeout, 100).catch(() => undefined);
  expect(await locator.count()).toBe(expected);
}

async function expectText(locator: Locator, expected: string, timeout = 15_000) {
  await waitFor(async () => (await locator.textContent())?.trim() === expected, timeout, 100).catch(() => undefined);
  expect((await locator.textContent())?.trim()).toBe(expected);
}

const jobIdOf = (frame: Frame) => /\/app\/jobs\/([0-9A-HJKMNP-TV-Z]{26})/.exec(frame.url())?.[1];

async function badge(frame: Frame, text: string, timeout = 180_000) {
  await frame.locator(".Polaris-Badge", { hasText: text }).first().waitFor({ timeout });
}

describe("embedded admin (local preview)", () => {
  beforeAll(async () => {
    server = await startServer({ env: DEMO_ENV, shops: [DEMO_SHOP] });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("leads from the empty list to a new catalog job and shows its timeline until it succeeds", async () => {
    let frame = await openApp(page, server.url, "/app");
    await frame.getByText("Turn product photos into catalog images").waitFor();
    await expectText(page.locator(".appbar h1"), "Jobs");
    await screenshot(page, "jobs-empty");
    await expectAccessible(frame);

    await frame.getByRole("link", { name: "Create job" }).click();
    await frame.waitForURL(/\/app\/jobs\/new/);
    await frame.getByRole("heading", { name: "Job type" }).waitFor();
    await expectText(page.locator(".appbar h1"), "New job");
    await expectAccessible(frame);

    await frame.setInputFiles('input[type="file"]', { name: "mug.jpg", mimeType: "image/jpeg", buffer: await productPhoto() });
    await frame.getByText("mug.jpg").waitFor();
    await frame.getByLabel("Background colour").fill("#f6f6f4");
    await screenshot(page, "new-job");
    await frame.getByRole("button", { name: "Create job" }).last().click();
    await frame.waitForURL(JOB_URL, { timeout: 30_000 });
    frame = await appFrame(page);
    await frame.getByText("Job created").waitFor();

    await badge(frame, "Succeeded");
    // Intermediate images (source, cutout, composite) and the finals, all loaded.
    await frame.getByRole("heading", { name: "Result" }).waitFor();
    await waitFor(async () => (await imagesLoaded(frame, ".studio-timeline img")).count >= 5 && (await imagesLoaded(frame, "img")).broken.length === 0, 30_000, 200);
    for (const kind of ["source", "cutout", "composite"]) await visible(frame.getByRole("button", { name: `View ${kind} full size` }));
    expect((await imagesLoaded(frame, ".studio-compare img")).count).toBe(2);
    await visible(frame.getByText("Done: your images are ready"));
    await visible(frame.getByText("$0.02").first());
    await screenshot(page, "job-finished");
    await expectAccessible(frame);

    // An artifact opens full size.
    await frame.getByRole("button", { name: "View cutout full size" }).click();
    const dialog = frame.getByRole("dialog");
    await dialog.waitFor();
    await waitFor(async () => {
      const { count, broken } = await imagesLoaded(frame, ".studio-full-image img");
      return count === 1 && broken.length === 0;
    }, 10_000, 100);
    const natural = await frame.locator(".studio-full-image img").evaluate((img: HTMLImageElement) => [img.naturalWidth, img.naturalHeight]);
    expect(natural).toEqual([640, 480]);
    await visible(dialog.getByText("640 × 480 px"));
    await screenshot(page, "artifact-full-size", { fullPage: false });
    await expectAccessible(frame);
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "hidden" });
    expectNoBrowserProblems();
  }, 300_000);

  it("cancels a running job from the title bar", async () => {
    let frame = await openApp(page, server.url, "/app/jobs/new");
    // A big photo (35 MP) keeps the job busy for a few seconds; a cancel lands after the current
    // stage, so it is sent as soon as the job runs (the screenshot first: it is quick).
    frame = await createFromUpload(frame, [{ name: "big-photo.jpg", buffer: await productPhoto({ width: 7000, height: 5000 }) }]);
    await badge(frame, "Running", 120_000);
    await screenshot(page, "job-running", { fullPage: false });
    await page.locator("#appbar-actions").getByRole("button", { name: "Cancel job" }).click();
    await frame.getByText(/Cancelling after the current stage|Job cancelled/).waitFor();
    // On a busy machine (the whole suite in parallel) the stage may take a while to finish.
    await badge(frame, "Cancelled", 240_000);
    await frame.getByText("This job was cancelled").waitFor();
    await visible(page.locator("#appbar-actions").getByRole("button", { name: "Run again" }));
    const job = await (await bearerFetch(server.url, `/v1/jobs/${jobIdOf(frame)}`, { shop: DEMO_SHOP })).json();
    expect(job.status).toBe("cancelled");
    expect(job.final_artifacts).toEqual([]);
    await expectAccessible(frame);
    expectNoBrowserProblems();
  }, 360_000);

  it("explains a failed job and offers to run it again", async () => {
    let frame = await openApp(page, server.url, "/app/jobs/new");
    const blank = await sharp({ create: { width: 640, height: 480, channels: 3, background: "#f4f4f4" } }).jpeg().toBuffer();
    frame = await createFromUpload(frame, [{ name: "empty-table.jpg", buffer: blank }]);
    await badge(frame, "Failed");
    const banner = frame.locator(".Polaris-Banner", { hasText: "This job failed" });
    await banner.waitFor();
    await visible(banner.getByText(/No product found/));
    await visible(banner.getByText(/stands out from a plain, light background/));
    await visible(banner.getByRole("button", { name: "Run again" }));
    await screenshot(page, "job-failed");
    await expectAccessible(frame);

    // Run again: a new job with the same source and options, which fails the same way.
    const before = await jobsOfDemoShop();
    const failedId = jobIdOf(frame);
    await banner.getByRole("button", { name: "Run again" }).click();
    await waitFor(async () => jobIdOf(frame) !== failedId, 20_000, 100);
    const after = await jobsOfDemoShop();
    expect(after.length).toBe(before.length + 1);
    expect(after[0].public_id).toBe(jobIdOf(frame));
    await badge(frame, "Failed");
    expectNoBrowserProblems();
  }, 300_000);

  it("says clearly that products can't be fetched in the local preview", async () => {
    const before = (await jobsOfDemoShop()).length;
    const frame = await openApp(page, server.url, "/app/jobs/new");
    await frame.getByRole("button", { name: "Select products" }).click();
    const picker = frame.getByRole("dialog", { name: "Select products" });
    await picker.waitFor();
    await picker.getByLabel("Ceramic mug").check();
    await picker.getByLabel("Canvas tote bag").check();
    await picker.getByRole("button", { name: "Select" }).click();
    await frame.getByText("Ceramic mug").waitFor();
    await frame.getByRole("button", { name: "Create 2 jobs" }).last().click();
    const banner = frame.locator(".Polaris-Banner", { hasText: "problems with these jobs" });
    await banner.waitFor();
    await visible(banner.getByText(/Ceramic mug.*isn't connected to a Shopify store/));
    await visible(frame.locator(".Polaris-InlineError", { hasText: "Canvas tote bag" }));
    await expectAccessible(frame);
    expect((await jobsOfDemoShop()).length).toBe(before);
    expectNoBrowserProblems();
  }, 120_000);

  it("pages through the jobs list, filters it and cancels jobs in bulk", async () => {
    // More than one page (25) of jobs, through the API.
    const photos = await Promise.all(["#c0392b", "#2e86c1", "#27ae60", "#8e44ad"].map((fill) => colouredPhoto(fill)));
    for (let i = 0; i < 28; i++) {
      const form = multipart({
        kind: "catalog_image",
        image: { data: photos[i % photos.length], filename: `product-${String(i + 1).padStart(2, "0")}.jpg`, type: "image/jpeg" },
        options: JSON.stringify({ size: 512, background: i % 2 ? "#f6f6f4" : "#ffffff" }),
      });
      const res = await bearerFetch(server.url, "/v1/jobs", { method: "POST", body: form, shop: DEMO_SHOP });
      expect(res.status).toBe(201);
    }
    const total = (await jobsOfDemoShop()).length;
    expect(total).toBeGreaterThan(25);

    // Bulk cancel the three newest (still queued: the worker runs two at a time).
    let frame = await openApp(page, server.url, "/app");
    const rows = frame.locator("tr.Polaris-IndexTable__TableRow");
    await expectCount(rows, 25);
    for (let i = 0; i < 3; i++) await rows.nth(i).locator('input[type="checkbox"]').check({ force: true });
    await frame.getByRole("button", { name: "Cancel jobs" }).click();
    await frame.getByText(/\d+ jobs? cancelled|already finished/).waitFor();

    await waitFor(async () => (await jobsOfDemoShop()).every((job) => ["succeeded", "failed", "cancelled"].includes(job.status)), 240_000, 500);
    expect((await jobsOfDemoShop()).filter((job) => job.status === "cancelled").length).toBeGreaterThanOrEqual(2);
    frame = await openApp(page, server.url, "/app");
    await expectCount(frame.locator("tr.Polaris-IndexTable__TableRow"), 25);
    await waitFor(async () => (await imagesLoaded(frame, "tr img")).broken.length === 0, 20_000, 200);
    await screenshot(page, "jobs-list");
    await expectAccessible(frame);

    await frame.getByRole("button", { name: "Next page" }).click();
    await frame.waitForURL(/cursor=/);
    await expectCount(frame.locator("tr.Polaris-IndexTable__TableRow"), total - 25);
    await frame.getByRole("button", { name: "Previous page" }).click();
    await frame.waitForURL((url) => url.searchParams.has("before") || !url.searchParams.has("cursor"));
    await expectCount(frame.locator("tr.Polaris-IndexTable__TableRow"), 25);

    frame = await openApp(page, server.url, "/app?status=cancelled");
    const cancelled = (await jobsOfDemoShop()).filter((job) => job.status === "cancelled").length;
    await expectCount(frame.locator("tr.Polaris-IndexTable__TableRow"), cancelled);
    await visible(frame.getByText("Status: Cancelled"));
    await expectAccessible(frame);
    expectNoBrowserProblems();
  }, 420_000);
});

describe("presigned image URLs on the job page", () => {
  beforeAll(async () => {
    // URLs live 10 s here (15 min by default): the page must swap them before they expire.
    server = await startServer({ env: { ...DEMO_ENV, ARTIFACT_URL_TTL_SECONDS: "10" }, shops: [DEMO_SHOP] });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("refreshes them on a timer and when an image fails to load", async () => {
    const created = await bearerFetch(server.url, "/v1/jobs", {
      method: "POST",
      shop: DEMO_SHOP,
      body: multipart({ kind: "catalog_image", image: { data: await productPhoto(), filename: "mug.jpg", type: "image/jpeg" } }),
    });
    const id = (await created.json()).public_id as string;
    await waitFor(async () => (await (await bearerFetch(server.url, `/v1/jobs/${id}`, { shop: DEMO_SHOP })).json()).status === "succeeded", 120_000, 300);

    const reloads: string[] = [];
    const onRequest = (request: { url(): string }) => {
      if (request.url().includes("_data=routes%2Fapp.jobs.%24publicId")) reloads.push(request.url());
    };
    page.on("request", onRequest);
    try {
      const frame = await openApp(page, server.url, `/app/jobs/${id}`);
      const sources = () => frame.locator(".studio-timeline img").evaluateAll((images) => images.map((img) => (img as HTMLImageElement).src));
      const first = await sources();
      expect(first.length).toBeGreaterThanOrEqual(5);

      // On a timer, before they expire: new URLs, all loading.
      await waitFor(async () => (await sources()).every((src, i) => src !== first[i]), 15_000, 250);
      expect(reloads.length).toBeGreaterThanOrEqual(1);
      await new Promise((resolve) => setTimeout(resolve, 4_000)); // the first URLs have expired by now
      expect((await fetch(first[0])).status).toBe(403);
      await waitFor(async () => (await imagesLoaded(frame, "img")).broken.length === 0, 10_000, 200);

      // An image that fails to load makes the page fetch fresh URLs at once.
      const before = reloads.length;
      await frame.evaluate((expired) => {
        const img = document.createElement("img");
        img.alt = "";
        img.src = expired;
        document.querySelector(".studio-timeline")!.appendChild(img);
      }, first[0]);
      await waitFor(async () => reloads.length > before, 5_000, 100);
      // That expired URL answers 403, as it should; nothing else may fail.
      const others = browser.problems.filter((problem) => !problem.includes("status of 403"));
      browser.problems.splice(0, browser.problems.length, ...others);
    } finally {
      page.off("request", onRequest);
    }
    expectNoBrowserProblems();
  }, 240_000);
});

async function colouredPhoto(fill: string) {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="480" height="360">
    <rect width="100%" height="100%" fill="#f2f2f2"/>
    <rect x="150" y="70" width="180" height="220" rx="24" fill="${fill}"/>
    <rect x="185" y="40" width="110" height="40" rx="10" fill="#34495e"/>
  </svg>`;
  return sharp(Buffer.from(svg)).jpeg({ quality: 90 }).toBuffer();
}
