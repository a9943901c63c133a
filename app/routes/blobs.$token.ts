// Serves local-store presigned URLs: read-only (GET, and HEAD from the same handler).
import { appBlobStore } from "~/storage/app-blob-store.server";
import { serveBlob } from "~/storage/index.server";
import { apiRoute } from "~/api/handle.server";

const route = apiRoute({
  GET: async ({ params, request }) => {
    appBlobStore(); // configures the store from env if this is the first request since start
    return serveBlob(params.token ?? "", Date.now(), request.headers.get("range"));
  },
});
export const loader = route.loader;
export const action = route.action;
