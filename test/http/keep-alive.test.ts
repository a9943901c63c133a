// Idle keep-alive connections outlive Node's 5 s default: a timeline poll on a reused
// connection must not race the server closing it (ECONNRESET).
import { afterAll, beforeAll, expect, it } from "vitest";
import net from "node:net";
import { startServer, type TestServer } from "../support/test-server";

let server: TestServer;

beforeAll(async () => {
  server = await startServer({ env: { STUDIO_WORKER: "off" } });
});
afterAll(async () => server?.stop());

/** Sends GET /healthz on the socket and resolves with the status line of the answer. */
function get(socket: net.Socket, host: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = "";
    const onData = (chunk: Buffer) => {
      text += chunk.toString("latin1");
      const head = text.indexOf("\r\n\r\n");
      if (head < 0) return;
      const length = Number(/content-length: *(\d+)/i.exec(text.slice(0, head))?.[1] ?? 0);
      if (text.length < head + 4 + length) return;
      socket.off("data", onData);
      resolve(text.slice(0, text.indexOf("\r\n")));
    };
    socket.on("data", onData);
    socket.once("error", reject);
    socket.write(`GET /healthz HTTP/1.1\r\nHost: ${host}\r\nConnection: keep-alive\r\n\r\n`);
  });
}

it("keeps an idle keep-alive connection open for longer than Node's 5 s default", async () => {
  const url = new URL(server.url);
  const socket = net.connect(Number(url.port), url.hostname);
  await new Promise((resolve) => socket.once("connect", resolve));
  let closedAt: number | null = null;
  const opened = Date.now();
  socket.once("end", () => (closedAt = Date.now() - opened));
  try {
    expect(await get(socket, url.host)).toBe("HTTP/1.1 200 OK");
    await new Promise((resolve) => setTimeout(resolve, 6_500));
    expect(closedAt, "the server closed the idle connection").toBeNull();
    expect(await get(socket, url.host)).toBe("HTTP/1.1 200 OK");
  } finally {
    socket.destroy();
  }
}, 30_000);
