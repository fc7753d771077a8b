import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compareText, formatCount, formatDecimal } from "../../src/core/en-us.js";

// Differential tests: src/core/en-us.ts replaces toLocaleString("en-US") and localeCompare
// (to keep ICU's data out of memory), so it must give exactly their output.

const EDGES = [
  0,
  -0,
  1,
  -1,
  0.5,
  1.005,
  0.125,
  0.0005,
  0.00049,
  4.35,
  999.9995,
  999.99949,
  1000,
  9999.5,
  12345.678,
  -1234.5,
  0.909,
  1.04,
  2.675,
  1e15,
  123456789012345.67,
  9007199254740991,
  1e20,
  9.999999999999999e20,
  Number.MIN_VALUE,
  -Number.MIN_VALUE,
  5e-7,
  1e21,
  1.5e300,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
];

const byIcu = (n: number, min: number, max: number) =>
  n.toLocaleString("en-US", { minimumFractionDigits: min, maximumFractionDigits: max });

describe("formatDecimal / formatCount (against toLocaleString('en-US'))", () => {
  it("matches on edge cases: rounding ties, -0, tiny, huge and non-finite numbers", () => {
    for (const n of EDGES) {
      for (const [min, max] of [
        [0, 3],
        [2, 2],
        [2, 4],
        [0, 0],
      ] as const) {
        expect(formatDecimal(n, min, max), `${n} (${min}, ${max})`).toBe(byIcu(n, min, max));
      }
      expect(formatCount(n), String(n)).toBe(n.toLocaleString("en-US"));
    }
  });

  it("matches on random doubles, integers and cent amounts", () => {
    const settings = fc.constantFrom<[number, number]>([0, 3], [2, 2], [2, 4], [0, 0], [1, 5]);
    fc.assert(
      fc.property(fc.double({ noNaN: false }), settings, (n, [min, max]) => {
        expect(formatDecimal(n, min, max)).toBe(byIcu(n, min, max));
      }),
      { numRuns: 5000 },
    );
    fc.assert(
      fc.property(fc.integer({ min: -1e12, max: 1e12 }), (n) => {
        expect(formatCount(n)).toBe(n.toLocaleString("en-US"));
        expect(formatDecimal(n / 100, 2, 2)).toBe(byIcu(n / 100, 2, 2));
        expect(formatDecimal(n / 1000, 2, 4)).toBe(byIcu(n / 1000, 2, 4));
      }),
      { numRuns: 5000 },
    );
  });

  it("groups thousands only where there are more than three digits", () => {
    expect(formatCount(999)).toBe("999");
    expect(formatCount(1000)).toBe("1,000");
    expect(formatCount(1234567)).toBe("1,234,567");
    expect(formatDecimal(1234.5, 2, 2)).toBe("1,234.50");
  });
});

describe("compareText (against localeCompare)", () => {
  const sign = (n: number) => Math.sign(n);
  // Few characters, so that strings share prefixes and differ by case: where ICU's levels matter.
  const near = fc.string({ unit: fc.constantFrom(..."aAbB-_ .0/Zz~".split("")), maxLength: 8 });
  const printable = fc.string({
    unit: fc.integer({ min: 32, max: 126 }).map((c) => String.fromCharCode(c)),
    maxLength: 10,
  });

  it("orders random printable ASCII exactly as localeCompare does", () => {
    for (const arb of [near, printable]) {
      fc.assert(
        fc.property(arb, arb, (a, b) => {
          expect(sign(compareText(a, b)), `${JSON.stringify(a)} vs ${JSON.stringify(b)}`).toBe(
            sign(a.localeCompare(b)),
          );
        }),
        { numRuns: 20000 },
      );
    }
  });

  it("orders keys, paths and text beyond ASCII as localeCompare does", () => {
    const texts = [
      "a-1",
      "a1",
      "a",
      "a-",
      "a--b",
      "a0",
      "ab",
      "a-b",
      "z",
      "0",
      "9-z",
      "many-00010",
      "many-00009",
      "B.yaml",
      "a.yaml",
      "A.yaml",
      "campaigns/b/campaign.yaml",
      "campaigns/a_b/campaign.yaml",
      "campaigns/a-b/campaign.yaml",
      "Ab",
      "aB",
      "ab",
      "AB",
      "é.yaml",
      "e.yaml",
      "f.yaml",
      "tab\there",
      "",
      " ",
      "café",
      "cafe",
    ];
    expect([...texts].sort(compareText)).toEqual([...texts].sort((a, b) => a.localeCompare(b)));
  });
});
