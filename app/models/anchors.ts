// Anchor points sent with a model photo: parsed and checked against the image, with
// pydantic-style 422 entries (loc relative to the anchors object).
import type { ValidationIssue } from "~/api/errors.server";
import { ANCHOR_NAMES, type Anchors, type Point } from "~/imaging/on-model/types";

/** Shape only: every point an object of finite numbers `x`, `y`. Returns null when there are issues. */
export function parseAnchors(raw: unknown, loc: (string | number)[], issues: ValidationIssue[]): Anchors | null {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    issues.push({ loc, msg: "Input should be a valid dictionary", type: "dict_type" });
    return null;
  }
  const input = raw as Record<string, unknown>;
  const before = issues.length;
  const points: Partial<Record<string, Point | null>> = {};
  for (const key of Object.keys(input)) {
    if (!(ANCHOR_NAMES as readonly string[]).includes(key)) issues.push({ loc: [...loc, key], msg: "Extra inputs are not permitted", type: "extra_forbidden" });
  }
  for (const name of ANCHOR_NAMES) {
    const value = input[name];
    if (value === undefined || (value === null && name === "neck")) {
      if (name !== "neck") issues.push({ loc: [...loc, name], msg: "Field required", type: "missing" });
      points[name] = null;
      continue;
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      issues.push({ loc: [...loc, name], msg: 'Input should be a point like {"x": 120, "y": 340}', type: "model_type" });
      continue;
    }
    const p = value as Record<string, unknown>;
    for (const axis of ["x", "y"] as const) {
      if (typeof p[axis] !== "number" || !Number.isFinite(p[axis])) {
        issues.push({ loc: [...loc, name, axis], msg: p[axis] === undefined ? "Field required" : "Input should be a valid number", type: p[axis] === undefined ? "missing" : "float_type" });
      }
    }
    for (const key of Object.keys(p)) {
      if (key !== "x" && key !== "y") issues.push({ loc: [...loc, name, key], msg: "Extra inputs are not permitted", type: "extra_forbidden" });
    }
    points[name] = { x: p.x as number, y: p.y as number };
  }
  if (issues.length > before) return null;
  return points as unknown as Anchors;
}

/** Every point inside the image, and a body that reads top to bottom: shoulders above hips. */
export function checkAnchorsFit(anchors: Anchors, width: number, height: number, loc: (string | number)[], issues: ValidationIssue[]) {
  const before = issues.length;
  for (const name of ANCHOR_NAMES) {
    const p = anchors[name];
    if (!p) continue;
    if (p.x < 0 || p.x >= width) issues.push({ loc: [...loc, name, "x"], msg: `x must be inside the ${width}×${height} image (0 ≤ x < ${width})`, type: "value_error" });
    if (p.y < 0 || p.y >= height) issues.push({ loc: [...loc, name, "y"], msg: `y must be inside the ${width}×${height} image (0 ≤ y < ${height})`, type: "value_error" });
  }
  if (issues.length > before) return;
  const shoulders = (anchors.left_shoulder.y + anchors.right_shoulder.y) / 2;
  const hips = (anchors.left_hip.y + anchors.right_hip.y) / 2;
  const span = Math.hypot(anchors.left_shoulder.x - anchors.right_shoulder.x, anchors.left_shoulder.y - anchors.right_shoulder.y);
  if (span < Math.max(8, 0.03 * Math.min(width, height))) {
    issues.push({ loc, msg: "The shoulders are too close together: mark the left and right shoulder joints", type: "value_error" });
  }
  if (hips - shoulders < 0.05 * height) {
    issues.push({ loc, msg: "The hips must be below the shoulders (an upright, front-facing photo)", type: "value_error" });
  }
}
