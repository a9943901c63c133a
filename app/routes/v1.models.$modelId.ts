import { authenticateApi } from "~/api/auth.server";
import { apiRoute } from "~/api/handle.server";
import { conflict, jsonResponse, modelNotFound } from "~/api/errors.server";
import { readBody } from "~/api/read-body.server";
import { deleteModel, findModel } from "~/models/model-library.server";
import { serializeModel } from "~/models/serialize.server";

const route = apiRoute({
  // GET /v1/models/{model_id} — one model of the shop's library.
  GET: async ({ request, params }) => {
    const { shop } = await authenticateApi(request);
    const model = await findModel(shop, params.modelId ?? "");
    if (!model) throw modelNotFound();
    return jsonResponse(200, await serializeModel(model));
  },
  // DELETE /v1/models/{model_id} — 204; 409 for a built-in or a model an unfinished job uses.
  DELETE: async ({ request, params }) => {
    const body = await readBody(request, 64 * 1024);
    const { shop } = await authenticateApi(request, body);
    const outcome = await deleteModel(shop, params.modelId ?? "");
    switch (outcome.status) {
      case "not_found":
        throw modelNotFound();
      case "builtin":
        throw conflict("Built-in models cannot be deleted");
      case "in_use":
        throw conflict(`The model is used by job ${outcome.jobPublicId}, which has not finished; delete the model once that job is done or cancelled`);
      case "deleted":
        return new Response(null, { status: 204 });
    }
  },
});
export const loader = route.loader;
export const action = route.action;
