// Command line and environment: which command, its arguments and the connection settings.
import { parseArgs } from "node:util";
import { UsageError } from "./errors";
import type { ClientConfig } from "./client";

export const HELP = `Studio CLI: the reference client of the HMAC-signed API.

Usage: npm run studio -- <command> [arguments] [flags]

Commands:
  create <image-file>    Upload a photo as a new job, watch it, download its finals.
      --kind K               catalog_image (default) | on_model_render
      --product GID          gid://shopify/Product/N
      --options JSON         options object, e.g. '{"background":"#f5f5f5"}'
      --idempotency-key K    same key from the same shop returns the same job
      --no-watch             print the job id and stop
      --out DIR              where finals go (default ./studio-output/<public_id>/)
  watch <public_id>      Print the timeline as it happens (polls ?since= every second),
                         then download the finals.  [--out DIR] [--interval MS] [--timeout S]
  get <public_id>        Print the job (JSON).
  list                   List jobs, newest first.  [--status S] [--kind K] [--limit N] [--all] [--json]
  cancel <public_id>     Ask the server to cancel the job.
  download <public_id>   Save the job's final artifacts.  [--out DIR]

Connection (flags win over environment):
  --url URL      STUDIO_URL           (default http://localhost:3000)
  --secret S     SHOPIFY_API_SECRET   (the app's API secret; signs every request)
  --shop SHOP    STUDIO_SHOP          (e.g. my-store.myshopify.com; "my-store" is expanded)

Exit codes: 0 done (watch: job succeeded), 1 job failed or was cancelled,
            2 usage error or request refused (4xx), 3 server error (5xx) or no connection.
`;

const OPTIONS = {
  url: { type: "string" },
  secret: { type: "string" },
  shop: { type: "string" },
  kind: { type: "string" },
  product: { type: "string" },
  options: { type: "string" },
  "idempotency-key": { type: "string" },
  "no-watch": { type: "boolean" },
  out: { type: "string" },
  status: { type: "string" },
  limit: { type: "string" },
  all: { type: "boolean" },
  json: { type: "boolean" },
  interval: { type: "string" },
  timeout: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

type Flag = keyof typeof OPTIONS;
const CONNECTION: Flag[] = ["url", "secret", "shop", "help"];

/** Command -> positional arguments and the flags it accepts. */
export const COMMANDS: Record<string, { args: string[]; flags: Flag[] }> = {
  create: { args: ["image-file"], flags: ["kind", "product", "options", "idempotency-key", "no-watch", "out", "interval", "timeout"] },
  watch: { args: ["public_id"], flags: ["out", "interval", "timeout"] },
  get: { args: ["public_id"], flags: [] },
  list: { args: [], flags: ["status", "kind", "limit", "all", "json"] },
  cancel: { args: ["public_id"], flags: [] },
  download: { args: ["public_id"], flags: ["out"] },
};

export interface Invocation {
  command: string | null;
  args: string[];
  flags: Partial<Record<Flag, string | boolean>>;
  help: boolean;
}

export function parseCommandLine(argv: string[]): Invocation {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\nRun with --help for usage.`);
  }
  const [command = null, ...args] = parsed.positionals;
  const flags = parsed.values as Invocation["flags"];
  const help = Boolean(flags.help);
  if (help || command === null) return { command, args, flags, help: true };
  const spec = COMMANDS[command];
  if (!spec) throw new UsageError(`unknown command "${command}". Commands: ${Object.keys(COMMANDS).join(", ")}`);
  if (args.length !== spec.args.length) {
    const want = spec.args.map((a) => `<${a}>`).join(" ");
    throw new UsageError(`usage: ${command} ${want}`.trim() + (args.length > spec.args.length ? ` (unexpected: ${args.slice(spec.args.length).join(" ")})` : ""));
  }
  for (const flag of Object.keys(flags) as Flag[]) {
    if (!CONNECTION.includes(flag) && !spec.flags.includes(flag)) throw new UsageError(`--${flag} does not apply to "${command}"`);
  }
  return { command, args, flags, help };
}

export function normalizeShop(shop: string): string {
  const trimmed = shop.trim().toLowerCase().replace(/^https?:\/\//, "").replace(/\/.*$/, "");
  return trimmed.includes(".") ? trimmed : `${trimmed}.myshopify.com`;
}

export function clientConfig(flags: Invocation["flags"], environment: NodeJS.ProcessEnv = process.env): ClientConfig {
  const baseUrl = String(flags.url ?? environment.STUDIO_URL ?? "http://localhost:3000");
  try {
    const url = new URL(baseUrl);
    if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error();
  } catch {
    throw new UsageError(`--url / STUDIO_URL is not an http(s) URL: ${baseUrl}`);
  }
  const secret = (flags.secret as string | undefined) ?? environment.SHOPIFY_API_SECRET;
  if (!secret) throw new UsageError("no API secret: pass --secret or set SHOPIFY_API_SECRET");
  const shop = (flags.shop as string | undefined) ?? environment.STUDIO_SHOP;
  if (!shop) throw new UsageError("no shop: pass --shop or set STUDIO_SHOP (e.g. my-store.myshopify.com)");
  return { baseUrl: baseUrl.replace(/\/+$/, ""), secret, shop: normalizeShop(shop) };
}

export function positiveInt(value: unknown, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`--${name} must be a non-negative integer, got ${JSON.stringify(value)}`);
  return n;
}
