import { describe, expect, it } from "vitest";
import { preflightAudience } from "../../src/audience/index.js";
import { LOBSTER_CSV as LOBSTER, LOBSTER_MAPPING as mapping } from "../support/lobster.js";

describe("Lob's lobster-family fixture", () => {
  it("has 10 rows, 9 pass, row 10 misses city and zip", async () => {
    const report = await preflightAudience({ file: LOBSTER, displayFile: "lobster-family.csv", mapping });
    expect(report.header).toEqual(["recipient", "primary line", "city", "state", "zip_code"]);
    expect(report.totalRows).toBe(10);
    expect(report.passingRows).toBe(9);
    expect(report.failingRows).toBe(1);
    expect(report.failures.map((f) => [f.code, f.column, f.firstRows])).toEqual([
      ["address_city_missing", "city", [10]],
      ["address_zip_missing", "zip_code", [10]],
    ]);
    expect(report.missingColumns).toEqual([]);
    expect(report.diagnostics.every((d) => d.severity === "warning" && d.code === "ROWS_FAILING")).toBe(true);
    expect(report.diagnostics.map((d) => d.line)).toEqual([11, 11]);
  });
});
