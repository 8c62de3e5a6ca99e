import { prepareTestState } from "../src/testing/testChain.js";

/** Deploys the suite once per test run; every test file then starts its own anvil from the saved state. */
export default async function setup(): Promise<void> {
  await prepareTestState();
}
