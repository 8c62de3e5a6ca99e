#!/usr/bin/env node
// Sums every forge, vitest and contract-size summary in a test log into one closing line: `N passed, N failed`.
// A failing command that printed no summary counts as one failure, so a broken step can never look green.
import { readFileSync } from "node:fs";

const [logPath, exitStatus = "0"] = process.argv.slice(2);
const text = readFileSync(logPath, "utf8").replace(/\x1b\[[0-9;]*m/g, "");
let passed = 0;
let failed = 0;
let summaries = 0;

// forge: "Ran 4 test suites in 1.2s (3.4s CPU time): 50 tests passed, 1 failed, 0 skipped (51 total tests)"
for (const m of text.matchAll(/Ran \d+ test suites? in .*?: (\d+) tests passed, (\d+) failed/g)) {
  passed += Number(m[1]);
  failed += Number(m[2]);
  summaries++;
}
// vitest: "      Tests  2 failed | 12 passed (14)" or "      Tests  14 passed (14)"
for (const m of text.matchAll(/^\s*Tests\s+(.*)\(\d+\)\s*$/gm)) {
  const f = /(\d+) failed/.exec(m[1]);
  const p = /(\d+) passed/.exec(m[1]);
  failed += f ? Number(f[1]) : 0;
  passed += p ? Number(p[1]) : 0;
  summaries++;
}
// contract sizes (tools/check-sizes.mjs): "sizes: 12 passed, 1 failed"
for (const m of text.matchAll(/^sizes: (\d+) passed, (\d+) failed$/gm)) {
  passed += Number(m[1]);
  failed += Number(m[2]);
  summaries++;
}
if (exitStatus !== "0" && failed === 0) failed = 1;
console.log(`${passed} passed, ${failed} failed`);
