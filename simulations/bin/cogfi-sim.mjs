#!/usr/bin/env node
// cogfi-sim: loads the TypeScript CLI through tsx's loader (the package ships sources, as the sdk does).
import { register } from "tsx/esm/api";

register();
const { runCli } = await import("../src/cli.ts");
await runCli();
