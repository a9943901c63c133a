import { authenticateApi } from "~/api/auth.server";
import { apiRoute } from "~/api/handle.server";
import { jsonResponse } from "~/api/errors.server";
import { readBody } from "~/api/read-body.server";
import { MAX_CREATE_MODEL_BODY_BYTES, parseCreateModelRequest } from "~/api/create-model-request.server";
import { createModel, listModels } from "~/models/model-library.server";
import { serializeModel } from "~/models/serialize.server";
import { MAX_SOURCE_SIZE } from "~/jobs/source-image.server";

const route = apiRoute({
  // GET /v1/models — the shop's model library (built-ins first).
  GET: async ({ request }) => {
    const { shop } = await authenticateApi(request);
    const models = await listModels(shop);
    return jsonResponse(200, { models: await Promise.all(models.map(serializeModel)) });
  },
  // POST /v1/models — add a model photo with its anchor points.
  POST: async ({ request }) => {
    const body = await readBody(request, MAX_CREATE_MODEL_BODY_BYTES, MAX_SOURCE_SIZE);
    const { shop } = await authenticateApi(request, body);
    const model = await createModel(await parseCreateModelRequest(request, body, shop));
    return jsonResponse(201, await serializeModel(model));
  },
});
export const loader = route.loader;
export const action = route.action;
