// Reads the raw request body once, with a hard cap: the HMAC needs the exact bytes, and an
// oversized upload is refused (413) without buffering it all.
import { badRequest, payloadTooLarge } from "./errors.server";

/**
 * `limit` names the cap in the 413 (by default `maxBytes` itself); an upload route names its
 * image limit, as its cap adds room for the multipart framing around the image.
 */
export async function readBody(request: Request, maxBytes: number, limit = describeBytes(maxBytes)): Promise<Buffer> {
  const tooLarge = () => payloadTooLarge(`Request body is larger than ${limit}`);
  const declared = request.headers.get("content-length");
  if (declared !== null && Number(declared) > maxBytes) throw tooLarge();
  if (!request.body) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  let total = 0;
  const reader = request.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > maxBytes) {
        discardRest(reader, maxBytes);
        throw tooLarge();
      }
      chunks.push(Buffer.from(value));
    }
  } catch (error) {
    if (error instanceof Error && error.name === "ApiError") throw error;
    throw badRequest("The request body could not be read");
  }
  return Buffer.concat(chunks, total);
}

/** 65536 -> "64 KB", 20971520 -> "20 MB" (binary units, as the limits are set). */
function describeBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${+(bytes / (1024 * 1024)).toFixed(1)} MB`;
  if (bytes >= 1024) return `${+(bytes / 1024).toFixed(1)} KB`;
  return `${bytes} bytes`;
}

/**
 * Reads and drops the rest of a refused body (up to `limit` more bytes) while the 413 goes out:
 * cancelling the stream would reset the connection, and a client still sending (chunked, with
 * no Content-Length to refuse it by) would see the reset instead of the answer.
 */
function discardRest(reader: ReadableStreamDefaultReader<Uint8Array>, limit: number) {
  void (async () => {
    let dropped = 0;
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        dropped += value.length;
        if (dropped > limit) break;
      }
    } catch {
      return;
    }
    await reader.cancel().catch(() => undefined);
  })();
}
