// Multipart bodies as bytes: the HMAC must cover exactly what is sent.

export type FormValue = string | { data: Uint8Array; filename: string; type: string };

export async function encodeMultipart(fields: Record<string, FormValue | undefined>): Promise<{ body: Uint8Array; contentType: string }> {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    if (typeof value === "string") form.append(name, value);
    else form.append(name, new Blob([value.data as Uint8Array<ArrayBuffer>], { type: value.type }), value.filename);
  }
  // Let the platform pick the boundary and serialise once; the bytes are then fixed.
  const request = new Request("http://localhost/", { method: "POST", body: form });
  return { body: new Uint8Array(await request.arrayBuffer()), contentType: request.headers.get("content-type")! };
}

const IMAGE_TYPES: Record<string, string> = {
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".png": "image/png",
  ".webp": "image/webp",
};

/** Declared type for an upload, from its extension (the server sniffs the bytes anyway). */
export function contentTypeFor(filename: string): string {
  const dot = filename.lastIndexOf(".");
  return IMAGE_TYPES[dot >= 0 ? filename.slice(dot).toLowerCase() : ""] ?? "application/octet-stream";
}
