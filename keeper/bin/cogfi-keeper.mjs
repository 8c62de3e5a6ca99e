#!/usr/bin/env node
// Loads the TypeScript sources through tsx (the repo runs TypeScript directly, without a build step).
import { register } from "tsx/esm/api";

register();
await import("../src/main.ts");
