// Production server (`npm start`): Express + Remix's request handler, as remix-serve does,
// with two differences that matter for the API: requests go through `app.use` (Express
// would answer a malformed %-escape with its own HTML 400 before any route), and the
// native fetch/Request/FormData of Node 22 are used instead of Remix's polyfills.
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { createRequestHandler } from "@remix-run/express";
import { installGlobals } from "@remix-run/node";
import compression from "compression";
import express from "express";
import morgan from "morgan";

process.env.NODE_ENV ??= "production";
installGlobals({ nativeFetch: true });

const root = path.dirname(fileURLToPath(import.meta.url));
const build = await import(pathToFileURL(path.join(root, "build/server/index.js")).href);
const port = Number(process.env.PORT || 3000);
const host = process.env.HOST || undefined;

const app = express();
app.disable("x-powered-by");
app.use(refuseUnroutable);
app.use(compression());
// Fingerprinted assets never change; everything else in build/client may.
app.use("/assets", express.static(path.join(root, "build/client/assets"), { immutable: true, maxAge: "1y" }));
app.use(express.static(path.join(root, "build/client"), { maxAge: "1h" }));
if (!["0", "off", "false"].includes(String(process.env.LOG_REQUESTS).toLowerCase())) app.use(morgan("tiny"));
app.use(createRequestHandler({ build, mode: process.env.NODE_ENV }));
// Anything that escapes Remix (it should not) still answers in the API's JSON shape.
app.use((error, _req, res, _next) => {
  console.error(error);
  res.status(500).json({ detail: "Internal Server Error" });
});

/**
 * Requests Remix cannot turn into a Request answer 4xx in the API's shape, not 500: a method
 * outside HTTP's usual set (undici refuses TRACE outright) and a Host header that is not a
 * host[:port] (it makes the request URL unparsable, or moves the path into its query). API
 * paths that no route can match answer the API's 404 rather than Remix's HTML page.
 */
function refuseUnroutable(req, res, next) {
  if (!METHODS.includes(req.method)) return res.status(405).set("Allow", METHODS.join(", ")).json({ detail: "Method Not Allowed" });
  // A path that starts with an empty segment (a base URL ending in "/" joined to "/v1/jobs")
  // matches no route, and Remix would answer the API's client with its HTML 404 page.
  if (req.path.startsWith("//") && API_PATH.test(req.path.replace(/\/{2,}/g, "/"))) return res.status(404).json({ detail: "Not Found" });
  for (const name of ["host", "x-forwarded-host"]) {
    const value = req.headers[name];
    if (value !== undefined && !validHost(value)) return res.status(400).json({ detail: `Invalid ${name === "host" ? "Host" : "X-Forwarded-Host"} header` });
  }
  next();
}

const METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];
const API_PATH = /^\/(?:v1(?:\/|$)|healthz$)/;
const HOST = /^(?:\[[0-9A-Fa-f:.]+\]|[\w](?:[\w-]*[\w])?(?:\.[\w](?:[\w-]*[\w])?)*\.?)(?::(\d{1,5}))?$/;

function validHost(value) {
  const match = HOST.exec(value);
  if (!match || (match[1] !== undefined && Number(match[1]) > 65535)) return false;
  try {
    new URL(`http://${value}/`); // (the WHATWG parser has the last word: e.g. a bad xn-- label)
    return true;
  } catch {
    return false;
  }
}

const server = app.listen(port, host, () => console.log(`[studio] listening on http://${host ?? "localhost"}:${port}`));
// Node closes an idle keep-alive connection after 5 s. A poll that arrives just as it does gets
// ECONNRESET (any pause of the event loop makes the race likelier: the timer fires late, with
// the next poll already on the wire). Keep idle connections for longer than clients and load
// balancers do (60 s), and the header timeout above that.
// Requests Node's parser refuses (headers over its 16 KB limit, malformed framing) never reach
// Express; answer them in the API's JSON shape too instead of Node's bare status line.
server.on("clientError", (error, socket) => {
  if (error.code === "ECONNRESET" || !socket.writable) return socket.destroy();
  const [status, detail] = error.code === "HPE_HEADER_OVERFLOW" ? [431, "Request Header Fields Too Large"] : [400, "Bad Request"];
  const body = JSON.stringify({ detail });
  socket.end(`HTTP/1.1 ${status} ${detail}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
});
server.keepAliveTimeout = 65_000;
server.headersTimeout = 66_000;
for (const signal of ["SIGINT", "SIGTERM"]) {
  // Running jobs keep their lease; after JOB_LEASE_SECONDS the next start resumes them.
  // Idle keep-alive connections would hold the exit for up to keepAliveTimeout: close them now,
  // and give requests in flight 10 s.
  process.once(signal, () => {
    server.close(() => process.exit(0));
    server.closeIdleConnections();
    setTimeout(() => server.closeAllConnections(), 10_000).unref();
  });
}
