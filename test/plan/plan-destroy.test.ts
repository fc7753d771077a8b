import { describe, expect, it } from "vitest";
import { planDestroy } from "../../src/plan/plan-destroy.js";
import { renderPlanText } from "../../src/render/plan-text.js";
import { aCampaign, anAppliedRecord, aState, NOW, observedOf } from "./builders.js";

describe("planDestroy", () => {
  const draft = anAppliedRecord({ key: "draft", campaignId: "cmp_d" });
  const open = anAppliedRecord({ key: "open", campaignId: "cmp_o", sentAt: "2026-11-28T11:30:00.000Z" });
  const closed = anAppliedRecord({ key: "closed", campaignId: "cmp_c", sentAt: "2026-11-28T09:00:00.000Z" });
  const observed = observedOf([
    aCampaign({ id: "cmp_d" }),
    aCampaign({
      id: "cmp_o",
      is_draft: false,
      send_date: "2026-11-28T11:30:00.000Z",
      cancel_window_campaign_minutes: 60,
    }),
    aCampaign({
      id: "cmp_c",
      is_draft: false,
      send_date: "2026-11-28T09:00:00.000Z",
      cancel_window_campaign_minutes: 60,
    }),
  ]);

  it("deletes drafts, cancels inside the window and refuses past it, naming the deadline", () => {
    const plan = planDestroy({ state: aState([draft, open, closed]), observed, now: NOW });
    const byKey = Object.fromEntries(plan.campaigns.map((c) => [c.key, c]));
    expect(byKey.draft!.actions[0]).toMatchObject({ kind: "delete", id: "cmp_d" });
    expect(byKey.open!.actions[0]).toMatchObject({
      kind: "cancel",
      id: "cmp_o",
      deadline: "2026-11-28T12:30:00.000Z",
    });
    expect(byKey.closed!.headline).toBe("blocked");
    const blocked = byKey.closed!.actions[0]!;
    expect(blocked.kind === "blocked" && blocked.reason).toContain("closed at 2026-11-28T10:00:00.000Z");
    expect(renderPlanText(plan)).toContain("Plan: 1 to delete, 1 to CANCEL, 1 refused.");
  });

  it("tries to cancel when the window is the account default, which campaignctl cannot know", () => {
    const sentLongAgo = anAppliedRecord({
      key: "acct-default",
      campaignId: "cmp_a",
      sentAt: "2026-11-28T01:00:00.000Z",
    });
    const plan = planDestroy({
      state: aState([sentLongAgo]),
      observed: observedOf([
        aCampaign({
          id: "cmp_a",
          is_draft: false,
          send_date: "2026-11-28T01:00:00.000Z",
          cancel_window_campaign_minutes: null,
        }),
      ]),
      now: NOW,
    });
    expect(plan.campaigns[0]!.actions[0]).toMatchObject({ kind: "cancel", id: "cmp_a" });
  });

  it("limits itself to the selected keys", () => {
    const plan = planDestroy({ state: aState([draft, open, closed]), observed, now: NOW, keys: ["draft"] });
    expect(plan.campaigns.map((c) => c.key)).toEqual(["draft"]);
  });

  it("forgets records whose campaign is already gone", () => {
    const plan = planDestroy({
      state: aState([draft]),
      observed: observedOf([], { missing: new Set(["cmp_d"]) }),
      now: NOW,
    });
    expect(plan.campaigns[0]!.actions.map((a) => a.kind)).toEqual(["forget"]);
  });
});
