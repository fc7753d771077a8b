/**
 * Cost estimates: the price table (shipped as data, or the team's own), the tier and overrides
 * from campaignctl.yaml, and one piece's price per creative. Loaded lazily by the engine: nothing
 * here is on `validate`'s path.
 */
import type { Project } from "../project/types.js";
import { CampaignctlError } from "../core/errors.js";
import { displayPath } from "../manifest/rules.js";
import type { PriceBook } from "./estimate.js";
import { makePriceBook } from "./estimate.js";
import { loadBundledPriceTable, readPriceTableFile } from "./table.js";

export type { PriceBook, PricedCreative } from "./estimate.js";
export { LETTER_SIZE, makePriceBook, unitCostOf } from "./estimate.js";
export type { AdderRow, PriceRow, PriceTable } from "./table.js";
export { loadBundledPriceTable, PriceTableInvalid, readPriceTableFile } from "./table.js";

/** The prices a project's plans use: its table (or campaignctl's), its tier, its overrides. */
export async function loadPriceBook(project: Project | undefined, cwd: string): Promise<PriceBook> {
  const pricing = project?.pricing;
  const table = pricing?.table
    ? await readPriceTableFile(pricing.table, displayPath(pricing.table, cwd))
    : await loadBundledPriceTable();
  const tier = pricing?.tier ?? table.default_tier;
  const book = makePriceBook(table, tier, pricing?.overrides ?? []);
  if (!book.tiers.includes(tier)) {
    throw new CampaignctlError({
      code: "PROJECT_INVALID",
      message: `${pricing?.tierAt ?? "campaignctl.yaml"}: pricing.tier '${tier}' is not a tier of the price table${pricing?.tableAsWritten ? ` ${pricing.tableAsWritten}` : ""} (its tiers: ${book.tiers.join(", ")})`,
      hint: `use one of ${book.tiers.join(", ")}, or give this tier's prices with pricing.overrides (each with tier: ${tier})`,
    });
  }
  return book;
}
