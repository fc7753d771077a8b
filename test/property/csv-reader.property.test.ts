import fc from "fast-check";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseCsv } from "../../src/audience/index.js";
import { loadManifests } from "../../src/manifest/index.js";
import { BASE_FRONT, BASE_MANIFEST, HEADER, KEY, PLANTED, ROWS, csv } from "../hostile/cases.js";
import { SEED, assertNoInternalError, mutate, mutations, withinMs } from "./helpers.js";

/**
 * The CSV reader on random bytes, and the audience preflight (through the manifest loader, which
 * words the column messages) on random mutations of a valid audience in every line-ending style:
 * never an internal error, never a hang, never a recipient's cell in a message or the report.
 */

const dir = mkdtempSync(join(tmpdir(), "ccprop-csv"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(join(dir, "front.html"), BASE_FRONT);
writeFileSync(join(dir, "campaign.yaml"), BASE_MANIFEST);

const CSV_TOKENS = [
  ",",
  '"',
  '""',
  "\n",
  "\r",
  "\r\n",
  "\0",
  "\u00ff",
  "\u00c3",
  " ",
  "\t",
  "\u00ef\u00bb\u00bf",
  "zip_code",
  "city",
];

function chunksOf(bytes: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, i + size));
  return out;
}

describe("CSV reader properties (fast-check, fixed seed)", () => {
  it("random bytes in random chunks: a result or a problem, never a throw or a hang", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 2000 }),
        fc.integer({ min: 1, max: 64 }),
        async (bytes, size) => {
          let rows = 0;
          const result = await withinMs(
            5_000,
            parseCsv(chunksOf(bytes, size), () => void rows++),
          );
          expect(result.records).toBe(rows);
          if (result.problem !== null) expect(result.problem.message).not.toMatch(/[\u0080-\uffff]/);
        },
      ),
      { seed: SEED, numRuns: 300 },
    );
  });

  it("mutated audiences: never an internal error, a hang, or a cell in any message", async () => {
    const styles = ["\n", "\r\n", "\r"] as const;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...styles), mutations(CSV_TOKENS), async (eol, changes) => {
        const bytes = mutate(Buffer.from(csv(ROWS, eol, HEADER)), changes);
        writeFileSync(join(dir, "audience.csv"), bytes);
        let text = "";
        try {
          const result = await withinMs(5_000, loadManifests([dir], { cwd: dir, env: { LOB_API_KEY: KEY } }));
          text = JSON.stringify([result.diagnostics, [...result.preflight.values()]]);
        } catch (error) {
          assertNoInternalError(error);
          text = String((error as Error).message);
        }
        expect(text).not.toContain(PLANTED);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });
});
