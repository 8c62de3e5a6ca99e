// Types of tools/ensure-chromium.mjs for the TypeScript tests that import it.
/** Where the Debian package puts the browser. */
export declare const DEFAULT_CHROMIUM_PATH: string;
/** The one command that fixes a missing browser. */
export declare const ENSURE_COMMAND: string;
/** CHROMIUM_PATH when set (throws if it is not executable), else /usr/bin/chromium when present, else undefined. */
export declare function findChromium(env?: NodeJS.ProcessEnv): string | undefined;
