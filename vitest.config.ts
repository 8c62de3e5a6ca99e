import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["{sdk,gateway,keeper,simulations}/{src,test}/**/*.test.ts", "script/**/*.test.ts"],
    globalSetup: ["sdk/test/globalSetup.ts"],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    pool: "forks",
    maxWorkers: 2,
    reporters: ["default"],
  },
});
