import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { fcParams, propertyMode, PropertySeedError, seedOf } from "../../src/testing/index.js";

describe("fcParams", () => {
  test("npm test: a seed fixed by the test, the same on every call, the given runs", () => {
    const a = fcParams({ numRuns: 7 }, {});
    expect(a.seed).toBe(seedOf("sdk/test/testing/fastCheck.test.ts > fcParams > npm test: a seed fixed by the test, the same on every call, the given runs"));
    expect(fcParams({ numRuns: 7 }, {}).seed).toBe(a.seed);
    expect(a.numRuns).toBe(7);
    expect(a.path).toBeUndefined();
    expect(fcParams({}, {}).numRuns).toBe(100);
  });

  test("another test gets another fixed seed", () => {
    expect(fcParams({}, {}).seed).not.toBe(seedOf("sdk/test/testing/fastCheck.test.ts > fcParams > npm test: a seed fixed by the test, the same on every call, the given runs"));
    expect(seedOf("a")).toBe(seedOf("a"));
    expect(seedOf("a")).not.toBe(seedOf("b"));
    expect(Number.isSafeInteger(seedOf("x")) && seedOf("x") >= -(2 ** 31) && seedOf("x") < 2 ** 31).toBe(true);
  });

  test("FC_SEED / FC_PATH replay; FC_EXPLORE draws fresh seeds with more runs; a pinned seed always runs", () => {
    expect(fcParams({ numRuns: 5 }, { FC_SEED: "-739921233", FC_PATH: "17:1:1" })).toMatchObject({ seed: -739921233, path: "17:1:1", numRuns: 5 });
    const explore = [1, 2, 3].map(() => fcParams({ numRuns: 5 }, { FC_EXPLORE: "1" }));
    expect(new Set(explore.map((p) => p.seed)).size).toBe(3);
    expect(explore[0]!.numRuns).toBe(50);
    expect(fcParams({ numRuns: 5 }, { FC_EXPLORE: "1", FC_RUNS_FACTOR: "3" }).numRuns).toBe(15);
    expect(fcParams({ seed: 42, numRuns: 5 }, { FC_SEED: "7", FC_PATH: "1" })).toMatchObject({ seed: 42, numRuns: 5 });
    expect(fcParams({ seed: 42 }, { FC_SEED: "7", FC_PATH: "1" }).path).toBeUndefined();
  });

  test("refuses unusable variables", () => {
    expect(() => propertyMode({ FC_SEED: "abc" })).toThrow(PropertySeedError);
    expect(() => propertyMode({ FC_SEED: String(2 ** 31) })).toThrow(/FC_SEED/);
    expect(() => propertyMode({ FC_PATH: "1:2" })).toThrow(/set FC_SEED too/);
    expect(() => propertyMode({ FC_SEED: "1", FC_PATH: "1;rm" })).toThrow(/not a fast-check path/);
    expect(() => propertyMode({ FC_EXPLORE: "1", FC_RUNS_FACTOR: "0" })).toThrow(/FC_RUNS_FACTOR/);
    expect(propertyMode({ FC_EXPLORE: "0" }).explore).toBe(false);
  });

  test("a failure names the seed, the path and the command that replays it, with the property's error as cause", () => {
    const params = fcParams<[number]>({ numRuns: 50 }, {});
    let failure: unknown;
    try {
      fc.assert(fc.property(fc.nat(), (n) => n < 10), params);
    } catch (error) {
      failure = error;
    }
    expect(failure).toBeInstanceOf(Error);
    const message = (failure as Error).message;
    expect(message).toContain(`seed: ${params.seed}`);
    expect(message).toMatch(new RegExp(`replay: FC_SEED=${params.seed} FC_PATH=[\\d:]+ npx vitest run sdk/test/testing/fastCheck.test.ts -t 'a failure names`));
    expect(message).toContain("Counterexample: [10]");
    expect((failure as Error).cause).toBeInstanceOf(Error);
  });
});
