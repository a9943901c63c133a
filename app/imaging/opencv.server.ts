/**
 * OpenCV (the WebAssembly build on npm) for the few algorithms we do not write by hand.
 * Loaded once per process on first use (about half a second), never at import time.
 */
import { createRequire } from "node:module";
import type cvModule from "@techstark/opencv-js";

export type OpenCv = typeof cvModule;

// Required, not imported, and handed out boxed: the Emscripten module is a thenable (it has
// `then`), so an ES import of it (whose namespace re-exports `then`) or a promise resolving
// to it would try to adopt it and never settle.
let ready: Promise<{ cv: OpenCv }> | null = null;

export function loadOpenCv(): Promise<{ cv: OpenCv }> {
  ready ??= new Promise((resolve) => {
    const cv = createRequire(import.meta.url)("@techstark/opencv-js") as OpenCv & { onRuntimeInitialized?: () => void };
    if (typeof cv.Mat === "function") resolve({ cv });
    else cv.onRuntimeInitialized = () => resolve({ cv });
  });
  return ready;
}
