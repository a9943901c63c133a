/** Public surface of the Studio imaging core (pure sharp + pixel maths, no ML models). */
export type {
  RasterImage,
  NormalizedSource,
  SegmentResult,
  ComposeOptions,
  ComposeResult,
  ExportedImage,
  SourceFormat,
} from "./types.server";
export { NoSubjectError, UnsupportedImageError, ImagingArgumentError } from "./errors.server";
export { normalizeSource } from "./decode.server";
export { segmentProduct } from "./segment.server";
export { segmentProductInThread, renderOnMannequinInThread, renderOnPhotoInThread, closeImagingPool } from "./imaging-pool.server";
export { makeCutoutPng } from "./cutout.server";
export { composeOnCanvas, DEFAULT_COMPOSE_OPTIONS } from "./compose.server";
export { exportFinals } from "./export.server";
