import { handleApi } from "~/api/handle.server";
import { notFound } from "~/api/errors.server";

// Unknown /v1 paths answer in the API's JSON shape, not with an HTML page.
export const loader = () => handleApi(async () => { throw notFound(); });
export const action = loader;
