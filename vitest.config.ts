import { defineConfig } from "vitest/config";
import { propertyMode } from "./sdk/src/testing/fastCheck.js";

// `npm run test:explore` runs every property FC_RUNS_FACTOR times more cases: give each test as much more time.
const { runsFactor } = propertyMode();

export default defineConfig({
  test: {
    include: ["{sdk,gateway,keeper,simulations}/{src,test}/**/*.test.ts", "script/**/*.test.ts"],
    globalSetup: ["sdk/test/globalSetup.ts"],
    testTimeout: 60_000 * runsFactor,
    hookTimeout: 180_000,
    pool: "forks",
    maxWorkers: 2,
    reporters: ["default"],
  },
});
