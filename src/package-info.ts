import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/**
 * The package root, whether we run from `src/` (tests, via vitest) or from `dist/` (the built
 * CLI): both sit one level below it.
 */
export const PACKAGE_ROOT = fileURLToPath(new URL("../", import.meta.url));

let cachedVersion: string | undefined;

export function packageVersion(): string {
  cachedVersion ??= (
    JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }
  ).version;
  return cachedVersion;
}
