import { defineConfig } from "vitest/config";

// `npm run test:explore` (FC_EXPLORE) runs every property FC_RUNS_FACTOR (default 10) times more cases: give each test
// as much more time. (Read here, not through sdk/src/testing/fastCheck.ts, which imports vitest itself.)
const explore = !!process.env.FC_EXPLORE && process.env.FC_EXPLORE !== "0";
const runsFactor = explore ? Number(process.env.FC_RUNS_FACTOR ?? 10) || 10 : 1;

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
