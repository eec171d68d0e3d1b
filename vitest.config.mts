import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "provider/**/*.test.ts"],
    environment: "node",
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    // One test file per core: vitest's default left one of CI's two cores idle (269 s against
    // 157 s for the same suite). Time limits in tests are CPU-seconds or generous, never tight wall time.
    maxWorkers: Math.max(1, availableParallelism()),
  },
});
