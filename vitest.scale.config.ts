import { defineConfig } from "vitest/config";
import tsconfigPaths from "vite-tsconfig-paths";

// The scale-out suite: PostgreSQL (a fresh database per test file), Redis + `npm run worker`
// processes, and S3 (s3rver). Needs PostgreSQL on 127.0.0.1:5432 and Redis on 127.0.0.1:6379
// (STUDIO_TEST_PG_URL / STUDIO_TEST_REDIS_URL to change). `npm run test:scale`.
export default defineConfig({
  plugins: [tsconfigPaths()],
  test: {
    include: ["test/scale/**/*.test.ts"],
    globalSetup: ["test/scale/global-setup.ts"],
    pool: "forks",
    // One file at a time: the files run image pipelines in several processes each, and
    // the crash test's timing must not depend on what the other files are doing.
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    teardownTimeout: 60_000,
  },
});
