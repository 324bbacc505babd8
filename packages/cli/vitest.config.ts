import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    // The integration tests build the CLI first and then boot real guests through it.
    globalSetup: ["test/build.ts"],
    // Real guests on a 2-core machine that may be busy with other work: give them room.
    testTimeout: 240_000,
    hookTimeout: 240_000,
    fileParallelism: false,
  },
});
