import type { StatusOutcome } from "../engine/status.js";
import type { Plan } from "../plan/types.js";

/**
 * Machine output of `apply`, `destroy` and `status` (`--format json`), one JSON document each.
 * The shapes are declared here so a change to them is a visible change to a public format;
 * `plan --format json` is render/plan-json.ts.
 */

/** A campaign whose actions could not all be carried out, and why. */
export interface FailedCampaignJson {
  readonly key: string;
  readonly reason: string;
}

/** Steps apply finished. */
export interface ApplyCountsJson {
  readonly created: number;
  readonly updated: number;
  readonly sent: number;
  /** Pieces Lob validated for the sends watched to the end; expected pieces for the others. */
  readonly pieces: number;
}

export interface ApplyResultJson {
  readonly version: 1;
  readonly plan: Plan;
  readonly result: {
    readonly counts: ApplyCountsJson;
    /** Keys sent in this run. */
    readonly sent: readonly string[];
    /** Keys whose send was planned but not done (no --allow-send). */
    readonly skippedSends: readonly string[];
    /** Until when each campaign sent in this run can be cancelled (Lob's clock). */
    readonly cancelWindows?: readonly { readonly key: string; readonly cancelDeadline: string }[];
    /** Keys sent in this run that send.max_failed_ratio cancelled (they are in `failed` too). */
    readonly cancelled?: readonly string[];
    readonly failed: readonly FailedCampaignJson[];
    /** The state's serial after the run. */
    readonly stateSerial: number;
    /** HTTP requests made to Lob. */
    readonly requests: number;
  };
}

export interface DestroyResultJson {
  readonly version: 1;
  readonly plan: Plan;
  readonly result: {
    readonly failed: readonly FailedCampaignJson[];
    readonly stateSerial: number;
  };
}

export type StatusJson = { readonly version: 1 } & StatusOutcome;

export function renderApplyJson(input: {
  readonly plan: Plan;
  readonly counts: ApplyCountsJson;
  readonly sent: readonly string[];
  readonly skippedSends: readonly string[];
  readonly cancelWindows?: readonly { readonly key: string; readonly cancelDeadline: string }[];
  readonly cancelled?: readonly string[];
  readonly failed: readonly FailedCampaignJson[];
  readonly stateSerial: number;
  readonly requests: number;
}): string {
  const { created, updated, sent, pieces } = input.counts;
  const doc: ApplyResultJson = {
    version: 1,
    plan: input.plan,
    result: {
      counts: { created, updated, sent, pieces },
      sent: input.sent,
      skippedSends: input.skippedSends,
      ...(input.cancelWindows ? { cancelWindows: input.cancelWindows } : {}),
      ...(input.cancelled ? { cancelled: input.cancelled } : {}),
      failed: input.failed,
      stateSerial: input.stateSerial,
      requests: input.requests,
    },
  };
  return document(doc);
}

export function renderDestroyJson(input: {
  readonly plan: Plan;
  readonly failed: readonly FailedCampaignJson[];
  readonly stateSerial: number;
}): string {
  const doc: DestroyResultJson = {
    version: 1,
    plan: input.plan,
    result: { failed: input.failed, stateSerial: input.stateSerial },
  };
  return document(doc);
}

export function renderStatusJson(outcome: StatusOutcome): string {
  const doc: StatusJson = { version: 1, ...outcome };
  return document(doc);
}

function document(value: ApplyResultJson | DestroyResultJson | StatusJson): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}
