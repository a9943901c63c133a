// Validates response bodies against the OpenAPI document the app serves (JSON Schema 2020-12).
import Ajv2020 from "ajv/dist/2020";
import addFormats from "ajv-formats";
import { openApiDocument } from "~/api/openapi.server";

type Doc = { paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: object }> }> }>>; components: object };

let ajv: Ajv2020 | undefined;
const doc = () => openApiDocument() as Doc;

function validator() {
  if (!ajv) {
    ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv);
    ajv.addSchema({ $id: "openapi.json", components: doc().components });
  }
  return ajv;
}

function rewriteRefs(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(rewriteRefs);
  if (schema && typeof schema === "object") {
    return Object.fromEntries(
      Object.entries(schema).map(([k, v]) => [k, k === "$ref" && typeof v === "string" && v.startsWith("#/") ? `openapi.json${v}` : rewriteRefs(v)]),
    );
  }
  return schema;
}

export async function validateResponse(path: string, method: string, status: number, body: unknown) {
  const response = doc().paths[path]?.[method]?.responses?.[String(status)];
  if (!response) throw new Error(`OpenAPI has no ${method.toUpperCase()} ${path} → ${status}`);
  const schema = response.content?.["application/json"]?.schema;
  if (!schema) throw new Error(`OpenAPI ${method.toUpperCase()} ${path} → ${status} has no JSON schema`);
  const validate = validator().compile(rewriteRefs(schema) as object);
  if (!validate(body)) {
    throw new Error(`response does not match OpenAPI (${method.toUpperCase()} ${path} ${status}): ${JSON.stringify(validate.errors, null, 1)}`);
  }
}
