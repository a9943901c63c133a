import { describe, expect, it } from "vitest";
import { ApiError } from "~/api/errors.server";
import { readBody } from "~/api/read-body.server";

/** The ApiError readBody throws for this request, or null when it reads the body. */
async function refusal(request: Request, maxBytes: number, limit?: string): Promise<ApiError | null> {
  try {
    await readBody(request, maxBytes, limit);
    return null;
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
}

const post = (body: BodyInit, headers?: HeadersInit) => new Request("http://local/", { method: "POST", body, headers, duplex: "half" } as RequestInit);

/** A chunked body (no Content-Length) of `chunks` × `size` bytes. */
function streamed(chunks: number, size: number): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent++ < chunks) controller.enqueue(new Uint8Array(size));
      else controller.close();
    },
  });
}

describe("readBody", () => {
  it("returns the exact bytes under the cap", async () => {
    const body = Buffer.from([0, 1, 2, 255]);
    expect((await readBody(post(body), 4)).equals(body)).toBe(true);
  });

  it("names the route's own cap in its 413, declared or streamed", async () => {
    // (the cancel and publication routes take 64 KB; the message said "20 MB" on every route)
    const declared = await refusal(post(new Uint8Array(70 * 1024), { "content-length": String(70 * 1024) }), 64 * 1024);
    expect(declared?.status).toBe(413);
    expect(declared?.detail).toBe("Request body is larger than 64 KB");
    const chunked = await refusal(post(streamed(5, 16 * 1024)), 64 * 1024);
    expect(chunked?.status).toBe(413);
    expect(chunked?.detail).toBe("Request body is larger than 64 KB");
  });

  it("names the limit an upload route gives, not its cap with room for the framing", async () => {
    const error = await refusal(post(new Uint8Array(2048)), 1024 + 512, "1 KB image");
    expect(error?.detail).toBe("Request body is larger than 1 KB image");
    expect((await refusal(post(new Uint8Array(3 * 1024 * 1024)), 2.5 * 1024 * 1024))?.detail).toBe("Request body is larger than 2.5 MB");
  });
});
