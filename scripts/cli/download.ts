// Saves a job's final artifacts as <kind>-<n>.<ext>, n counting per kind from 1.
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import type { StudioClient } from "./client";
import type { Artifact } from "./types";

const EXT_BY_FORMAT: Record<string, string> = { jpeg: "jpg", jpg: "jpg", png: "png", webp: "webp", avif: "avif", gif: "gif" };
const EXT_BY_TYPE: Record<string, string> = { "image/jpeg": "jpg", "image/png": "png", "image/webp": "webp", "image/avif": "avif" };

export function extensionFor(artifact: Artifact, contentType: string | null): string {
  const format = String(artifact.meta?.format ?? "").toLowerCase();
  if (EXT_BY_FORMAT[format]) return EXT_BY_FORMAT[format];
  const type = (contentType ?? "").split(";")[0].trim().toLowerCase();
  return EXT_BY_TYPE[type] ?? "bin";
}

export interface SavedFile {
  file: string;
  bytes: number;
  artifact: Artifact;
}

export async function downloadArtifacts(client: StudioClient, artifacts: Artifact[], outDir: string): Promise<SavedFile[]> {
  await mkdir(outDir, { recursive: true });
  const counts = new Map<string, number>();
  const saved: SavedFile[] = [];
  for (const artifact of artifacts) {
    const n = (counts.get(artifact.kind) ?? 0) + 1;
    counts.set(artifact.kind, n);
    const { bytes, contentType } = await client.download(artifact.image_url);
    const safeKind = artifact.kind.replace(/[^A-Za-z0-9_-]/g, "_");
    const file = path.join(outDir, `${safeKind}-${n}.${extensionFor(artifact, contentType)}`);
    await writeFile(file, bytes);
    saved.push({ file, bytes: bytes.length, artifact });
  }
  return saved;
}
