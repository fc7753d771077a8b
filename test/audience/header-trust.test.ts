import { describe, expect, it } from "vitest";
import { knownHeaderNames } from "../../src/audience/header-trust.js";
import type { AudienceMapping } from "../../src/audience/types.js";

const mapping: AudienceMapping = {
  requiredAddressColumnMapping: {
    name: "name",
    address_line1: "line1",
    address_city: "city",
    address_state: "state",
    address_zip: "zip",
  },
  optionalAddressColumnMapping: { address_line2: null, company: null, address_country: null },
  mergeVariableColumnMapping: { first_name: "first" },
  metadata: { columns: [] },
};

describe("knownHeaderNames", () => {
  it("trusts a real header with a typo: every cell may be shown", () => {
    const header = ["name", "line1", "city", "state", "zipcode", "first", "notes"];
    expect(knownHeaderNames(header, mapping, 7)).toEqual({ trusted: true, names: header, cells: 7 });
  });

  it("shows only mapped names from a first row that is a recipient", () => {
    const row = ["Ada Lovelace", "12 Analytical St", "city", "CA", "94107", "Ada"];
    expect(knownHeaderNames(row, mapping, 6)).toEqual({ trusted: false, names: ["city"], cells: 6 });
  });

  it("does not trust a header merged with the next row (more cells than the data rows)", () => {
    const merged = ["name", "line1", "city", "state", "zip", "first", "Ada Lovelace", "12 Main St"];
    expect(knownHeaderNames(merged, mapping, 6).trusted).toBe(false);
    expect(knownHeaderNames(merged, mapping, 6).names).toEqual([
      "name",
      "line1",
      "city",
      "state",
      "zip",
      "first",
    ]);
  });

  it("does not trust cells that cannot be header names (line breaks, long, odd characters)", () => {
    const base = ["name", "line1", "city", "state", "zip", "first"];
    for (const odd of ["no\rway", "x".repeat(200), "e-mail@home", ""]) {
      expect(knownHeaderNames([...base, odd], mapping, 7).trusted, JSON.stringify(odd)).toBe(false);
    }
  });
});
