// The embedded admin's pages over HTTP against the production build: one page of rows however
// many jobs a shop has, ownership on the job page, validation answered inline (never a 500),
// and the local preview's routes existing only in demo mode.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient } from "@libsql/client";
import { monotonicFactory } from "ulid";
import { startServer, type TestServer } from "../support/test-server";
import { bearerFetch, sessionToken } from "../support/api-client";
import { multipart, productPhoto } from "../support/images";
import { OTHER_SHOP, SHOP } from "../support/constants";
import { DEMO_SHOP, hostParam } from "~/demo/demo-shop";

const BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

/** A document request as the Shopify admin makes it when it opens the app in its iframe. */
async function adminDocument(server: TestServer, path: string, shop = SHOP) {
  const url = new URL(server.url + path);
  url.searchParams.set("embedded", "1");
  url.searchParams.set("shop", shop);
  url.searchParams.set("host", hostParam(shop));
  url.searchParams.set("id_token", await sessionToken(shop));
  return fetch(url, { headers: { "User-Agent": BROWSER, Accept: "text/html" } });
}

const rowCount = (html: string) => (html.match(/<tr[^>]*class="[^"]*Polaris-IndexTable__TableRow\b/g) ?? []).length;

async function seedJobs(dbFile: string, shop: string, count: number) {
  const client = createClient({ url: `file:${dbFile}` });
  const next = monotonicFactory();
  const start = Date.now() - count * 60_000;
  const statements = Array.from({ length: count }, (_, i) => {
    const at = new Date(start + i * 60_000).toISOString().replace("Z", "+00:00");
    return {
      sql: `INSERT INTO "Job" (publicId, shop, kind, status, options, sourceName, costUnits, createdAt, updatedAt, finishedAt) VALUES (?, ?, 'catalog_image', 'succeeded', '{}', ?, 10, ?, ?, ?)`,
      args: [next(start + i * 60_000), shop, `photo-${i + 1}.jpg`, at, at, at],
    };
  });
  await client.batch(statements, "write");
  client.close();
}

