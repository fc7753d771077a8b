import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import pixelmatch from "pixelmatch";
import { PNG } from "pngjs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadManifests } from "../../src/manifest/index.js";
import { browserLauncher } from "../../src/proof/browser.js";
import { runProofs } from "../../src/proof/run.js";
import type { Workspace } from "../support/workspace.js";
import { audienceCells, makeWorkspace, runInProcess } from "../support/workspace.js";

/**
 * `campaignctl proof` end to end, in process: privacy (no recipient value in any output; --redact
 * proofs hold none either), exit codes, one browser per run. No API key in the environment.
 */
const BACK = `<html><body style="margin:0;font-family:'Open Sans'">
<p class="greeting" style="position:absolute;left:0.5in;top:0.5in;font-size:30px">Dear {{first_name}}</p>
<p class="code" style="position:absolute;left:0.5in;top:1.5in;font-size:30px">{{discount_code}}</p>
</body></html>`;

let ws: Workspace;
let cells: string[];
const env = { PATH: process.env["PATH"] ?? "", HOME: process.env["HOME"] ?? "" };
const proof = (...args: string[]) =>
  runInProcess(["proof", ws.manifest("promo"), ...args], { cwd: ws.dir, env });

beforeEach(() => {
  ws = makeWorkspace();
  writeFileSync(join(ws.dir, "back.html"), BACK);
  ws.addCampaign("promo", (y) => y.replace("back: tmpl_c94e83ca2cd5121", "back: ./back.html"));
  cells = audienceCells(join(ws.dir, "audience.csv"));
});
afterEach(() => ws.cleanup());

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

const leaks = (text: string) => cells.filter((cell) => text.includes(cell));

describe("campaignctl proof", () => {
  it("renders a sample of 3 valid rows per side, writes a contact sheet, warns about personal data, prints no value", async () => {
    const run = await proof("--out", "proofs");
    expect(run.code).toBe(0);
    expect(run.stdout.trim()).toBe(join("proofs", "index.html"));
    expect(run.stderr).toContain("proofs contain recipients' personal data");
    const pngs = filesUnder(join(ws.dir, "proofs")).filter((f) => f.endsWith(".png"));
    expect(pngs.map((f) => f.slice(f.lastIndexOf("/") + 1)).sort()).toEqual([
      "back-row1.png",
      "back-row11.png",
      "back-row6.png",
      "front-row1.png",
      "front-row11.png",
      "front-row6.png",
    ]);
    const index = readFileSync(join(ws.dir, "proofs", "index.html"), "utf8");
    expect(index).toContain("row 6");
    expect(index).toContain("back-row6.png");
    expect(leaks(index)).toEqual([]);
    expect(leaks(run.stdout + run.stderr)).toEqual([]);
  }, 60_000);

  it("--redact renders the column's name instead of the value: a different image, and no value anywhere", async () => {
    const real = await proof("--out", "real", "--rows", "1");
    const redacted = await proof("--out", "shared", "--rows", "1", "--redact", "--format", "both");
    expect([real.code, redacted.code]).toEqual([0, 0]);
    expect(redacted.stderr).not.toContain("personal data");
    const a = PNG.sync.read(readFileSync(join(ws.dir, "real", "promo", "back-row1.png")));
    const b = PNG.sync.read(readFileSync(join(ws.dir, "shared", "promo", "back-row1.png")));
    expect(pixelmatch(a.data, b.data, undefined, a.width, a.height, { threshold: 0.1 })).toBeGreaterThan(500);
    const files = filesUnder(join(ws.dir, "shared"));
    expect(files.some((f) => f.endsWith(".pdf"))).toBe(true);
    for (const file of files) {
      const bytes = readFileSync(file);
      // PDF text is hex-encoded glyph ids, PNGs are pixels: check the bytes as text and as latin1.
      expect(leaks(bytes.toString("utf8")), file).toEqual([]);
      expect(leaks(bytes.toString("latin1")), file).toEqual([]);
    }
    expect(leaks(redacted.stdout + redacted.stderr)).toEqual([]);
  }, 60_000);

  it("starts the browser once per run, not once per proof", async () => {
    const loaded = await loadManifests([ws.manifest("promo")], { cwd: ws.dir, env, preflight: false });
    let launches = 0;
    const launch = browserLauncher(process.env);
    const outcome = await runProofs({
      manifests: loaded.manifests,
      rows: { sample: 3 },
      outDir: join(ws.dir, "once"),
      formats: ["png"],
      guides: false,
      redact: true,
      shown: (f) => f,
      launch: async () => {
        launches++;
        return launch();
      },
    });
    expect(outcome.proofs).toHaveLength(6);
    expect(launches).toBe(1);
  }, 60_000);

  it("exits 1 for a row that does not exist, an external stylesheet, or no --out", async () => {
    const missingRow = await proof("--out", "p", "--rows", "2,99");
    expect(missingRow.code).toBe(1);
    expect(missingRow.stderr).toMatch(/has 12 rows; no row 99/);

    writeFileSync(
      join(ws.dir, "back.html"),
      BACK.replace("<body", `<head><link rel="stylesheet" href="https://cdn.example.com/a.css"></head><body`),
    );
    const stylesheet = await proof("--out", "p", "--rows", "1");
    expect(stylesheet.code).toBe(1);
    expect(stylesheet.stderr).toMatch(/Error: promo back row 1: the artwork links 1 external stylesheet/);

    const noOut = await proof();
    expect(noOut.code).toBe(1);
    expect(noOut.stderr).toContain("proof needs --out DIR");
  }, 60_000);

  it("keeps exit 0 with layout warnings; merge_strictness strict makes a missing variable an error", async () => {
    // Row 1 has no secondary line: the variable is empty there.
    writeFileSync(join(ws.dir, "back.html"), BACK.replace("{{discount_code}}", "{{line2}}"));
    ws.editCampaign("promo", (y) =>
      y.replace("discount_code: code", "discount_code: code\n    line2: secondary line"),
    );
    const relaxed = await proof("--out", "p", "--rows", "1", "--sandbox");
    expect(relaxed.code).toBe(0);
    expect(relaxed.stderr).toContain("Warning: promo back row 1: merge variable {{line2}} has no value");
    ws.editCampaign("promo", (y) => `${y}\nmerge_strictness: strict\n`);
    const strict = await proof("--out", "p", "--rows", "1");
    expect(strict.code).toBe(1);
    expect(strict.stderr).toContain("Error: promo back row 1: merge variable {{line2}}");
  }, 60_000);
});
