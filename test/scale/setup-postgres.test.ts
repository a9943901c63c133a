// `npm run setup` on PostgreSQL applies the migrations with `prisma migrate deploy` and the
// project's prisma.config.ts (JS schema engine through @prisma/adapter-pg). Checked against a
// fresh database, with the project's own config.
import { afterAll, describe, expect, it } from "vitest";
import { createTestDatabase, migrateDeploy, type TestDatabase } from "../support/postgres";
import { Cleanup } from "./support/harness";

const cleanup = new Cleanup();
afterAll(() => cleanup.run());

describe("prisma migrate deploy on PostgreSQL (npm run setup)", () => {
  let database: TestDatabase;

  it("applies prisma/postgres/migrations to an empty database", async () => {
    database = await createTestDatabase({ migrate: false });
    cleanup.add("drop database", () => database.drop());
    const result = await migrateDeploy(database.url);
    expect(result.ok, result.output).toBe(true);
    const tables = await database.query<{ tablename: string }>(`SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`);
    expect(tables.map((t) => t.tablename)).toEqual(["Artifact", "Job", "JobEvent", "Session", "StudioModel", "_prisma_migrations"]);
    const applied = await database.query(`SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL`);
    expect(applied.length).toBeGreaterThanOrEqual(1);
  });

  it("is idempotent (a second deploy has nothing to apply)", async () => {
    const again = await migrateDeploy(database.url);
    expect(again.ok, again.output).toBe(true);
    expect(again.output).toMatch(/No pending migrations/);
  });
});
