import fc from "fast-check";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadManifests } from "../../src/manifest/index.js";
import { BASE_FRONT, BASE_MANIFEST, HEADER, KEY, PLANTED, ROWS, csv } from "../hostile/cases.js";
import { SEED, assertNoInternalError, mutate, mutations, withinMs } from "./helpers.js";

/**
 * The manifest loader on random bytes and on random mutations of a valid manifest: it always
 * returns diagnostics (or a CampaignctlError), never an internal error, never hangs, and never
 * echoes an audience cell or the API key.
 */

const dir = mkdtempSync(join(tmpdir(), "ccprop-manifest"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(join(dir, "front.html"), BASE_FRONT);
writeFileSync(join(dir, "audience.csv"), csv(ROWS, "\n", HEADER));

const YAML_TOKENS = [
  ":",
  ": ",
  "- ",
  "\n",
  "\r",
  "\r\n",
  "  ",
  "\t",
  '"',
  "'",
  "{",
  "}",
  "[",
  "]",
  ",",
  "&a ",
  "*a",
  "<<: *a\n",
  "!!binary ",
  "!!str ",
  "? ",
  "|\n",
  ">-\n",
  "#",
  "---\n",
  "...\n",
  "%YAML 1.1\n",
  "\\0",
  "\0",
  "\u00ff",
  "\u00ef\u00bb\u00bf",
  "${env:LOB_API_KEY}",
  "${env:COPY}",
  "${env:MISSING}",
  "${env:FLAG}",
  "./audience.csv",
  "zip_code",
  "recipient",
  "/etc/passwd",
  "../../",
];
const ENV = { LOB_API_KEY: KEY, COPY: KEY, FLAG: "true" };

async function loadText(bytes: Uint8Array): Promise<void> {
  writeFileSync(join(dir, "campaign.yaml"), bytes);
  let text = "";
  try {
    const result = await withinMs(5_000, loadManifests([dir], { cwd: dir, env: ENV }));
    text = JSON.stringify(result.diagnostics);
  } catch (error) {
    assertNoInternalError(error);
    text = String((error as Error).message);
  }
  expect(text).not.toContain(PLANTED);
  expect(text).not.toContain(KEY);
}

describe("manifest loader properties (fast-check, fixed seed)", () => {
  it("random bytes: diagnostics, never an internal error, a hang or a leak", async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 1500 }), (bytes) => loadText(bytes)),
      { seed: SEED, numRuns: 150 },
    );
  });

  it("mutations of a valid manifest: the same", async () => {
    const base = Buffer.from(BASE_MANIFEST);
    await fc.assert(
      fc.asyncProperty(mutations(YAML_TOKENS), (changes) => loadText(mutate(base, changes))),
      { seed: SEED, numRuns: 250 },
    );
  });

  it("the unmutated base manifest is valid (so mutations start from a working file)", async () => {
    writeFileSync(join(dir, "campaign.yaml"), BASE_MANIFEST);
    const result = await loadManifests([dir], { cwd: dir, env: ENV });
    expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(result.manifests).toHaveLength(1);
  });
});
