import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

/**
 * campaignctl as a library: `import('campaignctl')` (dist/index.js through the package's exports)
 * must not load the emulator or its body parsers (busboy, qs); they have their own entry,
 * `campaignctl/emulator`. A child process imports the built package with a loader hook that
 * records every module it resolves. Needs `npm run build` (npm test runs it first).
 */
const ROOT = fileURLToPath(new URL("../", import.meta.url));
const RECORDER = fileURLToPath(new URL("./support/record-imports.mjs", import.meta.url));
const EMULATOR_MODULES = /^(dist\/emulator\/|node_modules\/(busboy|qs)\/)/;

/** The files (relative to the repository) a fresh node process resolves while running `code`. */
function filesLoadedBy(code: string): string[] {
  const dir = mkdtempSync(join(tmpdir(), "campaignctl-imports-"));
  const record = join(dir, "imports.txt");
  try {
    execFileSync(process.execPath, ["--import", RECORDER, "--input-type=module", "-e", code], {
      cwd: ROOT,
      env: { ...process.env, CAMPAIGNCTL_RECORD_IMPORTS: record },
      stdio: ["ignore", "ignore", "pipe"],
    });
    return readFileSync(record, "utf8")
      .split("\n")
      .filter((url) => url.startsWith("file:"))
      .map((url) => relative(ROOT, fileURLToPath(url)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("the library entry", () => {
  it("import('campaignctl') loads neither the emulator nor busboy nor qs", () => {
    const loaded = filesLoadedBy(
      'const lib = await import("campaignctl"); if (typeof lib.plan !== "function") process.exit(9);',
    );
    expect(loaded).toContain("dist/index.js");
    expect(loaded.filter((file) => EMULATOR_MODULES.test(file))).toEqual([]);
  });

  it("import('campaignctl/emulator') is where they load (so the check above can fail)", () => {
    const loaded = filesLoadedBy(
      'const emu = await import("campaignctl/emulator"); if (typeof emu.startEmulator !== "function") process.exit(9);',
    );
    expect(loaded).toContain("dist/emulator/index.js");
    expect(loaded.some((file) => file.startsWith("node_modules/busboy/"))).toBe(true);
    expect(loaded.some((file) => file.startsWith("node_modules/qs/"))).toBe(true);
  });
});
