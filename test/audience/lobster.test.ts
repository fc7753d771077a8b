import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { preflightAudience } from "../../src/audience/index.js";
import type { AudienceMapping } from "../../src/audience/index.js";

const LOBSTER = fileURLToPath(new URL("../fixtures/lob/lobster-family.csv", import.meta.url));

const mapping: AudienceMapping = {
  requiredAddressColumnMapping: {
    name: "recipient",
    address_line1: "primary line",
    address_city: "city",
    address_state: "state",
    address_zip: "zip_code",
  },
  optionalAddressColumnMapping: { address_line2: null, company: null, address_country: null },
  mergeVariableColumnMapping: null,
  metadata: { columns: [] },
};

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