describe("admin pages (production server)", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ shops: [SHOP, OTHER_SHOP], env: { STUDIO_WORKER: "off" } });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("renders one page of 25 rows for a shop with 1,000 jobs, not a full read", async () => {
    await seedJobs(server.dbFile, SHOP, 1000);
    const started = Date.now();
    const res = await adminDocument(server, "/app");
    const html = await res.text();
    const elapsed = Date.now() - started;
    expect(res.status).toBe(200);
    expect(rowCount(html)).toBe(25);
    // The newest job first, and a cursor to the next page.
    expect(html).toContain("photo-1000.jpg");
    expect(html).not.toContain("photo-975.jpg");
    expect(html).toMatch(/"nextCursor":"[0-9A-HJKMNP-TV-Z]{26}"/);
    expect(elapsed).toBeLessThan(5_000);

    // The second page continues where the first stopped.
    const cursor = /"nextCursor":"([0-9A-HJKMNP-TV-Z]{26})"/.exec(html)![1];
    const second = await (await adminDocument(server, `/app?cursor=${cursor}`)).text();
    expect(rowCount(second)).toBe(25);
    expect(second).toContain("photo-975.jpg");
    expect(second).not.toContain("photo-976.jpg");
  });

  it("shows a shop only its own jobs", async () => {
    const created = await bearerFetch(server.url, "/v1/jobs", {
      method: "POST",
      shop: OTHER_SHOP,
      body: multipart({ kind: "catalog_image", image: { data: await productPhoto(), filename: "theirs.jpg", type: "image/jpeg" } }),
    });
    const theirs = (await created.json()).public_id as string;
    const foreign = await adminDocument(server, `/app/jobs/${theirs}`);
    expect(foreign.status).toBe(404);
    const body = await foreign.text();
    expect(body).toContain("This job doesn&#x27;t exist");
    expect(body).not.toContain("theirs.jpg");
    const unknown = await adminDocument(server, "/app/jobs/not-a-job");
    expect(unknown.status).toBe(404);
    const own = await adminDocument(server, `/app/jobs/${theirs}`, OTHER_SHOP);
    expect(own.status).toBe(200);
    expect(await own.text()).toContain("theirs.jpg");
  });

  it("answers a bad new-job form with field errors (422), never a 500", async () => {
    const form = multipart({
      kind: "catalog_image",
      options: JSON.stringify({ fill: 3 }),
      image: { data: new TextEncoder().encode("just text"), filename: "notes.txt", type: "text/plain" },
    });
    const res = await bearerFetch(server.url, "/app/jobs/new?_data=routes%2Fapp.jobs.new", { method: "POST", body: form, headers: { "User-Agent": BROWSER } });
    expect(res.status).toBe(422);
    const body = await res.json();
    expect(body.errors.options.fill).toMatch(/less than or equal to 1/);
    expect(body.errors.images["0"]).toMatch(/PNG, JPEG or WebP/);
    const none = await bearerFetch(server.url, "/app/jobs/new?_data=routes%2Fapp.jobs.new", {
      method: "POST",
      body: multipart({ kind: "catalog_image", options: "{}" }),
      headers: { "User-Agent": BROWSER },
    });
    expect(none.status).toBe(422);
    expect((await none.json()).errors.sources).toMatch(/Choose products or upload images/);
  });

  it("refuses admin actions that are not a posted form with a 4xx, never a 500", async () => {
    const job = await (await bearerFetch(server.url, "/v1/jobs", { method: "POST", body: multipart({ kind: "catalog_image", image: { data: await productPhoto(), filename: "a.jpg", type: "image/jpeg" } }) })).json();
    const pages = [`/app/jobs/${job.public_id}?_data=routes%2Fapp.jobs.%24publicId`, "/app?index&_data=routes%2Fapp._index"];
    for (const path of pages) {
      const cases: [RequestInit, number][] = [
        [{ method: "POST" }, 415],
        [{ method: "POST", headers: { "Content-Type": "application/json" }, body: '{"intent":"cancel"}' }, 415],
        [{ method: "POST", headers: { "Content-Type": "multipart/form-data; boundary=x" }, body: "--x\r\nbroken" }, 400],
        [{ method: "DELETE" }, 405],
        [{ method: "PATCH" }, 405],
      ];
      for (const [init, status] of cases) {
        const res = await bearerFetch(server.url, path, { ...init, headers: { "User-Agent": BROWSER, ...(init.headers as Record<string, string>) } });
        expect(res.status, `${init.method} ${path} ${JSON.stringify(init.headers ?? {})}`).toBe(status);
      }
    }
    // the form itself still works
    const form = new URLSearchParams({ intent: "cancel" });
    const ok = await bearerFetch(server.url, pages[0]!, { method: "POST", body: form, headers: { "User-Agent": BROWSER } });
    expect(ok.status).toBe(200);
    expect((await ok.json()).ok).toBe(true);
  });

  it("answers what Shopify's library refuses by throwing with a 4xx: the login page, a distrusted exit-iframe, a token for no shop", async () => {
    const login = await fetch(`${server.url}/auth/login`);
    expect(login.status).toBe(200);
    expect(await login.text()).toContain("Store domain");
    const bad = await fetch(`${server.url}/auth/login?shop=evil.com`);
    expect(bad.status).toBe(200);
    const badPage = await bad.text();
    expect(badPage).toContain("isn't a store domain");
    expect(badPage).toContain('value="evil.com"'); // kept, to be corrected
    const notForm = await fetch(`${server.url}/auth/login`, { method: "POST", headers: { "Content-Type": "application/json" }, body: '{"shop": 1}' });
    expect(notForm.status).toBe(415);
    const fileShop = new FormData();
    fileShop.append("shop", new Blob(["x"]), "shop.txt");
    const withFile = await fetch(`${server.url}/auth/login`, { method: "POST", body: fileShop });
    expect(withFile.status).toBe(200);
    expect(await withFile.text()).toContain("Enter your store");
    const good = await fetch(`${server.url}/auth/login`, { method: "POST", body: new URLSearchParams({ shop: SHOP }), redirect: "manual" });
    expect(good.status).toBeGreaterThanOrEqual(300);
    expect(good.status).toBeLessThan(400);
    for (const destination of ["https://evil.com", "", "//evil.com/admin"]) {
      const res = await fetch(`${server.url}/auth/exit-iframe?shop=${SHOP}&host=${hostParam(SHOP)}&exitIframe=${encodeURIComponent(destination)}`, { headers: { "User-Agent": BROWSER } });
      expect(res.status, destination).toBe(400);
    }
    const url = new URL(`${server.url}/app`);
    url.searchParams.set("embedded", "1");
    url.searchParams.set("shop", SHOP);
    url.searchParams.set("host", hostParam(SHOP));
    url.searchParams.set("id_token", await sessionToken(SHOP, { dest: "https://evil.com" }));
    const foreign = await fetch(url, { headers: { "User-Agent": BROWSER, Accept: "text/html" } });
    expect(foreign.status).toBe(400);
    // a shop with no stored session: the library exchanges the token with Shopify, which this
    // machine cannot reach
    const stranger = "no-session-yet.myshopify.com";
    url.searchParams.set("shop", stranger);
    url.searchParams.set("host", hostParam(stranger));
    url.searchParams.set("id_token", await sessionToken(stranger));
    const unreachable = await fetch(url, { headers: { "User-Agent": BROWSER, Accept: "text/html" } });
    expect(unreachable.status).toBe(503);
    expect(await unreachable.text()).toContain("Shopify didn't answer");
  });

  it("has no demo routes, and keeps Shopify's frame-ancestors", async () => {
    expect((await fetch(`${server.url}/demo`)).status).toBe(404);
    expect((await fetch(`${server.url}/demo/app-bridge.js`)).status).toBe(404);
    expect((await fetch(`${server.url}/demo/session-token`, { method: "POST" })).status).toBe(404);
    const app = await adminDocument(server, "/app");
    expect(app.headers.get("content-security-policy")).toContain(`frame-ancestors https://${SHOP} https://admin.shopify.com`);
    expect(await app.text()).toContain("https://cdn.shopify.com/shopifycloud/app-bridge.js");
  });
});

