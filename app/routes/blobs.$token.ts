// Serves local-store presigned URLs (GET; Remix answers HEAD from the same loader).
import type { LoaderFunctionArgs } from "@remix-run/node";
import { appBlobStore } from "~/storage/app-blob-store.server";
import { serveBlob } from "~/storage/index.server";
import { handleApi } from "~/api/handle.server";
import { methodNotAllowed } from "~/api/errors.server";

export async function loader({ params }: LoaderFunctionArgs) {
  appBlobStore(); // configures the store from env if this is the first request since start
  return serveBlob(params.token ?? "");
}

// Presigned URLs are read-only.
export const action = () => handleApi(async () => { throw methodNotAllowed(); });
