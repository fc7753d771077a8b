import { describe, expect, it } from "vitest";
import { makePriceBook, unitCostOf } from "../../src/pricing/estimate.js";
import { loadBundledPriceTable } from "../../src/pricing/table.js";
import type { PriceTable } from "../../src/pricing/table.js";
import type { PriceOverride } from "../../src/project/types.js";

const table = await loadBundledPriceTable();

function price(
  tier: string,
  resourceType: string,
  details: Record<string, unknown>,
  extra: { pages?: number; overrides?: PriceOverride[] } = {},
) {
  const book = makePriceBook(table, tier, extra.overrides ?? []);
  return unitCostOf(book, {
    resourceType,
    details,
    ...(extra.pages !== undefined ? { pages: extra.pages } : {}),
  });
}

const FC = "usps_first_class";

describe("the shipped price table (issue 13's figures, researched 2026-11)", () => {
  it("records its as_of date, its source and a confidence per row; 4x6 Developer is third-hand", () => {
    expect(table.as_of).toBe("2026-11");
    expect(table.source).toMatch(/2026-11/);
    expect(table.default_tier).toBe("developer");
    for (const row of [...table.prices, ...(table.adders ?? [])]) {
      expect(["published", "third_hand", "estimate", "unknown"]).toContain(row.confidence);
      expect(row.source.length).toBeGreaterThan(0);
    }
    const fourBySix = table.prices.find((r) => r.tier === "developer" && r.size === "4x6")!;
    expect(fourBySix).toMatchObject({ price: 0.909, confidence: "third_hand" });
    expect(fourBySix.source).toMatch(/2026-09-30/);
  });

  it.each([
    ["developer", "postcard", { size: "4x6" }, 0.909],
    ["developer", "postcard", { size: "6x9", mail_type: FC }, 1.04],
    ["developer", "postcard", { size: "6x9", mail_type: "usps_standard" }, 1.02],
    ["developer", "postcard", { size: "6x11" }, 1.32],
    ["developer", "self_mailer", { size: "6x18_bifold" }, 1.1],
    ["developer", "self_mailer", { size: "11x9_bifold" }, 1.3],
    ["developer", "self_mailer", { size: "12x9_bifold" }, 1.4],
    ["startup", "postcard", { size: "4x6" }, 0.573],
    ["startup", "postcard", { size: "6x9" }, 0.634],
    ["startup", "postcard", { size: "6x9", mail_type: "usps_standard" }, 0.613],
    ["startup", "postcard", { size: "6x11" }, 0.871],
    ["growth", "postcard", { size: "4x6" }, 0.543],
    ["growth", "postcard", { size: "6x9" }, 0.584],
    ["growth", "postcard", { size: "6x9", mail_type: "usps_standard" }, 0.563],
    ["growth", "postcard", { size: "6x11" }, 0.831],
  ] as const)("%s %s %o costs $%s a piece", (tier, product, details, expected) => {
    const cost = price(tier, product, details);
    expect(cost.unitPrice).toBe(expected);
    expect(cost).toMatchObject({ tier, asOf: "2026-11" });
  });

  it("names what it priced", () => {
    expect(price("developer", "postcard", { size: "6x9", mail_type: "usps_standard" }).basis).toBe(
      "postcard 6x9, usps_standard",
    );
  });
});

