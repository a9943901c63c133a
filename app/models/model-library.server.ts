// A shop's model library: Studio's built-in dress forms (drawn, shared by every shop) and the
// shop's own model photos. Ownership lives here: a foreign, unknown or malformed id is "not
// found" for every caller (API, job validation, the render stage).
import { monotonicFactory } from "ulid";
import type { Prisma, StudioModel } from "@prisma/client";
import { db } from "~/db.server";
import { appBlobStore } from "~/storage/app-blob-store.server";
import { builtinModelBlobKey, modelBlobKey } from "~/storage/keys.server";
import { ULID_PATTERN } from "~/jobs/job-kinds";
import type { SourceImageInfo } from "~/jobs/source-image.server";
import { mannequin, mannequinAnchors, MANNEQUIN_HEIGHT, MANNEQUIN_WIDTH, type MannequinSlug } from "~/imaging/on-model/mannequin.server";
import type { Anchors } from "~/imaging/on-model/types";

const nextUlid = monotonicFactory();

export const BUILTIN_PREFIX = "builtin:";

interface BuiltinSpec {
  slug: MannequinSlug;
  name: string;
}

/** In this order: the first is the default model of every job. */
const BUILTINS: BuiltinSpec[] = [
  { slug: "mannequin-neutral", name: "Dress form, linen" },
  { slug: "mannequin-athletic", name: "Dress form, charcoal, broad shoulders" },
];

export const DEFAULT_MODEL_ID = `${BUILTIN_PREFIX}${BUILTINS[0].slug}`;

export type StudioModelRecord =
  | { id: string; builtin: true; slug: MannequinSlug; name: string; width: number; height: number; anchors: Anchors; createdAt: null }
  | {
      id: string;
      builtin: false;
      name: string;
      width: number;
      height: number;
      anchors: Anchors;
      createdAt: Date;
      storageKey: string;
      contentType: string;
    };

function builtinRecord(spec: BuiltinSpec): StudioModelRecord {
  return {
    id: `${BUILTIN_PREFIX}${spec.slug}`,
    builtin: true,
    slug: spec.slug,
    name: spec.name,
    width: MANNEQUIN_WIDTH,
    height: MANNEQUIN_HEIGHT,
    anchors: mannequinAnchors(spec.slug),
    createdAt: null,
  };
}

function customRecord(row: StudioModel): StudioModelRecord {
  return {
    id: row.id,
    builtin: false,
    name: row.name,
    width: row.width,
    height: row.height,
    anchors: JSON.parse(row.anchors) as Anchors,
    createdAt: row.createdAt,
    storageKey: row.storageKey,
    contentType: row.contentType,
  };
}

/** Built-ins first (the default first of all), then the shop's own, newest first. */
export async function listModels(shop: string): Promise<StudioModelRecord[]> {
  const rows = await db().studioModel.findMany({ where: { shop }, orderBy: { id: "desc" } });
  return [...BUILTINS.map(builtinRecord), ...rows.map(customRecord)];
}

/** A model this shop may use, or null (unknown, malformed and foreign ids alike). */
export async function findModel(shop: string, id: string): Promise<StudioModelRecord | null> {
  if (id.startsWith(BUILTIN_PREFIX)) {
    const spec = BUILTINS.find((b) => `${BUILTIN_PREFIX}${b.slug}` === id);
    return spec ? builtinRecord(spec) : null;
  }
  if (!ULID_PATTERN.test(id)) return null;
  const row = await db().studioModel.findUnique({ where: { id } });
  return row && row.shop === shop ? customRecord(row) : null;
}

export interface NewModel {
  shop: string;
  name: string;
  bytes: Buffer;
  info: SourceImageInfo;
  anchors: Anchors;
}

/** Stores the photo as uploaded, then the row; a failed insert leaves no blob behind. */
export async function createModel(input: NewModel): Promise<StudioModelRecord> {
  const id = nextUlid();
  const storageKey = modelBlobKey(input.shop, id, `photo.${input.info.format === "jpeg" ? "jpg" : input.info.format}`);
  await appBlobStore().put(storageKey, input.bytes, { contentType: input.info.contentType });
  try {
    const row = await db().studioModel.create({
      data: {
        id,
        shop: input.shop,
        name: input.name,
        storageKey,
        contentType: input.info.contentType,
        width: input.info.width,
        height: input.info.height,
        anchors: JSON.stringify(input.anchors),
      },
    });
    return customRecord(row);
  } catch (error) {
    await appBlobStore().delete(storageKey).catch(() => undefined);
    throw error;
  }
}

/**
 * Holds a custom model's row for the rest of a transaction by writing it (PostgreSQL locks the
 * row, SQLite the database), so that creating a job that uses the model and deleting the model
 * cannot interleave between one's check and the other's write. False if the model is gone.
 */
export async function holdModel(tx: Prisma.TransactionClient, shop: string, id: string): Promise<boolean> {
  const { count } = await tx.studioModel.updateMany({ where: { id, shop }, data: { shop } });
  return count === 1;
}

/** What a job's options are told when their model is not the shop's (or no longer exists). */
export const UNKNOWN_MODEL = "Unknown model: use an id from GET /v1/models";

export type DeleteOutcome = { status: "deleted" } | { status: "not_found" } | { status: "builtin" } | { status: "in_use"; jobPublicId: string };

/**
 * A model that an unfinished job will render with is kept (409): deleting it would fail that
 * job. Finished jobs keep their images, so they do not hold a model.
 */
export async function deleteModel(shop: string, id: string): Promise<DeleteOutcome> {
  const model = await findModel(shop, id);
  if (!model) return { status: "not_found" };
  if (model.builtin) return { status: "builtin" };
  const outcome = await db().$transaction(async (tx): Promise<DeleteOutcome> => {
    // (held first: a job created meanwhile either committed before, and is found, or waits)
    if (!(await holdModel(tx, shop, model.id))) return { status: "not_found" };
    const user = await tx.job.findFirst({
      where: { shop, kind: "on_model_render", status: { in: ["queued", "running"] }, options: { contains: `"model":"${model.id}"` } },
      select: { publicId: true },
    });
    if (user) return { status: "in_use", jobPublicId: user.publicId };
    await tx.studioModel.delete({ where: { id: model.id } });
    return { status: "deleted" };
  });
  if (outcome.status === "deleted") await appBlobStore().delete(model.storageKey).catch(() => undefined);
  return outcome;
}

const storedBuiltins = new Set<MannequinSlug>();

/** The model's picture as stored (built-ins are drawn and stored once per process). */
async function imageKey(model: StudioModelRecord): Promise<{ key: string; contentType: string }> {
  if (!model.builtin) return { key: model.storageKey, contentType: model.contentType };
  const key = builtinModelBlobKey(model.slug);
  if (!storedBuiltins.has(model.slug)) {
    await appBlobStore().put(key, (await mannequin(model.slug)).png, { contentType: "image/png" });
    storedBuiltins.add(model.slug);
  }
  return { key, contentType: "image/png" };
}

/** A short-lived URL of the model's picture (never the storage key). */
export async function modelImageUrl(model: StudioModelRecord): Promise<string> {
  const { key, contentType } = await imageKey(model);
  return appBlobStore().presign(key, { contentType });
}

/** The photo's bytes, for a renderer (custom models only: built-ins are drawn in place). */
export async function modelPhoto(model: StudioModelRecord & { builtin: false }): Promise<{ bytes: Buffer; contentType: string }> {
  return { bytes: await appBlobStore().get(model.storageKey), contentType: model.contentType };
}
