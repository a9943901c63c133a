// Small product photos made on the fly for HTTP tests (segmentation quality has its own fixtures).
import sharp from "sharp";

export async function productPhoto(options: { width?: number; height?: number; format?: "jpeg" | "png" | "webp" } = {}) {
  const width = options.width ?? 640;
  const height = options.height ?? 480;
  const r = Math.round(Math.min(width, height) * 0.3);
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
    <rect width="100%" height="100%" fill="#f4f4f4"/>
    <rect x="${width / 2 - r}" y="${height / 2 - r}" width="${2 * r}" height="${2 * r}" rx="${r / 4}" fill="#c0392b"/>
    <circle cx="${width / 2}" cy="${height / 2}" r="${r / 2}" fill="#2c3e50"/>
  </svg>`;
  const img = sharp(Buffer.from(svg));
  const format = options.format ?? "jpeg";
  return format === "png" ? img.png().toBuffer() : format === "webp" ? img.webp().toBuffer() : img.jpeg({ quality: 90 }).toBuffer();
}

export function multipart(fields: Record<string, string | { data: Uint8Array; filename: string; type: string }>) {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) {
    if (typeof value === "string") form.append(name, value);
    else form.append(name, new Blob([new Uint8Array(value.data)], { type: value.type }), value.filename);
  }
  return form;
}

/** Encodes FormData to bytes + content type, so the HMAC can cover the exact body. */
export async function encodeForm(form: FormData): Promise<{ body: Uint8Array; contentType: string }> {
  const request = new Request("http://local/", { method: "POST", body: form });
  return { body: new Uint8Array(await request.arrayBuffer()), contentType: request.headers.get("content-type")! };
}
