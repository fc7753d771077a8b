import type { PriceOverride } from "../project/types.js";
import type { UnitCost } from "../plan/types.js";
import type { Confidence, PriceTable } from "./table.js";

/**
 * The prices one run uses: the table's rows for the chosen tier with `pricing.overrides` laid over
 * them, looked up by product × size × mail type × colour. Pure: the table is read elsewhere.
 */
export interface PriceBook {
  readonly asOf: string;
  readonly tier: string;
  /** Every tier the table (or an override) names, for messages. */
  readonly tiers: readonly string[];
  lookupPrice(key: PieceKey): PriceEntry | undefined;
  lookupAdder(key: AdderKey): PriceEntry | undefined;
}

export interface PriceEntry {
  readonly price: number | null;
  readonly confidence: Confidence | "override";
  readonly source: string;
}

export interface PieceKey {
  readonly product: string;
  readonly size: string;
  readonly mailType: string;
  readonly color: boolean;
}

export type AdderKey =
  | { readonly adder: "extra_page"; readonly color: boolean }
  | { readonly adder: "extra_service"; readonly service: string };

/** Lob letters are US Letter sheets: the one size, so the table keys them by it. */
export const LETTER_SIZE = "8.5x11";
const FIRST_CLASS = "usps_first_class";

function pieceKeyText(k: PieceKey): string {
  return `${k.product}|${k.size}|${k.mailType}|${k.color ? "color" : "bw"}`;
}

function adderKeyText(k: AdderKey): string {
  return k.adder === "extra_page" ? `extra_page|${k.color ? "color" : "bw"}` : `extra_service|${k.service}`;
}

export function makePriceBook(
  table: PriceTable,
  tier: string,
  overrides: readonly PriceOverride[] = [],
): PriceBook {
  const prices = new Map<string, PriceEntry>();
  const adders = new Map<string, PriceEntry>();
  for (const row of table.prices) {
    if (row.tier !== tier) continue;
    prices.set(
      pieceKeyText({ product: row.product, size: row.size, mailType: row.mail_type, color: row.color }),
      { price: row.price, confidence: row.confidence, source: row.source },
    );
  }
  for (const row of table.adders ?? []) {
    if (row.tier !== tier) continue;
    const key: AdderKey =
      row.adder === "extra_page"
        ? { adder: "extra_page", color: row.color === true }
        : { adder: "extra_service", service: row.service ?? "" };
    adders.set(adderKeyText(key), { price: row.price, confidence: row.confidence, source: row.source });
  }
  for (const override of overrides) {
    if ((override.tier ?? tier) !== tier) continue;
    const entry: PriceEntry = {
      price: override.price,
      confidence: "override",
      source: `pricing.overrides (${override.at})`,
    };
    if (override.adder === "extra_page") {
      adders.set(adderKeyText({ adder: "extra_page", color: override.color === true }), entry);
    } else if (override.adder === "extra_service") {
      adders.set(adderKeyText({ adder: "extra_service", service: override.service ?? "" }), entry);
    } else if (override.product !== undefined) {
      const letter = override.product === "letter";
      prices.set(
        pieceKeyText({
          product: override.product,
          size: override.size ?? (letter ? LETTER_SIZE : ""),
          mailType: override.mail_type ?? FIRST_CLASS,
          // Postcards and self-mailers are always printed in colour.
          color: letter ? override.color === true : true,
        }),
        entry,
      );
    }
  }
  const tiers = [
    ...new Set([
      ...table.prices.map((r) => r.tier),
      ...(table.adders ?? []).map((r) => r.tier),
      ...overrides.flatMap((o) => (o.tier ? [o.tier] : [])),
    ]),
  ];
  return {
    asOf: table.as_of,
    tier,
    tiers,
    lookupPrice: (key) => prices.get(pieceKeyText(key)),
    lookupAdder: (key) => adders.get(adderKeyText(key)),
  };
}

/** What pricing needs to know about a creative. */
export interface PricedCreative {
  readonly resourceType: string;
  readonly details: Readonly<Record<string, unknown>>;
  /** Letters: pages of the local PDF. */
  readonly pages?: number;
  /** Letters without a page count: why (HTML, a template, a URL). */
  readonly pagesUnknownReason?: string;
}

const MICROS = 1_000_000;

/**
 * One piece's price: the row for the creative's product × size × mail type × colour, plus, for
 * letters, an extra_page adder per page after the first and the extra_service adder. Unknown
 * (unitPrice null, with the reason) when any part is missing from the table.
 */
export function unitCostOf(book: PriceBook, creative: PricedCreative): UnitCost {
  const product = creative.resourceType;
  const letter = product === "letter";
  const mailType = typeof creative.details.mail_type === "string" ? creative.details.mail_type : FIRST_CLASS;
  const size = letter ? LETTER_SIZE : String(creative.details.size ?? "");
  const color = letter ? creative.details.color === true : true;
  const extraService =
    letter && typeof creative.details.extra_service === "string" ? creative.details.extra_service : undefined;
  const basis = letter
    ? `letter ${color ? "colour" : "black and white"}${creative.pages !== undefined ? `, ${creative.pages} page${creative.pages === 1 ? "" : "s"}` : ""}${extraService ? `, ${extraService}` : ""}, ${mailType}`
    : `${product} ${size}, ${mailType}`;
  const known = { asOf: book.asOf, tier: book.tier, basis };
  const unknown = (reason: string): UnitCost => ({ unitPrice: null, ...known, unknownReason: reason });
  const fix = `set it with pricing.overrides in campaignctl.yaml`;

  const row = book.lookupPrice({ product, size, mailType, color });
  if (row?.price === null || row?.price === undefined) {
    const what = letter
      ? `${color ? "colour" : "black-and-white"} letters, ${mailType}`
      : `${product} ${size}, ${mailType}`;
    return unknown(
      `the price table (as of ${book.asOf}) has no price for ${what} on tier ${book.tier}; ${fix}`,
    );
  }
  let micros = Math.round(row.price * MICROS);
  if (letter) {
    if (creative.pages === undefined) {
      return unknown(creative.pagesUnknownReason ?? "the letter's page count is unknown");
    }
    if (creative.pages > 1) {
      const page = book.lookupAdder({ adder: "extra_page", color });
      if (page?.price === null || page?.price === undefined) {
        return unknown(
          `the price table (as of ${book.asOf}) has no extra-page price for ${color ? "colour" : "black-and-white"} letters on tier ${book.tier}; ${fix}`,
        );
      }
      micros += (creative.pages - 1) * Math.round(page.price * MICROS);
    }
    if (extraService !== undefined) {
      const service = book.lookupAdder({ adder: "extra_service", service: extraService });
      if (service?.price === null || service?.price === undefined) {
        return unknown(
          `the price table (as of ${book.asOf}) has no price for extra_service ${extraService} on tier ${book.tier}; ${fix}`,
        );
      }
      micros += Math.round(service.price * MICROS);
    }
  }
  return { unitPrice: micros / MICROS, ...known };
}