describe("local preview routes", () => {
  it("stay off in production even with STUDIO_DEMO=1", async () => {
    const server = await startServer({ env: { STUDIO_DEMO: "1", NODE_ENV: "production", STUDIO_WORKER: "off" } });
    try {
      expect((await fetch(`${server.url}/demo`)).status).toBe(404);
      expect((await fetch(`${server.url}/demo/session-token`, { method: "POST" })).status).toBe(404);
    } finally {
      await server.stop();
    }
  });

  it("serve the shell, the App Bridge stand-in and demo-shop session tokens with STUDIO_DEMO=1 outside production", async () => {
    const server = await startServer({ env: { STUDIO_DEMO: "1", NODE_ENV: "development", STUDIO_WORKER: "off" }, shops: [DEMO_SHOP] });
    try {
      const shell = await fetch(`${server.url}/demo`);
      expect(shell.status).toBe(200);
      const html = await shell.text();
      expect(html).toContain('<iframe id="app"');
      expect(html).toContain(DEMO_SHOP);
      const standIn = await fetch(`${server.url}/demo/app-bridge.js`);
      expect(standIn.headers.get("content-type")).toMatch(/javascript/);
      expect(await standIn.text()).toContain("window.shopify");
      expect((await fetch(`${server.url}/demo/session-token`)).status).toBe(405);
      const { token } = await (await fetch(`${server.url}/demo/session-token`, { method: "POST" })).json();
      // The token is what App Bridge would send: /v1 accepts it for the demo shop.
      const jobs = await fetch(`${server.url}/v1/jobs`, { headers: { Authorization: `Bearer ${token}` } });
      expect(jobs.status).toBe(200);
      // The app uses the stand-in and lets the shell frame it.
      const app = await adminDocument(server, "/app", DEMO_SHOP);
      expect(app.status).toBe(200);
      expect(app.headers.get("content-security-policy")).toBe("frame-ancestors 'self';");
      expect(await app.text()).toContain('src="/demo/app-bridge.js"');
    } finally {
      await server.stop();
    }
  });
});
