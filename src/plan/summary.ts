import { centsToDollars, toCents } from "./money.js";
import type { CampaignPlan, Plan, PlanCost, PlanSummary } from "./types.js";

/** Counts each campaign once by its headline; sends are counted on top, with their pieces. */
export function summarizePlan(campaigns: readonly CampaignPlan[]): PlanSummary {
  const counts = {
    create: 0,
    update: 0,
    replace: 0,
    delete: 0,
    cancel: 0,
    blocked: 0,
    send: 0,
    sendPieces: 0,
    noop: 0,
    wait: 0,
  };
  let costCents = 0;
  let asOf: string | undefined;
  let partial = false;
  for (const plan of campaigns) {
    counts[plan.headline] += 1;
    for (const action of plan.actions) {
      if (action.kind === "send") {
        counts.send += 1;
        counts.sendPieces += action.pieces;
        if (action.cost) {
          asOf ??= action.cost.asOf;
          if (action.cost.amount === null) partial = true;
          else costCents += toCents(action.cost.amount);
        }
      }
    }
  }
  if (asOf === undefined) return counts;
  const cost: PlanCost = { total: centsToDollars(costCents), currency: "USD", asOf, partial };
  return { ...counts, cost };
}

/** Every blocked action of a plan, with its campaign: each one fails plan and apply (exit 1). */
export function blockedItems(plan: Plan): { key: string; reason: string; hint: string }[] {
  return plan.campaigns.flatMap((campaign) =>
    campaign.actions.flatMap((action) =>
      action.kind === "blocked" ? [{ key: campaign.key, reason: action.reason, hint: action.hint }] : [],
    ),
  );
}
