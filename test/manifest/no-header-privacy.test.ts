import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadManifests } from "../../src/manifest/index.js";

const EXAMPLE = new URL("../../examples/postcard/", import.meta.url);
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** The example's audience with its header row removed: the first row is now a recipient. */
function workspaceWithoutHeader(): { dir: string; cells: string[] } {
  const dir = mkdtempSync(join(tmpdir(), "campaignctl-nohdr-"));
  dirs.push(dir);
  cpSync(new URL("campaign.yaml", EXAMPLE), join(dir, "campaign.yaml"));
  cpSync(new URL("front.html", EXAMPLE), join(dir, "front.html"));
  const [, ...rows] = readFileSync(new URL("audience.csv", EXAMPLE), "utf8").trimEnd().split("\n");
  // A cell with characters headers may not have, as real addresses do.
  rows[0] = rows[0]!.replace("1200 Maple Ave", "1200 Maple Ave #4");
  writeFileSync(join(dir, "audience.csv"), `${rows.join("\n")}\n`);
  const cells = rows[0]!.split(",").filter((cell) => cell.length >= 3);
  return { dir, cells };
}

describe("an audience file without a header row", () => {
  it("is reported by column numbers, never by the first recipient's cells", async () => {
    const { dir, cells } = workspaceWithoutHeader();
    const result = await loadManifests([dir], { cwd: dir, env: {} });
    const codes = new Set(result.diagnostics.map((d) => d.code));
    expect(codes.has("COLUMN_MISSING")).toBe(true);
    expect(codes.has("HEADER_CHARACTERS")).toBe(true);
    const text = JSON.stringify(result.diagnostics);
    expect(text).toContain("does not allow in header names ('#')");
    expect(text).toContain("its content is not shown");
    for (const cell of cells) expect(text, "a recipient's cell was echoed").not.toContain(cell);
  });
});
