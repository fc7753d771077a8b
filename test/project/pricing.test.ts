import { mkdir, mkdtemp, realpath, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { isCampaignctlError } from "../../src/core/errors.js";
import { loadPriceBook, PriceTableInvalid, unitCostOf } from "../../src/pricing/index.js";
import { ProjectFileInvalid, resolveProject } from "../../src/project/load.js";

let scratch: string;
afterEach(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

async function layout(files: Record<string, string>): Promise<string> {
  scratch = await realpath(await mkdtemp(join(tmpdir(), "ccprice-")));
  for (const [name, text] of Object.entries(files)) {
    await mkdir(join(scratch, name, ".."), { recursive: true });
    await writeFile(join(scratch, name), text);
  }
  return scratch;
}

const PROJECT = `version: 1
project: p
pricing:
  tier: startup
  overrides:
    - { product: postcard, size: 6x9, price: 0.6 }
    - { adder: extra_page, color: false, price: 0.12 }
budget:
  max_cost_per_run: 2500.5
`;

const postcard = (size: string) => ({ resourceType: "postcard", details: { size } });

describe("pricing and budget in campaignctl.yaml", () => {
  it("reads the tier, the overrides (with where each is written) and the run budget", async () => {
    const dir = await layout({ "campaignctl.yaml": PROJECT });
    const project = await resolveProject({ paths: [], cwd: dir, env: {} });
    expect(project.budget).toEqual({ maxCostPerRun: 2500.5 });
    expect(project.pricing?.tier).toBe("startup");
    expect(project.pricing?.overrides.map((o) => o.at)).toEqual([
      "campaignctl.yaml:6:7",
      "campaignctl.yaml:7:7",
    ]);
    const book = await loadPriceBook(project, dir);
    expect(unitCostOf(book, postcard("6x9")).unitPrice).toBe(0.6);
    expect(unitCostOf(book, postcard("4x6")).unitPrice).toBe(0.573);
  });

  it("refuses a malformed override or budget at its line and column", async () => {
    const dir = await layout({
      "campaignctl.yaml": `version: 1
project: p
pricing:
  overrides:
    - { product: postcard, price: 0.6 }
    - { product: letter, price: 1 }
    - { size: 4x6, price: 1 }
budget:
  max_cost_per_run: lots
`,
    });
    const error = (await resolveProject({ paths: [], cwd: dir, env: {} }).catch(
      (e: unknown) => e,
    )) as ProjectFileInvalid;
    expect(error).toBeInstanceOf(ProjectFileInvalid);
    expect(error.diagnostics.map((d) => `${d.file}:${d.line}:${d.col} ${d.message}`)).toEqual([
      "campaignctl.yaml:5:7 'size' is required",
      "campaignctl.yaml:6:7 'color' is required",
      "campaignctl.yaml:7:7 'product' is required",
      expect.stringMatching(/^campaignctl\.yaml:9:21 must be a number/),
    ]);
  });

  it("an unknown tier is an error naming where it is set and the tiers there are", async () => {
    const dir = await layout({
      "campaignctl.yaml": "version: 1\nproject: p\npricing:\n  tier: enterprise\n",
    });
    const project = await resolveProject({ paths: [], cwd: dir, env: {} });
    const error = await loadPriceBook(project, dir).catch((e: unknown) => e);
    expect(isCampaignctlError(error) && error.message).toBe(
      "campaignctl.yaml:4:9: pricing.tier 'enterprise' is not a tier of the price table (its tiers: developer, startup, growth)",
    );
  });

  it("pricing.table replaces the shipped table (YAML or JSON)", async () => {
    const dir = await layout({
      "campaignctl.yaml": "version: 1\nproject: p\npricing:\n  table: prices/ours.yaml\n",
      "prices/ours.yaml": `format: campaignctl-prices
version: 1
as_of: 2027-02-01
currency: USD
source: our contract with Lob
default_tier: contract
prices:
  - { tier: contract, product: postcard, size: 4x6, mail_type: usps_first_class, color: true, price: 0.41, confidence: published, source: contract }
`,
    });
    const project = await resolveProject({ paths: [], cwd: dir, env: {} });
    const cost = unitCostOf(await loadPriceBook(project, dir), postcard("4x6"));
    expect(cost).toMatchObject({ unitPrice: 0.41, asOf: "2027-02-01", tier: "contract" });
    expect(unitCostOf(await loadPriceBook(project, dir), postcard("6x9")).unitPrice).toBeNull();
  });

  it("a broken table is refused with every problem at file:line:col", async () => {
    const dir = await layout({
      "campaignctl.yaml": "version: 1\nproject: p\npricing:\n  table: ours.json\n",
      "ours.json": `{
  "format": "campaignctl-prices",
  "version": 1,
  "as_of": "soon",
  "currency": "USD",
  "source": "x",
  "default_tier": "t",
  "prices": [
    { "tier": "t", "product": "postcard", "size": "4x6", "mail_type": "usps_first_class", "color": true, "price": -1, "confidence": "sure", "source": "x" }
  ]
}
`,
    });
    const project = await resolveProject({ paths: [], cwd: dir, env: {} });
    const error = (await loadPriceBook(project, dir).catch((e: unknown) => e)) as PriceTableInvalid;
    expect(error).toBeInstanceOf(PriceTableInvalid);
    expect(error.message).toContain("3 errors in the price table ours.json");
    expect(error.diagnostics.map((d) => `${d.file}:${d.line}:${d.col} ${d.path}`)).toEqual([
      "ours.json:4:12 as_of",
      "ours.json:9:115 prices[0].price",
      "ours.json:9:133 prices[0].confidence",
    ]);
    expect(error.diagnostics[0]!.message).toContain("YYYY-MM");
  });

  it("reads the table as guardedly as the project file: not a directory, not a device", async () => {
    const dir = await layout({
      "campaignctl.yaml": "version: 1\nproject: p\npricing:\n  table: /dev/zero\n",
    });
    const project = await resolveProject({ paths: [], cwd: dir, env: {} });
    const error = (await loadPriceBook(project, dir).catch((e: unknown) => e)) as PriceTableInvalid;
    expect(error).toBeInstanceOf(PriceTableInvalid);
    expect(error.diagnostics[0]!.code).toBe("FILE_UNREADABLE");
  });
});
