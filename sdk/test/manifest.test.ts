/**
 * The manifest (`sdk/src/manifest.ts`) is the one list of the suite's contracts: these tests fail when the deploy
 * script, the sources, the prepared deployment or the TypeScript code drift from it.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { describe, expect, test } from "vitest";
import * as abis from "../src/generated/abis.js";
import { CONTRACTS, DEPLOYMENT_KEYS, REQUIRED_DEPLOYMENT_KEYS } from "../src/manifest.js";
import { REPO_ROOT } from "../src/node/anvil.js";
import { TEST_STATE_DIR } from "../src/testing/testChain.js";
import { loadDeployment } from "../src/node/loadDeployment.js";

const deployScript = readFileSync(resolve(REPO_ROOT, "script/Deploy.s.sol"), "utf8");
const keysLibrary = readFileSync(resolve(REPO_ROOT, "script/deploy/DeploymentKeys.sol"), "utf8");

/** The generated key constants: constant name -> key. */
const keyConstants = new Map([...keysLibrary.matchAll(/string internal constant (\w+) = "(\w+)";/g)].map((m) => [m[1]!, m[2]!] as const));

/** The keys `script/Deploy.s.sol` writes under `contracts` (`vm.serializeAddress(key, DeploymentKeys.NAME, ...)`). */
function serializedKeys(): string[] {
  return [...deployScript.matchAll(/serializeAddress\(\s*key\s*,\s*DeploymentKeys\.(\w+)/g)].map((match) => {
    const key = keyConstants.get(match[1]!);
    if (key === undefined) throw new Error(`script/Deploy.s.sol uses DeploymentKeys.${match[1]}, which the generated library lacks`);
    return key;
  });
}

const lowerFirst = (name: string) => name.charAt(0).toLowerCase() + name.slice(1);

describe("contract manifest", () => {
  test("the deploy script names no contract in a string: every key comes from the generated DeploymentKeys", () => {
    expect(deployScript).not.toMatch(/serializeAddress\(\s*key\s*,\s*"/);
    expect([...keyConstants.values()].sort()).toEqual([...DEPLOYMENT_KEYS].sort());
  });

  test("its deployment keys are exactly the keys script/Deploy.s.sol serializes", () => {
    const keys = serializedKeys();
    expect(keys.length).toBeGreaterThan(0);
    expect(new Set(keys).size).toBe(keys.length);
    expect([...keys].sort()).toEqual([...DEPLOYMENT_KEYS].sort());
  });

  test("the keys the deploy script writes only conditionally are not required", () => {
    // A key serialized inside an `if` may be missing from a deployment file.
    const conditional = [...deployScript.matchAll(/if \(.*\)\s*\{\s*vm\.serializeAddress\(\s*key\s*,\s*DeploymentKeys\.(\w+)/g)].map((m) => keyConstants.get(m[1]!)!);
    expect(conditional.length).toBeGreaterThan(0);
    for (const key of conditional) expect(REQUIRED_DEPLOYMENT_KEYS).not.toContain(key);
  });

  test("names are unique and every source declares its contract", () => {
    expect(new Set(CONTRACTS.map((contract) => contract.name)).size).toBe(CONTRACTS.length);
    for (const contract of CONTRACTS) {
      const path = resolve(REPO_ROOT, contract.source);
      expect(existsSync(path), contract.source).toBe(true);
      expect(readFileSync(path, "utf8"), `${contract.source} declares ${contract.name}`).toMatch(
        new RegExp(`^(abstract )?contract ${contract.name}\\b`, "m"),
      );
    }
  });

  test("the generated ABIs are the manifest's, in its order", () => {
    const expected = CONTRACTS.filter((contract) => contract.abi).map((contract) => `${lowerFirst(contract.name)}Abi`);
    expect(Object.keys(abis)).toEqual(expected);
  });

  test("the prepared test deployment has every key the manifest says the local deploy writes", () => {
    const deployment = loadDeployment(31337, TEST_STATE_DIR);
    expect(Object.keys(deployment.contracts).sort()).toEqual([...DEPLOYMENT_KEYS].sort());
  });

  test("no TypeScript outside the manifest names a contract in a string", () => {
    const names = new Set<string>(CONTRACTS.flatMap((contract) => ["deployment" in contract ? contract.deployment.key : contract.name, contract.name]));
    const offenders: string[] = [];
    for (const dir of ["sdk/src", "sdk/scripts", "gateway/src", "keeper/src", "simulations", "script"]) {
      for (const file of tsFiles(resolve(REPO_ROOT, dir))) {
        const path = relative(REPO_ROOT, file);
        if (path === "sdk/src/manifest.ts" || path.startsWith("sdk/src/generated/") || path.endsWith(".test.ts")) continue;
        const text = readFileSync(file, "utf8");
        for (const match of text.matchAll(/["'`](\w+)["'`]/g)) {
          if (names.has(match[1]!)) offenders.push(`${path}: ${match[0]}`);
        }
      }
    }
    expect(offenders).toEqual([]);
  });
});

function tsFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (entry === "node_modules") return [];
    if (statSync(path).isDirectory()) return tsFiles(path);
    return entry.endsWith(".ts") ? [path] : [];
  });
}
