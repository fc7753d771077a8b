import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Two cores on CI: forks keep memory per test file isolated and predictable.
    pool: "forks",
    // One PostgreSQL per run, started when a test first asks for it (test/support/postgres.ts).
    globalSetup: ["test/support/postgres-global-setup.ts"],
    // The JSON report lets .ci/run print a plain "N passed, N failed" closing line.
    reporters: ["default", ["json", { outputFile: ".vitest/results.json" }]],
  },
});
