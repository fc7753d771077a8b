import { describe, expect, it } from "vitest";
import { blockedItems } from "../../src/plan/summary.js";
import { planApply } from "../../src/plan/plan-apply.js";
import type { DesiredCampaign, PlannedAction, UnitCost } from "../../src/plan/types.js";
import { renderPlanMarkdown } from "../../src/render/plan-markdown.js";
import { renderPlanText } from "../../src/render/plan-text.js";
import { aDesiredCampaign, aState, inputs, observedOf } from "./builders.js";

const UNIT: UnitCost = {
  unitPrice: 0.909,
  asOf: "2026-11",
  tier: "developer",
  basis: "postcard 4x6, usps_first_class",
};

/** A new campaign (nothing in the state or in Lob) that sends `pieces` at `unit`. */
function sending(key: string, pieces: number, extra: Partial<DesiredCampaign> = {}): DesiredCampaign {
  const base = aDesiredCampaign();
  return aDesiredCampaign({
    key,
    source: `${key}.yaml:1:1`,
    audience: { ...base.audience, totalRows: pieces, passingRows: pieces },
    send: { enabled: true },
    unitCost: UNIT,
    ...extra,
  });
}

function planOf(desired: DesiredCampaign[], maxCostPerRun?: number) {
  return planApply(
    inputs({
      desired,
      state: aState([]),
      observed: observedOf([]),
      ...(maxCostPerRun !== undefined ? { budget: { maxCostPerRun } } : {}),
    }),
  );
}

const actionsOf = (plan: ReturnType<typeof planOf>, key: string): readonly PlannedAction[] =>
  plan.campaigns.find((c) => c.key === key)!.actions;
const sendOf = (plan: ReturnType<typeof planOf>, key: string) =>
  actionsOf(plan, key).find((a) => a.kind === "send");
const blockedOf = (plan: ReturnType<typeof planOf>, key: string) =>
  actionsOf(plan, key).find((a) => a.kind === "blocked");

describe("cost estimates in the plan", () => {
  it("a send carries pieces × unit price = amount, rounded to cents, in USD with the table's as_of", () => {
    const plan = planOf([sending("spring", 1000)]);
    expect(sendOf(plan, "spring")).toMatchObject({
      cost: {
        pieces: 1000,
        unitPrice: 0.909,
        amount: 909,
        currency: "USD",
        asOf: "2026-11",
        tier: "developer",
        basis: "postcard 4x6, usps_first_class",
      },
    });
    expect(plan.summary.cost).toEqual({ total: 909, currency: "USD", asOf: "2026-11", partial: false });
  });

  it("text and markdown write it as 1,000 × $0.909 = $909.00, labelled as an estimate with as_of", () => {
    const plan = planOf([sending("spring", 1000), sending("summer", 2000)]);
    const text = renderPlanText(plan);
    expect(text).toContain(
      "estimated cost: 1,000 × $0.909 = $909.00 (estimate: developer prices as of 2026-11; postcard 4x6, usps_first_class)",
    );
    expect(text).toContain("2 to SEND (3,000 pieces; estimated $2,727.00, prices as of 2026-11)");
    const markdown = renderPlanMarkdown(plan);
    expect(markdown).toContain("2,000 × $0.909 = $1,818.00");
    expect(markdown).toContain("estimated $2,727.00, prices as of 2026-11");
  });

  it("an unknown unit price gives a null amount with the reason, and a partial total", () => {
    const unknown: UnitCost = {
      ...UNIT,
      unitPrice: null,
      basis: "letter colour, usps_first_class",
      unknownReason: "HTML",
    };
    const plan = planOf([sending("spring", 10), sending("letter", 5, { unitCost: unknown })]);
    expect(sendOf(plan, "letter")).toMatchObject({
      cost: { unitPrice: null, amount: null, unknownReason: "HTML" },
    });
    expect(plan.summary.cost).toEqual({ total: 9.09, currency: "USD", asOf: "2026-11", partial: true });
    expect(renderPlanText(plan)).toContain("estimated cost: unknown (HTML)");
    expect(renderPlanText(plan)).toContain("estimated at least $9.09 (some costs unknown)");
  });

  it("no price table given: no cost anywhere (the plan is as before)", () => {
    const plan = planOf([sending("spring", 10, { unitCost: undefined })]);
    expect(sendOf(plan, "spring")).not.toHaveProperty("cost");
    expect(plan.summary).not.toHaveProperty("cost");
  });
});

