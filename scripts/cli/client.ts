// The signed fetch of the HMAC path (contract § Authentication 2): every request carries
// `shop` and `timestamp` and X-Shopify-Hmac-Sha256 over METHOD, PATHNAME, QUERY and BODY.
import { signRequest } from "../../app/api/hmac-signature";
import { ApiError, ConnectionError } from "./errors";

export interface ClientConfig {
  /** e.g. http://localhost:3000 */
  baseUrl: string;
  secret: string;
  shop: string;
}

export interface RequestOptions {
  query?: Record<string, string | number | undefined>;
  body?: Uint8Array;
  contentType?: string;
  headers?: Record<string, string>;
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 30_000;

export class StudioClient {
  constructor(readonly config: ClientConfig) {}

  /** Sends a signed request; returns the parsed JSON and headers of a 2xx, throws ApiError otherwise. */
  async request<T>(method: string, pathname: string, options: RequestOptions = {}): Promise<{ data: T; headers: Headers }> {
    const url = new URL(this.config.baseUrl.replace(/\/+$/, "") + pathname);
    for (const [key, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    url.searchParams.set("shop", this.config.shop);
    url.searchParams.set("timestamp", String(Math.floor(Date.now() / 1000)));
    const body = options.body ?? new Uint8Array();
    const headers = new Headers(options.headers);
    headers.set("X-Shopify-Hmac-Sha256", signRequest(this.config.secret, method, url.pathname, url.search, body));
    headers.set("Accept", "application/json");
    if (options.contentType) headers.set("Content-Type", options.contentType);
    const shown = `${url.origin}${url.pathname}`;
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers,
        body: method === "GET" || method === "HEAD" ? undefined : (body as Uint8Array<ArrayBuffer>),
        signal: AbortSignal.timeout(options.timeoutMs ?? DEFAULT_TIMEOUT_MS),
      });
    } catch (error) {
      throw new ConnectionError(method, shown, error);
    }
    const text = await response.text();
    let data: unknown;
    try {
      data = text ? JSON.parse(text) : null;
    } catch {
      data = undefined;
    }
    if (!response.ok) {
      const detail = (data as { detail?: unknown } | null)?.detail ?? (text.slice(0, 500) || response.statusText);
      throw new ApiError(response.status, detail, method, shown);
    }
    if (data === undefined) throw new ApiError(response.status, `expected JSON, got: ${text.slice(0, 200)}`, method, shown);
    return { data: data as T, headers: response.headers };
  }

  async get<T>(pathname: string, query?: RequestOptions["query"]): Promise<T> {
    return (await this.request<T>("GET", pathname, { query })).data;
  }

  /** Artifact URLs are presigned: fetched as is, without the HMAC. */
  async download(imageUrl: string): Promise<{ bytes: Buffer; contentType: string | null }> {
    const url = new URL(imageUrl, this.config.baseUrl);
    const shown = `${url.origin}${url.pathname}`;
    let response: Response;
    try {
      response = await fetch(url, { signal: AbortSignal.timeout(120_000) });
    } catch (error) {
      throw new ConnectionError("GET", shown, error);
    }
    if (!response.ok) {
      const text = await response.text().catch(() => "");
      let detail: unknown = text.slice(0, 300) || response.statusText;
      try {
        detail = JSON.parse(text).detail ?? detail;
      } catch {
        /* not JSON */
      }
      throw new ApiError(response.status, detail, "GET", shown);
    }
    return { bytes: Buffer.from(await response.arrayBuffer()), contentType: response.headers.get("content-type") };
  }
}
