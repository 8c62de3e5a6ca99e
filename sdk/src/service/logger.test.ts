import { Writable } from "node:stream";
import { BaseError } from "viem";
import { describe, expect, test } from "vitest";
import { createLogger, serializeError } from "./logger.js";

/** A logger whose lines are collected as parsed JSON. */
function capture(level: "info" | "debug" = "info") {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split("\n").filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { lines, logger: createLogger({ service: "probe", level, destination }) };
}

/** An error like viem's decoded revert: a custom error's name and its bigint arguments. */
class RevertError extends Error {
  override name = "ContractFunctionRevertedError";
  data = { errorName: "BudgetExceeded", args: [7n, 9n] };
  shortMessage = "The contract function reverted.";
}

describe("createLogger", () => {
  test("an error is logged with its whole cause chain and the custom fields of each link", async () => {
    const { lines, logger } = capture();
    const revert = new RevertError("execution reverted: BudgetExceeded(7, 9)");
    const rpc = new BaseError("settlement failed", { cause: revert });
    const top = new Error("relay pass failed", { cause: rpc });
    logger.child({ job: "relay" }).error({ err: top }, "job pass failed");
    await new Promise((r) => setImmediate(r));

    expect(lines).toHaveLength(1);
    const line = lines[0]!;
    expect(line).toMatchObject({ level: "error", service: "probe", job: "relay", msg: "job pass failed" });
    const err = line.err as Record<string, any>;
    expect(err).toMatchObject({ name: "Error", message: "relay pass failed" });
    expect(err.stack).toContain("relay pass failed");
    expect(err.cause).toMatchObject({ name: "BaseError", shortMessage: "settlement failed", details: revert.message, version: expect.any(String) });
    expect(err.cause.cause).toMatchObject({
      name: "ContractFunctionRevertedError",
      message: "execution reverted: BudgetExceeded(7, 9)",
      shortMessage: "The contract function reverted.",
      errorName: "BudgetExceeded",
      data: { errorName: "BudgetExceeded", args: ["7", "9"] },
    });
    expect(err.cause.cause.stack).toContain("BudgetExceeded");
  });

  test("levels filter, and child loggers keep their bound fields", async () => {
    const { lines, logger } = capture("info");
    const child = logger.child({ job: "a" }).child({ gateway: "http://g:1" });
    child.debug("hidden");
    child.info({ cursor: 3 }, "relayed");
    await new Promise((r) => setImmediate(r));
    expect(lines).toEqual([expect.objectContaining({ level: "info", service: "probe", job: "a", gateway: "http://g:1", cursor: 3, msg: "relayed" })]);
  });
});

describe("serializeError", () => {
  test("cycles, non-Error causes and aggregate errors", () => {
    const a = new Error("a");
    const b = new Error("b", { cause: a });
    (a as { cause?: unknown }).cause = b;
    expect(serializeError(b)).toMatchObject({ message: "b", cause: { message: "a", cause: "[Circular]" } });
    expect(serializeError(new Error("x", { cause: { code: 7n } }))).toMatchObject({ cause: { code: "7" } });
    expect(serializeError(new AggregateError([new Error("one"), "two"], "both"))).toMatchObject({ errors: [{ message: "one" }, "two"] });
    expect(serializeError("plain")).toBe("plain");
  });
});
