import { readFileSync } from "node:fs";
import { runLoad } from "./load.js";
const { url, key } = JSON.parse(readFileSync("/tmp/gw.json", "utf8"));
const c = Number(process.argv[2] ?? 32);
const r = await runLoad({ url: `${url}/v1/chat/completions`, headers: { authorization: `Bearer ${key}` }, body: (i) => JSON.stringify({ model: "cogito-8b", messages: [{ role: "user", content: `hello ${i}` }], max_tokens: 256 }), concurrency: c, durationMs: 5000 });
console.log(r);