describe("send.max_cost", () => {
  // 1,000 × $0.909 = $909.00 exactly.
  it("passes when the estimate equals the limit", () => {
    const plan = planOf([sending("spring", 1000, { send: { enabled: true, maxCost: 909 } })]);
    expect(sendOf(plan, "spring")).toBeDefined();
    expect(blockedItems(plan)).toEqual([]);
  });

  it("blocks one cent over, naming both numbers", () => {
    const plan = planOf([sending("spring", 1000, { send: { enabled: true, maxCost: 908.99 } })]);
    expect(sendOf(plan, "spring")).toBeUndefined();
    const blocked = blockedOf(plan, "spring");
    expect(blocked).toMatchObject({ reasonCode: "max_cost_exceeded" });
    expect(blocked?.kind === "blocked" && blocked.reason).toBe(
      "send refused: estimated $909.00 (1,000 × $0.909, developer prices as of 2026-11), more than send.max_cost ($908.99)",
    );
    expect(blockedItems(plan)).toHaveLength(1);
  });

  it("sits beside send.max_pieces, which still applies first", () => {
    const plan = planOf([sending("spring", 1000, { send: { enabled: true, maxPieces: 999, maxCost: 1 } })]);
    expect(blockedOf(plan, "spring")).toMatchObject({ reasonCode: "max_pieces_exceeded" });
  });

  it("blocks a send whose cost is unknown: the limit cannot be checked", () => {
    const unknown: UnitCost = { ...UNIT, unitPrice: null, unknownReason: "no price for this" };
    const plan = planOf([
      sending("spring", 10, { unitCost: unknown, send: { enabled: true, maxCost: 1000 } }),
    ]);
    const blocked = blockedOf(plan, "spring");
    expect(blocked).toMatchObject({ reasonCode: "cost_unknown" });
    expect(blocked?.kind === "blocked" && blocked.reason).toContain(
      "send.max_cost ($1,000.00) cannot be checked",
    );
  });
});

describe("budget.max_cost_per_run", () => {
  // $909.00 + $1,818.00 = $2,727.00
  const two = () => [sending("spring", 1000), sending("summer", 2000)];

  it("passes when the run's total equals the budget", () => {
    const plan = planOf(two(), 2727);
    expect(sendOf(plan, "spring")).toBeDefined();
    expect(sendOf(plan, "summer")).toBeDefined();
    expect(blockedItems(plan)).toEqual([]);
  });

  it("blocks every send one cent over, each naming the total, its own estimate and the budget", () => {
    const plan = planOf(two(), 2726.99);
    expect(sendOf(plan, "spring")).toBeUndefined();
    expect(sendOf(plan, "summer")).toBeUndefined();
    const items = blockedItems(plan);
    expect(items.map((i) => i.key)).toEqual(["spring", "summer"]);
    expect(blockedOf(plan, "spring")).toMatchObject({ reasonCode: "run_budget_exceeded" });
    expect(items[1]!.reason).toBe(
      "send refused: this run's sends are estimated at $2,727.00 in total (this one $1,818.00 (2,000 × $0.909, developer prices as of 2026-11)), more than budget.max_cost_per_run ($2,726.99)",
    );
    expect(plan.summary.send).toBe(0);
    expect(plan.summary).not.toHaveProperty("cost");
    // The rest of the campaign (create, upload) is still planned: only the send is refused.
    expect(actionsOf(plan, "spring").some((a) => a.kind === "create")).toBe(true);
  });

  it("counts only sends: a run without any is never blocked", () => {
    const plan = planOf([aDesiredCampaign({ unitCost: UNIT })], 0);
    expect(blockedItems(plan)).toEqual([]);
  });
});
