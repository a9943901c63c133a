// Headless Chromium (playwright-core, the system's /usr/bin/chromium) for the browser tests,
// with the local preview's admin shell, axe-core checks and screenshots.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { chromium, type BrowserContext, type Frame, type Page } from "playwright-core";
import { OUTPUT } from "./paths";

export const CHROMIUM = process.env.STUDIO_CHROMIUM ?? "/usr/bin/chromium";
export const SCREENSHOTS = path.join(OUTPUT, "screenshots");

const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-quic",
  "--no-first-run",
];
// Headless Chromium says "HeadlessChrome", which Shopify's library answers as a bot (410).
const USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

export interface Browser {
  context: BrowserContext;
  page: Page;
  /** Console errors and uncaught exceptions seen so far (besides expected network noise). */
  problems: string[];
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is missing at ${CHROMIUM}: the browser tests need it. Install it with \`apt-get update && apt-get install -y chromium\` (CI does), or point STUDIO_CHROMIUM at a Chromium binary.`,
    );
  }
  const profile = mkdtempSync(path.join(os.tmpdir(), "studio-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: { width: 1440, height: 900 },
    userAgent: USER_AGENT,
    locale: "en-US",
    timezoneId: "UTC",
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const problems: string[] = [];
  page.on("pageerror", (error) => problems.push(`pageerror: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() !== "error") return;
    const text = message.text();
    // The app's font stylesheet lives on Shopify's CDN (unreachable here); a missing favicon is noise.
    // 422 is how the new-job form's validation answers (shown inline on the page).
    if (/ERR_NAME_NOT_RESOLVED|ERR_INTERNET_DISCONNECTED|status of 404|status of 422/.test(text)) return;
    problems.push(`console: ${text}`);
  });
  return {
    context,
    page,
    problems,
    async close() {
      await context.close().catch(() => undefined);
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** The embedded app's frame inside the preview shell. */
export async function appFrame(page: Page): Promise<Frame> {
  const handle = await page.waitForSelector("iframe#app");
  for (let i = 0; i < 200; i++) {
    const frame = await handle.contentFrame();
    if (frame && frame.url().includes("/app")) return frame;
    await page.waitForTimeout(50);
  }
  throw new Error("the app frame did not load");
}

/** Opens the preview shell on an app path and waits until the app's page is rendered and hydrated. */
export async function openApp(page: Page, base: string, appPath: string): Promise<Frame> {
  await page.goto(`${base}/demo?path=${encodeURIComponent(appPath)}`);
  const frame = await appFrame(page);
  await frame.waitForSelector(".Polaris-Page", { timeout: 30_000 });
  await waitForHydration(frame);
  return frame;
}

/** React has taken over the server-rendered page (its nodes carry React's keys): events reach handlers. */
export async function waitForHydration(frame: Frame): Promise<void> {
  await frame.waitForFunction(
    () => {
      const node = document.querySelector(".Polaris-Page");
      return node !== null && Object.keys(node).some((key) => key.startsWith("__reactFiber"));
    },
    undefined,
    { timeout: 30_000 },
  );
}

const require = createRequire(import.meta.url);
const AXE = require.resolve("axe-core/axe.min.js");

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[]; failureSummary?: string }[];
}

/** axe-core on the frame's document: the serious and critical violations. */
export async function seriousViolations(frame: Frame): Promise<AxeViolation[]> {
  if (!(await frame.evaluate(() => "axe" in window))) await frame.addScriptTag({ path: AXE });
  const violations = (await frame.evaluate(async () => {
    const result = await (window as unknown as { axe: { run(context: Document, options: object): Promise<{ violations: unknown[] }> } }).axe.run(document, {
      resultTypes: ["violations"],
    });
    return result.violations;
  })) as AxeViolation[];
  return violations.filter((violation) => violation.impact === "serious" || violation.impact === "critical");
}

export function describeViolations(violations: AxeViolation[]): string {
  return violations
    .map((v) => `${v.id} (${v.impact}): ${v.help}\n${v.nodes.map((n) => `  ${n.target.join(" ")}: ${n.failureSummary ?? ""}`).join("\n")}`)
    .join("\n");
}

/** A screenshot of the shell, by default tall enough to show the app's page in full. */
export async function screenshot(page: Page, name: string, options: { fullPage?: boolean } = {}): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  if (options.fullPage === false) {
    const file = path.join(SCREENSHOTS, `${name}.png`);
    await page.screenshot({ path: file });
    return file;
  }
  const frame = await appFrame(page);
  const height = await frame.evaluate(() => document.documentElement.scrollHeight);
  const chrome = await page.evaluate(() => (document.getElementById("app")?.getBoundingClientRect().top ?? 0) | 0);
  const viewport = page.viewportSize() ?? { width: 1440, height: 900 };
  await page.setViewportSize({ width: viewport.width, height: Math.max(900, Math.min(3000, chrome + height)) });
  await page.waitForTimeout(250);
  const file = path.join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path: file });
  await page.setViewportSize(viewport);
  return file;
}

/** True once every <img> matching the selector in the frame has loaded with real pixels. */
export async function imagesLoaded(frame: Frame, selector: string): Promise<{ count: number; broken: string[] }> {
  return frame.evaluate((sel) => {
    const images = [...document.querySelectorAll<HTMLImageElement>(sel)];
    return { count: images.length, broken: images.filter((img) => !img.complete || img.naturalWidth === 0).map((img) => img.currentSrc || img.src) };
  }, selector);
}
