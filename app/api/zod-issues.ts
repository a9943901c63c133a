// zod issues → pydantic-style 422 entries (type codes as FastAPI clients know them).
import type { z } from "zod";
import type { ValidationIssue } from "./errors.server";

const TYPE_NAMES: Record<string, string> = {
  string: "string_type",
  number: "float_type",
  int: "int_type",
  boolean: "bool_type",
  object: "dict_type",
  array: "list_type",
};

export function zodIssuesToValidation(error: z.ZodError, prefix: (string | number)[]): ValidationIssue[] {
  return error.issues.map((issue) => {
    const loc = [...prefix, ...issue.path.map((p) => (typeof p === "symbol" ? String(p) : p))];
    switch (issue.code) {
      case "invalid_type":
        return { loc, msg: `Input should be a valid ${issue.expected}`, type: TYPE_NAMES[issue.expected] ?? "type_error" };
      case "too_small":
        return {
          loc,
          msg: `Input should be greater than${issue.inclusive ? " or equal to" : ""} ${issue.minimum}`,
          type: issue.inclusive ? "greater_than_equal" : "greater_than",
        };
      case "too_big":
        return {
          loc,
          msg: `Input should be less than${issue.inclusive ? " or equal to" : ""} ${issue.maximum}`,
          type: issue.inclusive ? "less_than_equal" : "less_than",
        };
      case "unrecognized_keys":
        return { loc: [...loc, ...issue.keys.slice(0, 1)], msg: `Extra inputs are not permitted (${issue.keys.join(", ")})`, type: "extra_forbidden" };
      case "invalid_value":
        return { loc, msg: `Input should be ${issue.values.map((v) => JSON.stringify(v)).join(" or ")}`, type: "enum" };
      case "invalid_format":
        return { loc, msg: issue.message, type: "string_pattern_mismatch" };
      default:
        return { loc, msg: issue.message, type: "value_error" };
    }
  });
}
