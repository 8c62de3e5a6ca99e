#!/usr/bin/env node
// Builds Morpho Blue from the npm package @morpho-org/morpho-blue with the compiler it pins (solc 0.8.19, the npm
// alias `solc-0819`) and the settings of its own build profile (via-IR, 999,999 optimizer runs, Paris, no metadata
// hash), into out/morpho-blue/Morpho.json ({ abi, bytecode }). The lending gas test deploys that artifact to measure
// Morpho Blue in the same harness as LendingMarket. The artifact is a build product under out/ (git-ignored): the
// third-party bytecode is never committed. Usage: `node tools/build-morpho-blue.mjs` (skips when up to date).
import { createRequire } from "node:module";
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const pkg = join(root, "node_modules", "@morpho-org", "morpho-blue");
const srcDir = join(pkg, "src");
const outFile = join(root, "out", "morpho-blue", "Morpho.json");

const SETTINGS = {
  viaIR: true,
  optimizer: { enabled: true, runs: 999_999 },
  evmVersion: "paris",
  metadata: { bytecodeHash: "none", appendCBOR: false },
  outputSelection: { "src/Morpho.sol": { Morpho: ["abi", "evm.bytecode.object"] } },
};

function sources(dir) {
  const found = {};
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (name === "mocks") continue;
      Object.assign(found, sources(path));
    } else if (name.endsWith(".sol")) {
      found[relative(pkg, path)] = { content: readFileSync(path, "utf8") };
    }
  }
  return found;
}

if (!existsSync(join(srcDir, "Morpho.sol"))) {
  console.error("build-morpho-blue: @morpho-org/morpho-blue is not installed: run npm ci");
  process.exit(1);
}
const version = JSON.parse(readFileSync(join(pkg, "package.json"), "utf8")).version;
const input = { language: "Solidity", sources: sources(srcDir), settings: SETTINGS };
const key = JSON.stringify({ version, settings: SETTINGS });
if (existsSync(outFile) && JSON.parse(readFileSync(outFile, "utf8")).key === key) {
  console.log(`build-morpho-blue: ${relative(root, outFile)} is up to date`);
  process.exit(0);
}

const solc = require(join(root, "node_modules", "solc-0819"));
if (!solc.version().startsWith("0.8.19+")) {
  console.error(`build-morpho-blue: solc-0819 answers ${solc.version()}, not 0.8.19`);
  process.exit(1);
}
const started = Date.now();
const output = JSON.parse(solc.compile(JSON.stringify(input)));
const errors = (output.errors ?? []).filter((e) => e.severity === "error");
if (errors.length > 0) {
  for (const e of errors) console.error(e.formattedMessage);
  process.exit(1);
}
const morpho = output.contracts["src/Morpho.sol"].Morpho;
mkdirSync(dirname(outFile), { recursive: true });
writeFileSync(outFile, JSON.stringify({ key, abi: morpho.abi, bytecode: `0x${morpho.evm.bytecode.object}` }));
console.log(
  `build-morpho-blue: Morpho Blue ${version} with solc ${solc.version()} in ${Math.round((Date.now() - started) / 1000)} s -> ${relative(root, outFile)}`,
);
