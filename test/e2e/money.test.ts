import { appendFileSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { spawnCli } from "./cli.js";

/**
 * Issue 13 end to end: the plan shows each send's estimated cost and the total, and a send over
 * a budget is blocked, which fails `plan` (exit 1) as every blocked item does.
 */
const ROOT = fileURLToPath(new URL("../../", import.meta.url));
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "campaignctl-money-"));
  cpSync(join(ROOT, "examples/postcard"), join(dir, "postcard"), { recursive: true });
  const manifest = join(dir, "postcard/campaign.yaml");
  writeFileSync(manifest, readFileSync(manifest, "utf8").replace("enabled: false", "enabled: true"));
  writeFileSync(join(dir, "campaignctl.yaml"), "version: 1\nproject: money\n");
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const plan = (...args: string[]) =>
  spawnCli(["plan", "--sandbox", ...args], { cwd: dir, env: { LOB_API_KEY: "", LOB_API_URL: "" } });

describe("money in the plan (sandbox)", () => {
  it("text shows pieces × unit = amount with the table's as_of; JSON has numbers and USD", async () => {
    const text = await plan();
    expect(text.exitCode, text.stderr).toBe(0);
    // The example's audience: 10 of its 12 rows pass preflight; a 4x6 first-class postcard.
    expect(text.stdout).toContain(
      "estimated cost: 10 × $0.909 = $9.09 (estimate: developer prices as of 2026-11; postcard 4x6, usps_first_class)",
    );
    expect(text.stdout).toContain("1 to SEND (10 pieces; estimated $9.09, prices as of 2026-11)");

    const json = await plan("--format", "json");
    const parsed = JSON.parse(json.stdout) as {
      campaigns: { actions: { kind: string; cost?: unknown }[] }[];
      summary: { cost?: unknown };
    };
    const send = parsed.campaigns[0]!.actions.find((a) => a.kind === "send");
    expect(send?.cost).toEqual({
      pieces: 10,
      unitPrice: 0.909,
      amount: 9.09,
      currency: "USD",
      asOf: "2026-11",
      tier: "developer",
      basis: "postcard 4x6, usps_first_class",
    });
    expect(parsed.summary.cost).toEqual({ total: 9.09, currency: "USD", asOf: "2026-11", partial: false });
  });

  it("the tier and overrides come from campaignctl.yaml", async () => {
    appendFileSync(
      join(dir, "campaignctl.yaml"),
      "pricing:\n  tier: growth\n  overrides:\n    - { tier: growth, product: postcard, size: 4x6, price: 0.5 }\n",
    );
    const text = await plan();
    expect(text.exitCode, text.stderr).toBe(0);
    expect(text.stdout).toContain("10 × $0.50 = $5.00 (estimate: growth prices as of 2026-11;");
  });

  it("send.max_cost: equal passes, one cent under the estimate blocks and plan exits 1", async () => {
    const manifest = join(dir, "postcard/campaign.yaml");
    const original = readFileSync(manifest, "utf8");
    writeFileSync(manifest, original.replace("max_pieces: 50000", "max_pieces: 50000\n  max_cost: 9.09"));
    const equal = await plan();
    expect(equal.exitCode, equal.stderr).toBe(0);

    writeFileSync(manifest, original.replace("max_pieces: 50000", "max_pieces: 50000\n  max_cost: 9.08"));
    const over = await plan("--detailed-exitcode");
    expect(over.exitCode).toBe(1);
    expect(over.stderr).toContain(
      "Error: spring-promo: send refused: estimated $9.09 (10 × $0.909, developer prices as of 2026-11), more than send.max_cost ($9.08)",
    );
  });

  it("budget.max_cost_per_run: one cent under the run's total blocks the send and plan exits 1", async () => {
    appendFileSync(join(dir, "campaignctl.yaml"), "budget:\n  max_cost_per_run: 9.08\n");
    const over = await plan();
    expect(over.exitCode).toBe(1);
    expect(over.stderr).toContain("$9.09 in total");
    expect(over.stderr).toContain("more than budget.max_cost_per_run ($9.08)");
  });
});
