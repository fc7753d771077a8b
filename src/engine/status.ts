import { cancelDeadline } from "../plan/plan-apply.js";
import { assertKeysKnown } from "./key-selection.js";
import type { DestroyedRecord } from "../state/types.js";
import type { EngineDeps } from "./deps.js";
import type { UseCaseOptions } from "./use-cases.js";
import { projectName } from "./project-name.js";
import { observeWorld } from "./observe.js";
import { openSession } from "./session.js";
import { compareText } from "../core/en-us.js";

/** One managed campaign as Lob holds it now. Counts and states only; never an audience cell. */
export interface CampaignStatus {
  readonly key: string;
  readonly campaignId: string | null;
  /** draft | sent | missing (in state, gone from Lob) | pending (a create never confirmed). */
  readonly campaign: "draft" | "sent" | "missing" | "pending";
  /** The upload's state (Draft, Validating, Scheduled, …), or null without an upload. */
  readonly upload: string | null;
  readonly rows: number | null;
  readonly validated: number | null;
  readonly failed: number | null;
  readonly sentAt: string | null;
  readonly cancelDeadline: string | null;
  /** Whether destroy could still cancel it (sent campaigns only), judged by Lob's clock. */
  readonly cancellable: boolean | null;
  /** Whole seconds until the cancel deadline (0 once closed), by Lob's clock; null unless sent. */
  readonly cancelSecondsLeft: number | null;
}

export interface StatusOutcome {
  readonly now: string;
  readonly campaigns: readonly CampaignStatus[];
  /** Keys destroy removed: a manifest still carrying one is not created again (apply --recreate KEY). */
  readonly destroyed: readonly DestroyedRecord[];
}

/** `status`: what every key in the state looks like in Lob now. Takes no lock and writes nothing. */
export async function runStatus(
  deps: EngineDeps,
  options: Pick<UseCaseOptions, "project"> & { readonly keys?: readonly string[] },
): Promise<StatusOutcome> {
  const session = await openSession(deps, "status", { readOnly: true });
  try {
    assertKeysKnown(options.keys, session.state);
    const observed = await observeWorld(session.client, session.state, [], { project: projectName(options) });
    const now = deps.clock.now();
    const wanted = options.keys && options.keys.length > 0 ? new Set(options.keys) : undefined;
    const campaigns = Object.values(session.state.campaigns)
      .filter((record) => !wanted || wanted.has(record.key))
      .sort((a, b) => compareText(a.key, b.key))
      .map((record): CampaignStatus => {
        const campaign = record.campaignId ? observed.campaigns.get(record.campaignId) : undefined;
        const upload = campaign?.uploads[0];
        const sent = campaign ? !campaign.is_draft : false;
        const deadline = sent ? (cancelDeadline(campaign, record) ?? null) : null;
        return {
          key: record.key,
          campaignId: record.campaignId ?? null,
          campaign: !record.campaignId ? "pending" : !campaign ? "missing" : sent ? "sent" : "draft",
          upload: upload?.state ?? null,
          rows: upload && sent ? upload.totalMailpieces : (record.applied.audienceRows ?? null),
          validated: upload && sent ? upload.validatedMailpieces : null,
          failed: upload && sent ? upload.failedMailpieces : null,
          sentAt: sent ? (campaign?.send_date ?? record.sentAt ?? null) : null,
          cancelDeadline: deadline,
          cancellable: deadline ? Date.parse(deadline) > now.getTime() : null,
          cancelSecondsLeft: deadline
            ? Math.max(0, Math.floor((Date.parse(deadline) - now.getTime()) / 1000))
            : null,
        };
      });
    const destroyed = Object.values(session.state.destroyed ?? {})
      .filter((record) => !wanted || wanted.has(record.key))
      .sort((a, b) => compareText(a.key, b.key));
    return { now: now.toISOString(), campaigns, destroyed };
  } finally {
    await session.close();
  }
}