describe("letters", () => {
  it("1 page black and white $1.00, colour $1.15", () => {
    expect(price("developer", "letter", { color: false }, { pages: 1 }).unitPrice).toBe(1);
    expect(price("developer", "letter", { color: true }, { pages: 1 }).unitPrice).toBe(1.15);
  });

  it("adds $0.10 per extra black-and-white page and $0.20 per extra colour page", () => {
    expect(price("developer", "letter", { color: false }, { pages: 3 }).unitPrice).toBe(1.2);
    expect(price("developer", "letter", { color: true }, { pages: 3 }).unitPrice).toBe(1.55);
    expect(price("developer", "letter", { color: false }, { pages: 3 }).basis).toBe(
      "letter black and white, 3 pages, usps_first_class",
    );
  });

  it("is unknown without a page count, saying why", () => {
    const book = makePriceBook(table, "developer");
    const cost = unitCostOf(book, {
      resourceType: "letter",
      details: { color: false },
      pagesUnknownReason: "HTML is laid out into pages by Lob",
    });
    expect(cost.unitPrice).toBeNull();
    expect(cost.unknownReason).toBe("HTML is laid out into pages by Lob");
  });

  it("is unknown with an extra service the table has no price for, until an override gives one", () => {
    const certified = { color: false, extra_service: "certified" };
    const unknown = price("developer", "letter", certified, { pages: 1 });
    expect(unknown.unitPrice).toBeNull();
    expect(unknown.unknownReason).toMatch(/extra_service certified.*pricing\.overrides/);
    const known = price("developer", "letter", certified, {
      pages: 2,
      overrides: [{ adder: "extra_service", service: "certified", price: 4.5, at: "campaignctl.yaml:9:7" }],
    });
    expect(known.unitPrice).toBe(5.6);
  });
});

describe("tiers and overrides", () => {
  it("a product the tier has no price for is unknown, naming the tier and the fix", () => {
    const cost = price("startup", "self_mailer", { size: "6x18_bifold" });
    expect(cost.unitPrice).toBeNull();
    expect(cost.unknownReason).toMatch(/self_mailer 6x18_bifold, usps_first_class on tier startup/);
    expect(cost.unknownReason).toMatch(/pricing\.overrides/);
  });

  it("an override wins over the table: for the chosen tier, or for the tier it names (mail type defaults to first class)", () => {
    const overrides: PriceOverride[] = [
      { product: "postcard", size: "4x6", price: 0.55, at: "campaignctl.yaml:5:7" },
      { tier: "growth", product: "postcard", size: "6x9", price: 0.5, at: "campaignctl.yaml:6:7" },
    ];
    expect(price("developer", "postcard", { size: "4x6" }, { overrides }).unitPrice).toBe(0.55);
    expect(price("developer", "postcard", { size: "6x9" }, { overrides }).unitPrice).toBe(1.04);
    expect(price("growth", "postcard", { size: "6x9" }, { overrides }).unitPrice).toBe(0.5);
    expect(price("startup", "postcard", { size: "6x9" }, { overrides }).unitPrice).toBe(0.634);
    expect(price("startup", "postcard", { size: "4x6" }, { overrides }).unitPrice).toBe(0.55);
  });

  it("letter overrides are keyed by colour; extra-page adders too", () => {
    const overrides: PriceOverride[] = [
      { product: "letter", color: true, price: 0.9, at: "a:1:1" },
      { adder: "extra_page", color: true, price: 0.05, at: "a:2:1" },
    ];
    expect(price("developer", "letter", { color: true }, { pages: 5, overrides }).unitPrice).toBe(1.1);
    expect(price("developer", "letter", { color: false }, { pages: 5, overrides }).unitPrice).toBe(1.4);
  });

  it("a team's own table replaces the shipped one", () => {
    const own: PriceTable = {
      format: "campaignctl-prices",
      version: 1,
      as_of: "2027-01-15",
      currency: "USD",
      source: "our contract",
      default_tier: "contract",
      prices: [
        {
          tier: "contract",
          product: "postcard",
          size: "4x6",
          mail_type: FC,
          color: true,
          price: 0.4,
          confidence: "published",
          source: "contract §2",
        },
      ],
    };
    const cost = unitCostOf(makePriceBook(own, "contract"), {
      resourceType: "postcard",
      details: { size: "4x6" },
    });
    expect(cost).toMatchObject({ unitPrice: 0.4, asOf: "2027-01-15", tier: "contract" });
  });
});
