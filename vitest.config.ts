import { defineConfig } from "vitest/config";
import tsconfigPaths from "vite-tsconfig-paths";

// The default suite: unit tests plus HTTP tests against a real server process on
// SQLite and the local blob store. The PostgreSQL/Redis/S3 suite is vitest.scale.config.ts.
export default defineConfig({
  plugins: [tsconfigPaths()],
  test: {
    include: ["test/unit/**/*.test.ts", "test/http/**/*.test.ts", "test/browser/**/*.test.ts"],
    globalSetup: ["test/support/global-setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    pool: "forks",
  },
});
