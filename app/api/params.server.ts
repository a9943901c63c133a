// Query/path/header parameters parsed the way FastAPI (pydantic v2) reports them,
// with the same `type` codes, so a 422 here reads like one from the original service.
import type { IssueList } from "./errors.server";

type Where = "query" | "path" | "header" | "body";

export function intParam(
  raw: string | null | undefined,
  where: Where,
  name: string,
  issues: IssueList,
  bounds: { ge?: number; le?: number } = {},
): number | undefined {
  if (raw === null || raw === undefined) return undefined;
  const text = raw.trim();
  if (!/^[+-]?\d+$/.test(text)) {
    issues.add({
      loc: [where, name],
      msg: "Input should be a valid integer, unable to parse string as an integer",
      type: "int_parsing",
      input: raw,
    });
    return undefined;
  }
  const value = Number(text);
  if (!Number.isSafeInteger(value)) {
    issues.add({ loc: [where, name], msg: "Input should be a valid integer", type: "int_parsing", input: raw });
    return undefined;
  }
  if (bounds.ge !== undefined && value < bounds.ge) {
    issues.add({
      loc: [where, name],
      msg: `Input should be greater than or equal to ${bounds.ge}`,
      type: "greater_than_equal",
      input: raw,
    });
    return undefined;
  }
  if (bounds.le !== undefined && value > bounds.le) {
    issues.add({
      loc: [where, name],
      msg: `Input should be less than or equal to ${bounds.le}`,
      type: "less_than_equal",
      input: raw,
    });
    return undefined;
  }
  return value;
}

export function enumParam<T extends string>(
  raw: string | null | undefined,
  where: Where,
  name: string,
  allowed: readonly T[],
  issues: IssueList,
): T | undefined {
  if (raw === null || raw === undefined) return undefined;
  if ((allowed as readonly string[]).includes(raw)) return raw as T;
  const list = allowed.map((a) => `'${a}'`);
  const phrase = list.length > 1 ? `${list.slice(0, -1).join(", ")} or ${list[list.length - 1]}` : list[0];
  issues.add({ loc: [where, name], msg: `Input should be ${phrase}`, type: "enum", input: raw });
  return undefined;
}

export function patternParam(
  raw: string | null | undefined,
  where: Where,
  name: string,
  pattern: RegExp,
  issues: IssueList,
): string | undefined {
  if (raw === null || raw === undefined) return undefined;
  if (pattern.test(raw)) return raw;
  issues.add({
    loc: [where, name],
    msg: `String should match pattern '${pattern.source}'`,
    type: "string_pattern_mismatch",
    input: raw,
  });
  return undefined;
}

/** A query parameter that must appear at most once (repeats are ambiguous, so refused). */
export function singleQuery(url: URL, name: string, issues: IssueList): string | null {
  const all = url.searchParams.getAll(name);
  if (all.length > 1) {
    issues.add({ loc: ["query", name], msg: "Parameter must not be repeated", type: "value_error" });
    return null;
  }
  return all[0] ?? null;
}
