// A stand-in for a shop's storefront: it renders the theme app extension's block with Liquid
// (as Shopify would, with the assets its schema declares) and forwards /apps/studio/* to the
// app's /proxy/* the way Shopify's app proxy does: with the customer's query plus shop,
// path_prefix, timestamp and a signature.
import { readFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { Liquid } from "liquidjs";
import { ROOT } from "./paths";
import { signAsShopify } from "./app-proxy";

const EXTENSION = path.join(ROOT, "extensions/studio-gallery");
const SCHEMA = /{%-?\s*schema\s*-?%}([\s\S]*?){%-?\s*endschema\s*-?%}/;

export interface Storefront {
  url: string;
  close(): Promise<void>;
}

export interface StorefrontOptions {
  app: string;
  shop: string;
  secret: string;
  /** Products by numeric id. */
  products: Record<string, { title: string }>;
}

export function blockSchema(): { javascript: string; stylesheet: string; settings: { id: string; default?: unknown }[] } {
  const source = readFileSync(path.join(EXTENSION, "blocks/studio-gallery.liquid"), "utf8");
  return JSON.parse(SCHEMA.exec(source)![1]);
}

async function renderProductPage(product: { id: string; title: string }): Promise<string> {
  const source = readFileSync(path.join(EXTENSION, "blocks/studio-gallery.liquid"), "utf8").replace(SCHEMA, "");
  const schema = blockSchema();
  const settings = Object.fromEntries(schema.settings.map((setting) => [setting.id, setting.default]));
  const block = await new Liquid({ strictFilters: true }).parseAndRender(source, {
    product: { id: Number(product.id), title: product.title },
    routes: { root_url: "/" },
    block: { settings, shopify_attributes: "" },
  });
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${product.id}</title>
<link rel="stylesheet" href="/assets/${schema.stylesheet}"></head>
<body><main>${block}</main><script src="/assets/${schema.javascript}" defer></script></body></html>`;
}

export async function startStorefront(options: StorefrontOptions): Promise<Storefront> {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://storefront");
    const send = (status: number, type: string, body: string | Uint8Array) => {
      res.writeHead(status, { "Content-Type": type });
      res.end(body);
    };
    (async () => {
      const product = /^\/products\/(\d+)$/.exec(url.pathname);
      if (product && options.products[product[1]]) return send(200, "text/html", await renderProductPage({ id: product[1], ...options.products[product[1]] }));
      const asset = /^\/assets\/([\w.-]+)$/.exec(url.pathname);
      if (asset) return send(200, asset[1].endsWith(".js") ? "text/javascript" : "text/css", readFileSync(path.join(EXTENSION, "assets", asset[1])));
      if (url.pathname.startsWith("/apps/studio/")) {
        const target = new URL(options.app + "/proxy/" + url.pathname.slice("/apps/studio/".length));
        for (const [key, value] of url.searchParams) target.searchParams.append(key, value);
        signAsShopify(target, { shop: options.shop, secret: options.secret });
        const upstream = await fetch(target, { method: req.method });
        return send(upstream.status, upstream.headers.get("content-type") ?? "application/octet-stream", new Uint8Array(await upstream.arrayBuffer()));
      }
      send(404, "text/plain", "not found");
    })().catch((error) => send(502, "text/plain", String(error)));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
