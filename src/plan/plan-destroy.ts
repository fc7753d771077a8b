import type { CampaignRecord } from "../state/types.js";
import { cancelDeadline, cleanUpVanished, finishPlan } from "./plan-apply.js";
import type { CampaignPlan, CancelWindow, Plan, PlanInputs, PlannedAction } from "./types.js";
import { compareText } from "../core/en-us.js";

export interface DestroyInputs extends Pick<PlanInputs, "state" | "observed" | "now"> {
  /** Keys to destroy; every key in the state when undefined. */
  readonly keys?: readonly string[];
}

/**
 * Destroy: drafts are deleted; sent campaigns are cancelled while their window is open and
 * refused (blocked, naming the deadline) once it has closed. Pure, like planApply.
 */
export function planDestroy(inputs: DestroyInputs): Plan {
  const selected = inputs.keys ?? Object.keys(inputs.state.campaigns);
  const campaigns: CampaignPlan[] = [];
  for (const key of [...new Set(selected)].sort()) {
    const record = inputs.state.campaigns[key];
    if (!record) {
      campaigns.push({
        key,
        source: "not in state",
        headline: "noop",
        actions: [],
        artworkDiffs: {},
        notes: [
          {
            code: "not_in_state",
            text: "nothing recorded for this key: campaignctl has not created it (or it was already destroyed)",
          },
        ],
      });
      continue;
    }
    campaigns.push(planDestroyOne(record, inputs));
  }
  const plan = finishPlan("destroy", { ...inputs, scope: inputs.keys ? "paths" : "project" }, campaigns);
  return { ...plan, cancelWindows: cancelWindows(selected, inputs) };
}

/** What can still be cancelled and until when: every selected sent campaign, open windows first. */
function cancelWindows(selected: readonly string[], inputs: DestroyInputs): CancelWindow[] {
  const now = Date.parse(inputs.now);
  const windows: CancelWindow[] = [];
  for (const key of [...new Set(selected)].sort()) {
    const record = inputs.state.campaigns[key];
    const campaign = record?.campaignId ? inputs.observed.campaigns.get(record.campaignId) : undefined;
    if (!campaign || campaign.is_draft) continue;
    const deadline = cancelDeadline(campaign, record);
    if (deadline === undefined) continue;
    const windowKnown = typeof campaign.cancel_window_campaign_minutes === "number";
    const left = Math.max(0, Math.floor((Date.parse(deadline) - now) / 1000));
    windows.push({
      key,
      campaignId: campaign.id,
      deadline,
      windowKnown,
      open: !windowKnown || left > 0,
      secondsLeft: left,
    });
  }
  return windows.sort((a, b) => Number(b.open) - Number(a.open) || compareText(a.deadline, b.deadline));
}

function planDestroyOne(record: CampaignRecord, inputs: DestroyInputs): CampaignPlan {
  const actions: PlannedAction[] = [];
  const id = record.campaignId;
  const campaign = id ? inputs.observed.campaigns.get(id) : undefined;
  let headline: CampaignPlan["headline"] = "delete";
  if (campaign && campaign.is_draft) {
    actions.push({
      kind: "delete",
      resource: "campaign",
      id: campaign.id,
      reason: "draft: deleting it costs nothing",
      reasonCode: "destroy_draft",
    });
  } else if (campaign) {
    const deadline = cancelDeadline(campaign, record);
    // Without a campaign-level window the account's default applies, which we cannot read: try,
    // and let Lob refuse (not_deletable) rather than refuse on a guess.
    const windowKnown = typeof campaign.cancel_window_campaign_minutes === "number";
    if (!windowKnown) {
      actions.push({
        kind: "cancel",
        id: campaign.id,
        deadline: deadline ?? "unknown",
        reason: "sent; its cancel window is the account's default (not known here), so Lob decides",
        reasonCode: "destroy_sent_window_unknown",
      });
      headline = "cancel";
    } else if (deadline && Date.parse(deadline) > Date.parse(inputs.now)) {
      actions.push({
        kind: "cancel",
        id: campaign.id,
        deadline,
        reason: `sent; the cancel window is open until ${deadline}`,
        reasonCode: "destroy_sent_window_open",
      });
      headline = "cancel";
    } else {
      actions.push({
        kind: "blocked",
        changes: [],
        reason: `campaign ${campaign.id} cannot be cancelled: its cancel window closed at ${deadline ?? "an unknown time"}`,
        reasonCode: "cancel_window_closed",
        hint: "its mail pieces are in production; contact Lob support if something is badly wrong",
      });
      headline = "blocked";
    }
  } else {
    actions.push(...cleanUpVanished(record, inputs, "draft found by its tags", "orphan_draft"));
  }
  return {
    key: record.key,
    source: "state",
    headline,
    ...(id ? { campaignId: id } : {}),
    actions,
    artworkDiffs: {},
    notes: [],
  };
}
