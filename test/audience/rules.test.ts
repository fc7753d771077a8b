import { describe, expect, it } from "vitest";
import { compileAudienceRules, describeRowFailure } from "../../src/audience/index.js";
import type { RowFailureCode } from "../../src/audience/index.js";
import { HEADER, aMapping, aRow } from "./helpers.js";

const rules = compileAudienceRules(aMapping(), HEADER);
const codes = (overrides: Record<string, string>): RowFailureCode[] =>
  rules.checkRow(aRow(overrides)).map((f) => f.code);

describe("Lob's per-row rules", () => {
  it("passes a valid row", () => {
    expect(rules.checkRow(aRow())).toEqual([]);
  });

  it.each([
    ["recipient", 40, "name_too_long"],
    ["primary line", 64, "address_line1_too_long"],
    ["secondary line", 64, "address_line2_too_long"],
    ["city", 200, "address_city_too_long"],
    ["company", 40, "company_too_long"],
    ["note", 500, "metadata_too_long"],
  ] as const)("%s: %i characters pass, one more fails with %s", (column, max, code) => {
    expect(codes({ [column]: "a".repeat(max) })).toEqual([]);
    expect(codes({ [column]: "a".repeat(max + 1) })).toEqual([code]);
  });

  it("counts characters, not bytes or UTF-16 units", () => {
    expect(codes({ recipient: "é".repeat(40) })).toEqual([]);
    expect(codes({ recipient: "😀".repeat(40) })).toEqual([]);
    expect(codes({ recipient: "😀".repeat(41) })).toEqual(["name_too_long"]);
  });

  it("trims before checking, as Lob does", () => {
    expect(codes({ recipient: `  ${"a".repeat(40)}\t `, state: " CA ", zip_code: " 94107 " })).toEqual([]);
    expect(codes({ recipient: "   " })).toEqual(["name_missing"]);
    expect(codes({ recipient: "\u00a0\u00a0" })).toEqual(["name_missing"]);
  });

  it.each([
    ["recipient", "name_missing"],
    ["primary line", "address_line1_missing"],
    ["city", "address_city_missing"],
    ["state", "address_state_missing"],
    ["zip_code", "address_zip_missing"],
    ["first_name", "merge_variable_empty"],
  ] as const)("an empty %s fails with %s", (column, code) => {
    expect(codes({ [column]: "" })).toEqual([code]);
  });

  it("optional fields may be empty", () => {
    expect(codes({ company: "", "secondary line": "", country: "", note: "" })).toEqual([]);
  });

  it.each(["CA", "ca", "Ny", "DC", "PR", "VI", "GU", "AS", "MP", "AA", "AE", "AP"])(
    "state %s is valid",
    (state) => {
      expect(codes({ state })).toEqual([]);
    },
  );

  it.each(["XX", "C", "CAL", "California", "C1", "ÇA", "U.S"])("state %s is invalid", (state) => {
    expect(codes({ state })).toEqual(["address_state_invalid"]);
  });

  it.each(["94107", "94107-1234", "00501"])("zip %s is valid", (zip) => {
    expect(codes({ zip_code: zip })).toEqual([]);
  });

  it.each(["9410", "941077", "94107-123", "94107 1234", "94107-12345", "abcde", "9410７"])(
    "zip %s is invalid",
    (zip) => {
      expect(codes({ zip_code: zip })).toEqual(["address_zip_invalid"]);
    },
  );

  it.each(["US", "gb", "Ca", "PR"])("country %s is valid", (country) => {
    expect(codes({ country })).toEqual([]);
  });

  it.each(["XX", "USA", "U", "UK", "E1"])("country %s is invalid", (country) => {
    expect(codes({ country })).toEqual(["address_country_invalid"]);
  });

  it("reports every failing field of a row", () => {
    expect(codes({ recipient: "", zip_code: "1", state: "ZZ" }).sort()).toEqual(
      ["address_state_invalid", "address_zip_invalid", "name_missing"].sort(),
    );
  });

  it("a different field count is a column_count failure, and only that", () => {
    expect(rules.checkRow(aRow().slice(1))).toEqual([{ code: "column_count", column: "" }]);
    expect(rules.checkRow([...aRow(), "extra"])).toEqual([{ code: "column_count", column: "" }]);
  });

  it("skips fields whose mapping is null", () => {
    const loose = compileAudienceRules(
      aMapping({
        requiredAddressColumnMapping: {
          name: null,
          address_line1: "primary line",
          address_city: "city",
          address_state: "state",
          address_zip: "zip_code",
        },
        optionalAddressColumnMapping: { address_line2: null, company: null, address_country: null },
        mergeVariableColumnMapping: null,
        metadata: { columns: [] },
      }),
      HEADER,
    );
    expect(
      loose.checkRow(aRow({ recipient: "", company: "x".repeat(99), country: "XX", first_name: "" })),
    ).toEqual([]);
  });

  it("lists mapped columns the header lacks and skips their rules", () => {
    const header = HEADER.filter((h) => h !== "zip_code" && h !== "first_name");
    const partial = compileAudienceRules(aMapping({ metadata: { columns: ["note", "segment"] } }), header);
    expect(partial.missingColumns).toEqual([
      { mappingPath: "requiredAddressColumnMapping.address_zip", column: "zip_code" },
      { mappingPath: "mergeVariableColumnMapping.first_name", column: "first_name" },
      { mappingPath: "metadata.columns[1]", column: "segment" },
    ]);
    const row = aRow();
    const cells = header.map((h) => row[HEADER.indexOf(h)]!);
    expect(partial.checkRow(cells)).toEqual([]);
  });

  it("a merge variable named like an address field is checked on the address column, once", () => {
    const mapped = compileAudienceRules(
      aMapping({
        mergeVariableColumnMapping: { name: "first_name", greeting: "first_name", first: "first_name" },
      }),
      HEADER,
    );
    expect(mapped.checkRow(aRow({ first_name: "" })).map((f) => f.code)).toEqual(["merge_variable_empty"]);
    // "name" reads the recipient column, whose own rule reports it empty.
    expect(mapped.checkRow(aRow({ recipient: "" })).map((f) => f.code)).toEqual(["name_missing"]);
    const optional = compileAudienceRules(
      aMapping({ mergeVariableColumnMapping: { company: "first_name" } }),
      HEADER,
    );
    expect(optional.checkRow(aRow({ company: "" }))).toEqual([
      { code: "merge_variable_empty", column: "company" },
    ]);
  });
});

describe("describeRowFailure", () => {
  it("names the Lob field and the column, never a value", () => {
    expect(describeRowFailure({ code: "address_zip_invalid", column: "zip_code" })).toBe(
      "address_zip (column 'zip_code') must be 12345 or 12345-6789",
    );
    expect(describeRowFailure({ code: "name_too_long", column: "recipient" })).toBe(
      "name (column 'recipient') is longer than 40 characters",
    );
    expect(describeRowFailure({ code: "merge_variable_empty", column: "first_name" }, aMapping())).toBe(
      "merge variable first_name (column 'first_name') is empty",
    );
    expect(describeRowFailure({ code: "column_count", column: "" })).toMatch(/number of fields/);
  });
});
