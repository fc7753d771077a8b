import { CampaignctlError } from "../core/errors.js";
import { pollUntil } from "../core/poll.js";
import type { LobClient } from "../lob/client.js";
import { isLobApiError } from "../lob/errors.js";
import type { Upload } from "../lob/wire.js";
import { isTerminalUploadState } from "../lob/wire.js";
import type { Plan } from "../plan/types.js";
import { formatCount } from "../core/en-us.js";

/**
 * `send.max_failed_ratio`: after a send, while Lob validates the audience, the campaign is
 * cancelled as soon as
 *   1. more than `maxFailedRatio` of the rows processed so far failed,
 *   2. at least the minimum sample has been processed: min(100, the audience's rows), so a few
 *      unlucky first rows never cancel a large mailing, and a small audience is judged whole,
 *   3. and its cancel window is open (Lob's clock). After that it is too late: nothing is tried.
 * Only campaigns sent by the same run (apply) or named by `campaignctl watch` are ever judged.
 */
export const FAILURE_SAMPLE_ROWS = 100;

export interface FailureRule {
  readonly maxFailedRatio: number;
  /** Rows in the audience file (preflight's count): sets the minimum sample. */
  readonly audienceRows: number;
}

/** Rows that must be processed before the ratio is judged: min(100, the audience's rows), at least 1. */
export function minimumSample(audienceRows: number): number {
  return Math.max(1, Math.min(FAILURE_SAMPLE_ROWS, audienceRows));
}

export interface ProcessedCounts {
  readonly validated: number;
  readonly failed: number;
}

/** Whether the rule says cancel (window aside): ratio over the limit on at least the minimum sample. */
export function exceedsFailureRule(rule: FailureRule, counts: ProcessedCounts): boolean {
  const processed = counts.validated + counts.failed;
  if (processed < minimumSample(rule.audienceRows)) return false;
  return counts.failed / processed > rule.maxFailedRatio;
}

/** "12 of 40 processed rows failed (30.0%)". */
export function describeCounts(counts: ProcessedCounts): string {
  const processed = counts.validated + counts.failed;
  const share = processed > 0 ? ((counts.failed / processed) * 100).toFixed(1) : "0.0";
  return `${formatCount(counts.failed)} of ${formatCount(processed)} processed rows failed (${share}%)`;
}

/** The rule in words, for the report. */
export function describeRule(rule: FailureRule): string {
  return `send.max_failed_ratio is ${rule.maxFailedRatio} (${(rule.maxFailedRatio * 100).toFixed(1)}%), judged once at least ${formatCount(minimumSample(rule.audienceRows))} rows are processed (min(100, the audience's ${formatCount(rule.audienceRows)} rows)) while the cancel window is open`;
}

/** Where watching a sent campaign's validation ended. */
export type WatchOutcome =
  /** Validation finished (Scheduled, Errored or Cancelled) without the rule firing. */
  | { readonly kind: "finished"; readonly upload: Upload }
  /** The rule fired inside the window and the campaign was cancelled (DELETE). */
  | { readonly kind: "cancelled"; readonly upload: Upload; readonly at: string }
  /** The rule fired after the window had closed (or Lob refused the cancel): nothing could be done. */
  | { readonly kind: "too_late"; readonly upload: Upload; readonly attempted: boolean }
  /** Still validating when the watch gave up. */
  | { readonly kind: "timeout"; readonly upload: Upload };

export interface WatchSendOptions {
  readonly client: LobClient;
  readonly campaignId: string;
  readonly uploadId: string;
  /** The cancel deadline (Lob's clock, ISO). */
  readonly deadline: string;
  /** Absent: only watch (report counts), never cancel. */
  readonly rule?: FailureRule;
  /** Lob's clock. */
  readonly now: () => Date;
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly onProgress?: (upload: Upload) => void;
}

