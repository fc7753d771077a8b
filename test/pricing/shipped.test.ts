import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { BUNDLED_TABLE_URL, loadBundledPriceTable } from "../../src/pricing/table.js";

const ROOT = new URL("../../", import.meta.url);

describe("the price table ships with the package", () => {
  it("lives in data/, which package.json's files include (so npm pack and installs carry it)", () => {
    expect(fileURLToPath(BUNDLED_TABLE_URL)).toBe(fileURLToPath(new URL("data/prices.v1.json", ROOT)));
    const pkg = JSON.parse(readFileSync(new URL("package.json", ROOT), "utf8")) as { files: string[] };
    expect(pkg.files).toContain("data");
    expect(pkg.files).toContain("dist");
  });

  it("passes its own schema (schemas/prices.v1.schema.json)", async () => {
    const table = await loadBundledPriceTable();
    expect(table.prices.length).toBeGreaterThanOrEqual(17);
    expect(new Set(table.prices.map((r) => r.tier))).toEqual(new Set(["developer", "startup", "growth"]));
  });
});
