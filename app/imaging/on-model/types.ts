// Shared shapes of on-model rendering: anchor points on a model photo (pixel coordinates of
// the oriented image) and the garment categories a render can be asked for.

export interface Point {
  x: number;
  y: number;
}

/**
 * Where the body is in a model photo. `left`/`right` are the model's own sides (as in pose
 * estimation); the renderer only uses each pair as a line, so a swapped pair still works.
 */
export interface Anchors {
  left_shoulder: Point;
  right_shoulder: Point;
  left_hip: Point;
  right_hip: Point;
  neck: Point | null;
}

export const ANCHOR_NAMES = ["left_shoulder", "right_shoulder", "left_hip", "right_hip", "neck"] as const;
export type AnchorName = (typeof ANCHOR_NAMES)[number];

export const GARMENT_CATEGORIES = ["auto", "tops", "bottoms", "one-pieces"] as const;
export type GarmentCategory = (typeof GARMENT_CATEGORIES)[number];

export function scaleAnchors(anchors: Anchors, factor: number): Anchors {
  const s = (p: Point): Point => ({ x: p.x * factor, y: p.y * factor });
  return {
    left_shoulder: s(anchors.left_shoulder),
    right_shoulder: s(anchors.right_shoulder),
    left_hip: s(anchors.left_hip),
    right_hip: s(anchors.right_hip),
    neck: anchors.neck ? s(anchors.neck) : null,
  };
}
