import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { z } from "zod";
import {
  ConfigError,
  chainIdField,
  durationMsField,
  envBool,
  envList,
  loadConfig,
  logLevelField,
  parseConfig,
  parseConfigFlags,
  portField,
  privateKeyField,
  rpcUrlField,
} from "./config.js";

const schema = z
  .object({
    rpcUrl: rpcUrlField(),
    chainId: chainIdField(),
    privateKey: privateKeyField(),
    http: z.object({ host: z.string().default("127.0.0.1"), port: portField().default(8_788) }).strict().default({}),
    pollMs: durationMsField(50).default(2_000),
    gateways: z.array(z.string().url()).default([]),
    logLevel: logLevelField(),
  })
  .strict();

const KEY = `0x${"11".repeat(32)}`;

describe("parseConfig", () => {
  test("one error lists every bad field by path, and never the values", () => {
    const secret = "0xdeadbeef";
    const error = (() => {
      try {
        parseConfig(schema, { rpcUrl: "nope", chainId: -3, privateKey: secret, http: { port: 70_000 }, pollMs: 10, logLevel: "loud", typo: 1 }, { name: "probe" });
      } catch (e) {
        return e;
      }
      throw new Error("expected a ConfigError");
    })();
    expect(error).toBeInstanceOf(ConfigError);
    const { message, problems } = error as ConfigError;
    expect(problems.map((p) => p.path).sort()).toEqual(["chainId", "config", "http.port", "logLevel", "pollMs", "privateKey", "rpcUrl"]);
    for (const problem of problems) expect(message).toContain(`${problem.path}: ${problem.message}`);
    expect(message).toMatch(/^invalid probe config:\n/);
    expect(message).toContain("typo");
    expect(message).not.toContain(secret);
  });

  test("a service's subclass is what it throws", () => {
    class ProbeConfigError extends ConfigError {
      override name = "ProbeConfigError";
    }
    expect(() => parseConfig(schema, {}, { name: "probe", Error: ProbeConfigError })).toThrow(ProbeConfigError);
  });

  test("numbers from env and flags are coerced and the defaults applied", () => {
    const config = parseConfig(schema, { rpcUrl: "http://127.0.0.1:1", chainId: "31337", privateKey: KEY, http: { port: "0" } }, { name: "probe" });
    expect(config).toEqual({ rpcUrl: "http://127.0.0.1:1", chainId: 31337, privateKey: KEY, http: { host: "127.0.0.1", port: 0 }, pollMs: 2_000, gateways: [], logLevel: "info" });
  });
});

describe("loadConfig", () => {
  test("defaults < file < env < flags, and undefined leaves override nothing", () => {
    const file = join(mkdtempSync(join(tmpdir(), "cogfi-config-")), "config.json");
    writeFileSync(file, JSON.stringify({ rpcUrl: "http://file:1", chainId: 5, http: { host: "0.0.0.0", port: 1 }, pollMs: 60 }));
    const flags = parseConfigFlags(["--config", file, "--port", "3"], { port: "http.port", "rpc-url": "rpcUrl" });
    expect(flags).toEqual({ file, layer: { http: { port: "3" } } });
    const config = loadConfig({
      name: "probe",
      schema,
      defaults: { rpcUrl: "http://default:1", chainId: 1, privateKey: KEY, logLevel: "warn" },
      file: flags.file,
      env: { chainId: "7", http: { port: "2", host: undefined }, pollMs: undefined, gateways: envList("http://a:1, http://b:2") },
      flags: flags.layer,
    });
    expect(config).toMatchObject({ rpcUrl: "http://file:1", chainId: 7, http: { host: "0.0.0.0", port: 3 }, pollMs: 60, logLevel: "warn", gateways: ["http://a:1", "http://b:2"] });
  });

  test("prepare completes the merged input before validation", () => {
    const config = loadConfig({ name: "probe", schema, defaults: { rpcUrl: "http://x:1", privateKey: KEY }, prepare: (input) => ({ ...input, chainId: 10 }) });
    expect(config.chainId).toBe(10);
  });

  test("an unreadable file and unknown flags are config errors naming them", () => {
    expect(() => loadConfig({ name: "probe", schema, file: "/nonexistent/cogfi.json" })).toThrow(/cannot read config file \/nonexistent\/cogfi\.json/);
    expect(() => parseConfigFlags(["--bogus", "1"], { port: "http.port" })).toThrow(ConfigError);
  });

  test("env helpers", () => {
    expect(envList(undefined)).toBeUndefined();
    expect(envList("")).toBeUndefined();
    expect(envBool(undefined)).toBeUndefined();
    expect([envBool("1"), envBool("TRUE"), envBool("0"), envBool("no")]).toEqual([true, true, false, false]);
  });
});
