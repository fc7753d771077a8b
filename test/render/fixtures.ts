import type { StatusOutcome } from "../../src/engine/status.js";
import { planApply } from "../../src/plan/plan-apply.js";
import { planDestroy } from "../../src/plan/plan-destroy.js";
import type { Plan } from "../../src/plan/types.js";
import {
  aCampaign,
  aDesiredCampaign,
  anAppliedRecord,
  aState,
  inputs,
  NOW,
  observedOf,
} from "../plan/builders.js";

/**
 * Plans and results with one of most things in them, for the renderers' file snapshots: an
 * update, a create with a send, a campaign without its manifest, a drafted delete, an open cancel
 * window and one already closed.
 */
export function anApplyPlan(): Plan {
  const spring = aDesiredCampaign({
    campaign: { ...aDesiredCampaign().campaign, name: "Spring sale" },
  });
  const summer = aDesiredCampaign({
    key: "summer",
    source: "summer.yaml:1:1",
    send: { enabled: true, maxPieces: 100 },
    unitCost: {
      unitPrice: 0.909,
      asOf: "2026-11",
      tier: "developer",
      basis: "postcard 4x6, usps_first_class",
    },
  });
  return planApply(
    inputs({
      desired: [spring, summer],
      state: aState([anAppliedRecord(), anAppliedRecord({ key: "autumn", campaignId: "cmp_a" })]),
      observed: observedOf([aCampaign(), aCampaign({ id: "cmp_a", name: "Autumn" })]),
    }),
  );
}

export function aDestroyPlan(): Plan {
  const draft = anAppliedRecord({ key: "draft", campaignId: "cmp_d" });
  const open = anAppliedRecord({ key: "open", campaignId: "cmp_o", sentAt: "2026-11-28T11:30:00.000Z" });
  const closed = anAppliedRecord({ key: "closed", campaignId: "cmp_c", sentAt: "2026-11-28T09:00:00.000Z" });
  const sent = { is_draft: false, cancel_window_campaign_minutes: 60 } as const;
  return planDestroy({
    state: aState([draft, open, closed]),
    observed: observedOf([
      aCampaign({ id: "cmp_d" }),
      aCampaign({ id: "cmp_o", send_date: "2026-11-28T11:30:00.000Z", ...sent }),
      aCampaign({ id: "cmp_c", send_date: "2026-11-28T09:00:00.000Z", ...sent }),
    ]),
    now: NOW,
  });
}

export function aStatusOutcome(): StatusOutcome {
  return {
    now: NOW,
    campaigns: [
      {
        key: "spring",
        campaignId: "cmp_1",
        campaign: "sent",
        upload: "Scheduled",
        rows: 10,
        validated: 9,
        failed: 1,
        sentAt: "2026-11-28T11:30:00.000Z",
        cancelDeadline: "2026-11-28T13:30:00.000Z",
        cancellable: true,
      },
      {
        key: "summer",
        campaignId: "cmp_2",
        campaign: "draft",
        upload: "Draft",
        rows: 10,
        validated: null,
        failed: null,
        sentAt: null,
        cancelDeadline: null,
        cancellable: null,
      },
      {
        key: "winter",
        campaignId: null,
        campaign: "pending",
        upload: null,
        rows: null,
        validated: null,
        failed: null,
        sentAt: null,
        cancelDeadline: null,
        cancellable: null,
      },
    ],
    destroyed: [{ key: "autumn", campaignId: "cmp_a", at: "2026-11-27T10:00:00.000Z", how: "deleted" }],
  };
}
