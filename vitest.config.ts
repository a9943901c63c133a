import { availableParallelism } from "node:os";
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
    // vitest's default (CPUs - 1) runs the files one at a time on a 2-core CI machine; the HTTP
    // and browser tests spend most of their time waiting on server processes, so two at a time
    // roughly overlaps them with the CPU-bound segmentation files.
    maxWorkers: Math.max(2, availableParallelism() - 1),
  },
});
