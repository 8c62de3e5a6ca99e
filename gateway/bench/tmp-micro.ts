import { countPromptTokens } from "../src/tokenizer.js";
import { parseChatRequest } from "../src/http/schemas.js";
import { SimulatedBackend } from "../src/backends/simulated.js";
import { requestHashOf } from "../src/receipts/usage.js";
import { encodeRecord } from "../src/receipts/log.js";
const body = { model: "cogito-8b", messages: [{ role: "user", content: "hello 1234" }], max_tokens: 256 };
const sim = new SimulatedBackend({ kind: "simulated", seed: "x", profiles: {}, latencyMs: 0, streamChunkTokens: 16, interChunkDelayMs: 0 });
function time(name: string, f: (i: number) => unknown, n = 5000) { for (let i = 0; i < 200; i++) f(i); const t = performance.now(); for (let i = 0; i < n; i++) f(i); console.log(name, ((performance.now() - t) / n * 1000).toFixed(1), "us"); }
time("zod", () => parseChatRequest(JSON.parse(JSON.stringify(body))));
time("tokens", (i) => countPromptTokens([{ role: "user", content: `hello ${i}` }]));
time("sim", (i) => sim.simulate({ model: "m", messages: [{ role: "user", content: `hello ${i}` }], maxTokens: 256, params: {} }));
time("hash", (i) => requestHashOf(`id${i}`, Buffer.from("x".repeat(200)), "some content ".repeat(20)));
time("record", (i) => encodeRecord({ k: "r", i, id: "chatcmpl-0123456789abcdef01234567", m: "1", s: "1", q: String(i), in: 10, out: 100, rs: 500, h: "0x" + "ab".repeat(32), c: "123", t: Date.now() }));
