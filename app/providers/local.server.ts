// The offline renderer: Studio composites the garment onto the model itself.
import { renderOnMannequinInThread, renderOnPhotoInThread } from "~/imaging/index.server";
import { modelPhoto } from "~/models/model-library.server";
import type { RenderProvider } from "./provider";

export const localProvider: RenderProvider = {
  name: "local",
  unavailableReason: () => null,
  async render(request, ctx) {
    const cutout = await request.cutout();
    const model = request.model;
    const result = model.builtin
      ? await renderOnMannequinInThread(cutout, model.slug, request.category, ctx.signal)
      : await renderOnPhotoInThread(cutout, (await modelPhoto(model)).bytes, model.anchors, request.category, ctx.signal);
    const { box } = result.garment;
    return {
      body: result.png,
      contentType: "image/png",
      width: result.width,
      height: result.height,
      message: `Rendered on ${model.name} at ${result.width}×${result.height} (local compositor)`,
      meta: {
        renderer: "local-composite",
        provider: "local",
        model: model.id,
        width: result.width,
        height: result.height,
        garment_box: { left: box.left, top: box.top, width: box.right - box.left, height: box.bottom - box.top },
      },
    };
  },
};
