// Prisma without native engines (they cannot be downloaded here): the JS schema engine
// talks to the database through the same driver adapters the app uses at runtime.
import { defineConfig } from "prisma/config";
import { PrismaLibSQL } from "@prisma/adapter-libsql";
import { PrismaPg } from "@prisma/adapter-pg";
import { databaseTarget, schemaPaths } from "./app/db/database-url";
import { migratePool } from "./app/db/pg-migrate-pool";

const target = databaseTarget(process.env.DATABASE_URL);
// The schemas read env("DATABASE_URL"); give generate a value when it is unset.
process.env.DATABASE_URL ??= target.url;
const paths = schemaPaths(target);

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: paths.schema,
  migrations: { path: paths.migrations },
  async adapter() {
    return target.provider === "postgresql"
      ? new PrismaPg(migratePool(target.url))
      : new PrismaLibSQL({ url: target.url });
  },
});
