import { readFileSync } from "node:fs";
import { expect, it } from "vitest";

// The PostgreSQL schema is a twin of the SQLite one: only the header differs.
it("keeps prisma/postgres/schema.prisma's models identical to prisma/schema.prisma", () => {
  const models = (file: string) => readFileSync(file, "utf8").split("// --- models (keep in sync with the twin) ---")[1];
  expect(models("prisma/postgres/schema.prisma")).toBe(models("prisma/schema.prisma"));
  expect(readFileSync("prisma/postgres/schema.prisma", "utf8")).toContain('provider = "postgresql"');
});
