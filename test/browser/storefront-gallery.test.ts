// Review, publish, and the storefront: the merchant publishes a finished job from its admin
// page, and the theme app extension's "Studio gallery" block, rendered on a product page of
// a stand-in storefront that forwards /apps/studio/* like Shopify's app proxy, shows exactly
// the published images.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type TestServer } from "../support/test-server";
import { bearerFetch, waitFor } from "../support/api-client";
import { multipart, productPhoto } from "../support/images";
import { imagesLoaded, launchBrowser, openApp, screenshot, seriousViolations, describeViolations, type Browser } from "../support/browser";
import { startStorefront, type Storefront } from "../support/storefront";
import { DEMO_SHOP } from "~/demo/demo-shop";

const DEMO_ENV = { STUDIO_DEMO: "1", NODE_ENV: "development" };
const TITLE = 'Mug "Classic" & saucer';
let server: TestServer;
let storefront: Storefront;
let browser: Browser;

async function catalogJob(productId: string) {
  const form = multipart({ kind: "catalog_image", product_id: `gid://shopify/Product/${productId}`, image: { data: await productPhoto(), filename: "mug.jpg", type: "image/jpeg" }, options: JSON.stringify({ size: 512 }) });
  const job = await (await bearerFetch(server.url, "/v1/jobs", { method: "POST", body: form, shop: DEMO_SHOP })).json();
  await waitFor(async () => (await (await bearerFetch(server.url, `/v1/jobs/${job.public_id}`, { shop: DEMO_SHOP })).json()).status === "succeeded", 120_000, 200);
  return job.public_id as string;
}

async function gallery(productId: string) {
  const page = browser.page;
  await page.goto(`${storefront.url}/products/${productId}`);
  // The block's script has run once the grid is no longer busy, or the section is hidden.
  await page.waitForFunction(() => {
    const section = document.querySelector<HTMLElement>(".studio-gallery");
    return section !== null && (section.hidden || !section.querySelector(".studio-gallery__grid")!.hasAttribute("aria-busy"));
  });
  const hidden = await page.locator(".studio-gallery").evaluate((section: HTMLElement) => section.hidden);
  await waitFor(async () => (await imagesLoaded(page.mainFrame(), ".studio-gallery img")).broken.length === 0, 15_000, 100).catch(() => undefined);
  const images = await page.locator(".studio-gallery img").evaluateAll((imgs: HTMLImageElement[]) => imgs.map((img) => ({ alt: img.alt, width: img.naturalWidth, loaded: img.complete && img.naturalWidth > 0 })));
  return { hidden, images };
}

beforeAll(async () => {
  browser = await launchBrowser();
  server = await startServer({ env: DEMO_ENV, shops: [DEMO_SHOP] });
  storefront = await startStorefront({ app: server.url, shop: DEMO_SHOP, secret: server.env.SHOPIFY_API_SECRET, products: { "7001": { title: TITLE }, "7002": { title: "Plain tee" } } });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await storefront?.close();
  await server?.stop();
});

describe("publishing to the storefront", () => {
  it("shows nothing on the storefront until the merchant publishes, then exactly what was published", async () => {
    const [reviewed, other] = await Promise.all([catalogJob("7001"), catalogJob("7001")]);
    expect(await gallery("7001")).toEqual({ hidden: true, images: [] });

    const page = browser.page;
    let frame = await openApp(page, server.url, `/app/jobs/${reviewed}`);
    await frame.getByText("Not published").waitFor();
    // Adding to the product's images needs a real store: the preview says so instead of failing.
    expect(await frame.getByRole("button", { name: "Add to product" }).isDisabled()).toBe(true);
    await frame.getByText("The local preview isn't connected to a Shopify store").waitFor();
    await frame.getByRole("button", { name: "Publish to storefront" }).click();
    await frame.getByText("Published to your storefront").waitFor();
    await frame.locator(".Polaris-Badge", { hasText: /Published$/ }).waitFor();
    await screenshot(page, "job-published");
    const violations = await seriousViolations(frame);
    expect(violations, describeViolations(violations)).toEqual([]);
    // It stays published after a reload (it is stored, not just shown).
    frame = await openApp(page, server.url, `/app/jobs/${reviewed}`);
    await frame.getByRole("button", { name: "Unpublish" }).waitFor();

    // The reviewed job only: the other finished job of the same product is not published.
    expect(await gallery("7001")).toEqual({ hidden: false, images: [{ alt: TITLE, width: 512, loaded: true }] });
    await screenshot(page, "storefront-gallery", { fullPage: false });
    expect(await gallery("7002")).toEqual({ hidden: true, images: [] });
    expect((await (await bearerFetch(server.url, `/v1/jobs/${other}/publication`, { shop: DEMO_SHOP })).json()).published).toBe(false);

    frame = await openApp(page, server.url, `/app/jobs/${reviewed}`);
    await frame.getByRole("button", { name: "Unpublish" }).click();
    await frame.getByText("Removed from your storefront").waitFor();
    expect(await gallery("7001")).toEqual({ hidden: true, images: [] });
    expect(browser.problems.splice(0)).toEqual([]);
  }, 300_000);
});