/** States in which Lob is (or will be) making mail pieces, so cancelling still matters. */
function mayMail(upload: Upload): boolean {
  return upload.state !== "Errored" && upload.state !== "Cancelled";
}

/**
 * Poll the upload of a sent campaign until Lob has validated it, cancelling the campaign the
 * moment the failure rule fires while its window is open. The caller records what happened.
 */
export async function watchSend(options: WatchSendOptions): Promise<WatchOutcome> {
  const { rule } = options;
  const fires = (u: Upload) =>
    rule !== undefined &&
    mayMail(u) &&
    exceedsFailureRule(rule, { validated: u.validatedMailpieces, failed: u.failedMailpieces });
  const { done, value: upload } = await pollUntil({
    read: () => options.client.getUpload(options.uploadId),
    done: (u) => isTerminalUploadState(u.state) || fires(u),
    onPending: options.onProgress,
    intervalMs: options.intervalMs,
    timeoutMs: options.timeoutMs,
    sleep: options.sleep,
    now: () => Date.now(),
  });
  if (!done) return { kind: "timeout", upload };
  if (!fires(upload)) return { kind: "finished", upload };
  if (options.now().getTime() > Date.parse(options.deadline)) {
    return { kind: "too_late", upload, attempted: false };
  }
  try {
    await options.client.deleteCampaign(options.campaignId);
  } catch (error) {
    if (isLobApiError(error) && (error.lobCode === "not_deletable" || error.status === 422)) {
      return { kind: "too_late", upload, attempted: true };
    }
    throw error;
  }
  return { kind: "cancelled", upload, at: options.now().toISOString() };
}

/**
 * The error a run ends with for a campaign the rule fired on: the counts, the rule, what was done
 * and the command that exports the failed rows.
 */
export function failureRuleError(
  key: string,
  campaignId: string,
  rule: FailureRule,
  outcome: Extract<WatchOutcome, { kind: "cancelled" | "too_late" }>,
  deadline: string,
): CampaignctlError {
  const counts = describeCounts({
    validated: outcome.upload.validatedMailpieces,
    failed: outcome.upload.failedMailpieces,
  });
  const what =
    outcome.kind === "cancelled"
      ? `campaign ${campaignId} was CANCELLED at ${outcome.at} (its window was open until ${deadline})`
      : outcome.attempted
        ? `too late to cancel campaign ${campaignId}: Lob refused the cancel (the window was to close at ${deadline})`
        : `too late to cancel campaign ${campaignId}: its cancel window closed at ${deadline}; no cancel was attempted`;
  return new CampaignctlError({
    code: "FAILURE_RATE_EXCEEDED",
    source: "remote",
    message: `${counts}, over the limit: ${describeRule(rule)}. ${what}`,
    hint:
      `download the failed rows with reasons: 'campaignctl failures ${key} --out FILE' (the file holds personal data)` +
      (outcome.kind === "cancelled"
        ? `; the key is recorded as destroyed, so to mail again fix the audience and use a new key or 'campaignctl apply --recreate ${key}'`
        : "; its pieces are in production: contact Lob support if something is badly wrong"),
  });
}

/**
 * With `--no-wait`, apply stops after the send, so a `send.max_failed_ratio` cannot act: the plan
 * says so for each such send (after any saved-plan check, which compares the plan as reviewed).
 */
export function warnUnwatchedGuards(plan: Plan): Plan {
  const warnings = plan.campaigns.flatMap((c) =>
    c.actions.flatMap((a) =>
      a.kind === "send" && a.maxFailedRatio !== undefined
        ? [
            `${c.key}: send.max_failed_ratio (${a.maxFailedRatio}) cannot act with --no-wait: apply stops after the send and does not watch the validation; run 'campaignctl watch --key ${c.key}' in a later step to guard it`,
          ]
        : [],
    ),
  );
  return warnings.length === 0 ? plan : { ...plan, warnings: [...plan.warnings, ...warnings] };
}
