import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const OUTPUT = path.join(ROOT, "test-output");
export const TEMPLATE_DB = path.join(OUTPUT, "template.sqlite");
export const BIN = (name: string) => path.join(ROOT, "node_modules/.bin", name);
