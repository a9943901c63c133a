// A local stand-in for the FASHN API, following its documented behaviour
// (docs.fashn.ai: API fundamentals, error handling): POST /v1/run → {id, error: null} or an
// API-level error {error, message} with its HTTP status; GET /v1/status/{id} →
// {id, status, output, error}, moving through starting → in_queue → processing → a terminal
// status; `x-fashn-credits-used` on the completed status; outputs served from its own "CDN".
// Tests script what each /v1/run call gets.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import sharp from "sharp";

export type Behaviour =
  /** An API-level error on /v1/run (no prediction is created). */
  | { end: "http"; http: number; error: string; message?: string }
  /** A prediction: `statuses` are what successive polls see before the end. */
  | { statuses?: string[]; end: "completed"; credits?: number | null; outputWidth?: number; outputHeight?: number }
  | { statuses?: string[]; end: "failed"; name: string; message?: string }
  /** Never finishes: every poll says the last of `statuses` (default "processing"). */
  | { statuses?: string[]; end: "never" }
  /** Status polls answer this HTTP error (after the run succeeded). */
  | { statuses?: string[]; end: "status_http"; http: number; error: string };

export interface RunCall {
  model_name: string;
  inputs: Record<string, unknown>;
  authorization: string | null;
}

interface Prediction {
  id: string;
  behaviour: Behaviour;
  polls: number;
  done: boolean;
}

export const SUCCESS: Behaviour = { statuses: ["starting", "in_queue", "processing"], end: "completed", credits: 1 };

export class FashnDouble {
  readonly runs: RunCall[] = [];
  readonly predictions = new Map<string, Prediction>();
  /** Output fetches (Studio must copy outputs at once, not hand out the double's URLs). */
  outputFetches = 0;
  inFlight = 0;
  maxInFlight = 0;
  private queue: Behaviour[] = [];
  private server!: Server;
  private counter = 0;
  url = "";

  constructor(readonly apiKey = "fashn-test-key") {}

  /** What the next /v1/run calls get, in order; once empty, every run succeeds (SUCCESS). */
  script(...behaviours: Behaviour[]) {
    this.queue.push(...behaviours);
  }

  reset() {
    this.queue = [];
    this.runs.length = 0;
    this.predictions.clear();
    this.outputFetches = 0;
    this.inFlight = 0;
    this.maxInFlight = 0;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error) => {
        res.writeHead(500, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: "InternalServerError", message: String(error) }));
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
    res.writeHead(status, { "content-type": "application/json", ...headers });
    res.end(JSON.stringify(body));
  }

  private async handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? "/", this.url);
    const output = /^\/cdn\/(.+)\.png$/.exec(url.pathname);
    if (req.method === "GET" && output) {
      this.outputFetches++;
      const p = this.predictions.get(output[1]);
      const b = p?.behaviour;
      if (!b || b.end !== "completed") return this.json(res, 404, { error: "NotFound" });
      const width = b.outputWidth ?? 768;
      const height = b.outputHeight ?? 1152;
      const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="100%" height="100%" fill="#e9e4dc"/><ellipse cx="${width / 2}" cy="${height * 0.2}" rx="${width * 0.1}" ry="${height * 0.09}" fill="#c99b7a"/><rect x="${width * 0.28}" y="${height * 0.3}" width="${width * 0.44}" height="${height * 0.45}" rx="40" fill="#24345a"/></svg>`;
      res.writeHead(200, { "content-type": "image/png" });
      res.end(await sharp(Buffer.from(svg)).png().toBuffer());
      return;
    }
    if (req.headers.authorization !== `Bearer ${this.apiKey}`) {
      return this.json(res, 401, { error: "UnauthorizedAccess", message: "Unauthorized: Invalid token" });
    }
    if (req.method === "POST" && url.pathname === "/v1/run") {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      let body: { model_name?: string; inputs?: Record<string, unknown> };
      try {
        body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      } catch {
        return this.json(res, 400, { error: "BadRequest", message: "Invalid JSON" });
      }
      this.runs.push({ model_name: String(body.model_name), inputs: body.inputs ?? {}, authorization: req.headers.authorization ?? null });
      const images = Object.entries(body.inputs ?? {}).filter(([k]) => k.endsWith("_image"));
      if (!body.model_name || images.length === 0 || images.some(([, v]) => typeof v !== "string" || !/^data:image\/(png|jpeg|jpg|webp);base64,/.test(v))) {
        return this.json(res, 400, { error: "BadRequest", message: "inputs need base64 data URL images" });
      }
      const behaviour = this.queue.shift() ?? SUCCESS;
      if (behaviour.end === "http") {
        return this.json(res, behaviour.http, { error: behaviour.error, message: behaviour.message ?? behaviour.error });
      }
      const id = `pred-${++this.counter}-${Date.now().toString(36)}`;
      this.predictions.set(id, { id, behaviour, polls: 0, done: false });
      this.inFlight++;
      this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
      return this.json(res, 200, { id, error: null });
    }
    const status = /^\/v1\/status\/([^/]+)$/.exec(url.pathname);
    if (req.method === "GET" && status) {
      const p = this.predictions.get(status[1]);
      if (!p) return this.json(res, 404, { error: "NotFound", message: "Prediction not found" });
      const b = p.behaviour;
      if (b.end === "http") return this.json(res, 500, { error: "InternalServerError" });
      const statuses = b.statuses ?? [];
      p.polls++;
      if (b.end === "status_http") return this.json(res, b.http, { error: b.error, message: b.error });
      if (p.polls <= statuses.length || b.end === "never") {
        const current = statuses[Math.min(p.polls, statuses.length) - 1] ?? "processing";
        return this.json(res, 200, { id: p.id, status: current, output: null, error: null });
      }
      if (!p.done) {
        p.done = true;
        this.inFlight--;
      }
      if (b.end === "failed") {
        return this.json(res, 200, { id: p.id, status: "failed", output: null, error: { name: b.name, message: b.message ?? `${b.name} (test double)` } });
      }
      const headers: Record<string, string> = b.credits === null ? {} : { "x-fashn-credits-used": String(b.credits ?? 1) };
      return this.json(res, 200, { id: p.id, status: "completed", output: [`${this.url}/cdn/${p.id}.png`], error: null }, headers);
    }
    return this.json(res, 404, { error: "NotFound", message: "No such endpoint" });
  }
}
