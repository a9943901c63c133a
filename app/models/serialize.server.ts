// The public shape of a model (ModelResponse): its picture only as a presigned URL.
import type { ModelResponseT } from "~/api/schemas";
import { modelImageUrl, type StudioModelRecord } from "./model-library.server";

export async function serializeModel(model: StudioModelRecord): Promise<ModelResponseT> {
  const round = (p: { x: number; y: number }) => ({ x: Math.round(p.x * 100) / 100, y: Math.round(p.y * 100) / 100 });
  return {
    id: model.id,
    name: model.name,
    builtin: model.builtin,
    image_url: await modelImageUrl(model),
    width: model.width,
    height: model.height,
    anchors: {
      left_shoulder: round(model.anchors.left_shoulder),
      right_shoulder: round(model.anchors.right_shoulder),
      left_hip: round(model.anchors.left_hip),
      right_hip: round(model.anchors.right_hip),
      neck: model.anchors.neck ? round(model.anchors.neck) : null,
    },
    created_at: model.createdAt ? model.createdAt.toISOString() : null,
  };
}
