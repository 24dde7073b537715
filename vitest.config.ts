import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    // Crash-resume tests spawn child processes; keep workers few on a 2-core machine.
    maxWorkers: 2,
    testTimeout: 20_000,
  },
});
