import { mapLimit } from "../core/concurrency.js";
import { CampaignctlError } from "../core/errors.js";
import { isLobApiError } from "../lob/errors.js";
import type { Campaign } from "../lob/wire.js";
import { cancelDeadline } from "../plan/plan-apply.js";
import { withCampaign, withDestroyed } from "../state/index.js";
import type { DestroyedRecord } from "../state/types.js";
import type { EngineDeps } from "./deps.js";
import type { FailureRule, WatchOutcome } from "./failure-guard.js";
import { FAILURE_SAMPLE_ROWS, failureRuleError, watchSend } from "./failure-guard.js";
import { assertKeysKnown } from "./key-selection.js";
import { ManifestErrors } from "./prepare.js";
import { openSession } from "./session.js";
import type { UseCaseOptions } from "./use-cases.js";
import { formatCount } from "../core/en-us.js";

/**
 * `campaignctl watch`: the failure-rate guard of apply, for campaigns sent by an earlier run (a CI
 * job after an `apply --no-wait` job). It watches only what it is asked to: the keys it names
 * (`--key`, or the manifests given), or else the project's sent campaigns whose manifests set
 * `send.max_failed_ratio`; it cancels only those whose manifest sets one.
 */
export interface WatchOptions extends UseCaseOptions {
  readonly paths: readonly string[];
  readonly keys?: readonly string[];
  readonly pollIntervalMs?: number;
  readonly timeoutMs?: number;
  readonly parallelism?: number;
}

export type WatchResult =
  /** Validation finished within the limit (or with no limit set). */
  | "finished"
  /** Over the limit inside the window: cancelled. */
  | "cancelled"
  /** Over the limit after the window closed (or Lob refused the cancel): nothing could be done. */
  | "too_late"
  /** Still validating when the watch gave up (--timeout). */
  | "timeout"
  /** Lob could not process the file at all (upload Errored). */
  | "errored"
  /** Not sent: nothing to watch. */
  | "not_sent"
  /** The campaign no longer exists in Lob (deleted or cancelled elsewhere). */
  | "gone";

export interface WatchedCampaign {
  readonly key: string;
  readonly campaignId: string | null;
  readonly result: WatchResult;
  readonly maxFailedRatio: number | null;
  readonly validated: number | null;
  readonly failed: number | null;
  readonly cancelDeadline: string | null;
  /** What happened, for people (the counts, the rule and what was done). */
  readonly message: string;
  readonly hint?: string;
}

export interface WatchOutcomeSummary {
  readonly campaigns: readonly WatchedCampaign[];
  /** True when anything needs a person: a cancel, too late, errored, timed out. */
  readonly failed: boolean;
}

export async function runWatch(deps: EngineDeps, options: WatchOptions): Promise<WatchOutcomeSummary> {
  const { loadManifests } = await import("../manifest/index.js");
  const loaded = await loadManifests(options.paths, {
    cwd: options.cwd,
    env: options.env,
    preflight: false,
    ...(options.project ? { project: options.project } : {}),
  }).catch((error: unknown) => {
    // A project with no manifests left can still have sent campaigns to watch by --key (unguarded).
    if (
      options.paths.length === 0 &&
      error instanceof CampaignctlError &&
      error.code === "MANIFEST_NOT_FOUND"
    ) {
      return { manifests: [], diagnostics: [] };
    }
    throw error;
  });
  // An invalid manifest could hide a limit, and the campaign would go unguarded.
  if (loaded.diagnostics.some((d) => d.severity === "error")) {
    throw new ManifestErrors(loaded.diagnostics, "fix them, then run 'campaignctl watch' again");
  }
  const ratios = new Map(loaded.manifests.map((m) => [m.key, m.send.max_failed_ratio] as const));
  const session = await openSession(deps, "watch");
  let state = session.state;
  try {
    const named = options.keys && options.keys.length > 0 ? [...options.keys] : undefined;
    assertKeysKnown(named, state);
    const manifestKeys = options.paths.length > 0 ? loaded.manifests.map((m) => m.key) : [];
    const keys = [
      ...new Set(
        named || options.paths.length > 0
          ? [...(named ?? []), ...manifestKeys]
          : Object.values(state.campaigns)
              .filter((r) => r.sentAt !== undefined && ratios.get(r.key) !== undefined)
              .map((r) => r.key),
      ),
    ].sort();
    if (keys.length === 0) {
      throw new CampaignctlError({
        code: "USAGE",
        message: "nothing to watch: no sent campaign in the state has a manifest with send.max_failed_ratio",
        hint: "name campaigns with --key KEY, or set send.max_failed_ratio in their manifests",
      });
    }
    const { client } = session;
    const watched = await mapLimit(keys, options.parallelism ?? 8, async (key): Promise<WatchedCampaign> => {
      const record = state.campaigns[key];
      const ratio = ratios.get(key);
      const base = { key, campaignId: record?.campaignId ?? null, maxFailedRatio: ratio ?? null };
      const empty = { validated: null, failed: null, cancelDeadline: null };
      if (!record?.campaignId) {
        return { ...base, ...empty, result: "not_sent", message: "not created in Lob yet: nothing to watch" };
      }
      const campaign = await getCampaignOrGone(session.client, record.campaignId);
      if (!campaign) {
        return {
          ...base,
          ...empty,
          result: "gone",
          message: `campaign ${record.campaignId} no longer exists in Lob`,
        };
      }
      if (campaign.is_draft) {
        return { ...base, ...empty, result: "not_sent", message: "a draft (not sent): nothing to watch" };
      }
      const deadline = cancelDeadline(campaign, record) ?? "";
      const uploadId = record.uploadId ?? campaign.uploads[0]?.id;
      if (!uploadId) {
        return { ...base, ...empty, result: "not_sent", message: "sent without an audience upload" };
      }
      const rule: FailureRule | undefined =
        ratio !== undefined
          ? { maxFailedRatio: ratio, audienceRows: record.applied.audienceRows ?? FAILURE_SAMPLE_ROWS }
          : undefined;
      const outcome = await watchSend({
        client,
        campaignId: campaign.id,
        uploadId,
        deadline,
        ...(rule ? { rule } : {}),
        now: () => deps.clock.now(),
        intervalMs: options.pollIntervalMs ?? 2_000,
        timeoutMs: options.timeoutMs ?? 30 * 60_000,
        sleep: (ms) => deps.clock.sleep(ms),
        onProgress: (u) =>
          deps.io.notify({
            type: "processing",
            code: "processing",
            key,
            state: u.state,
            validated: u.validatedMailpieces,
            failed: u.failedMailpieces,
            total: u.totalMailpieces,
          }),
      });
      const counts = {
        validated: outcome.upload.validatedMailpieces,
        failed: outcome.upload.failedMailpieces,
        cancelDeadline: deadline,
      };
      if (outcome.kind === "cancelled") {
        const tombstone: DestroyedRecord = { key, at: outcome.at, how: "cancelled", campaignId: campaign.id };
        // Destroyed stays destroyed: the next apply must not create and send this key again.
        // One commit with only this key's changes (StateWriter chains it after any other).
        await session.commit([
          { kind: "remove", key },
          { kind: "put_destroyed", record: tombstone },
        ]);
        state = withDestroyed(
          withCampaign(state, key, () => undefined),
          key,
          tombstone,
        );
      }
      return { ...base, ...counts, ...describe(key, campaign.id, rule, outcome, deadline) };
    });
    return {
      campaigns: watched,
      failed: watched.some((w) => w.result !== "finished" && w.result !== "not_sent" && w.result !== "gone"),
    };
  } finally {
    await session.close();
  }
}

function describe(
  key: string,
  campaignId: string,
  rule: FailureRule | undefined,
  outcome: WatchOutcome,
  deadline: string,
): { result: WatchResult; message: string; hint?: string } {
  const u = outcome.upload;
  const counts = `${formatCount(u.validatedMailpieces)} validated, ${formatCount(u.failedMailpieces)} failed`;
  switch (outcome.kind) {
    case "cancelled":
    case "too_late": {
      const error = failureRuleError(key, campaignId, rule!, outcome, deadline);
      return {
        result: outcome.kind,
        message: error.message,
        ...(error.hint ? { hint: error.hint } : {}),
      };
    }
    case "timeout":
      return {
        result: "timeout",
        message: `still ${u.state} when the watch stopped (${counts} so far)`,
        hint: `run 'campaignctl watch --key ${key}' again (a longer --timeout waits longer)`,
      };
    case "finished":
      if (u.state === "Errored") {
        return {
          result: "errored",
          message: `Lob could not process the audience (upload ${u.id} is Errored)`,
          hint: `run 'campaignctl failures ${key} --out FILE' for row-level reasons`,
        };
      }
      return {
        result: "finished",
        message: `${u.state}: ${counts}${rule ? `; within send.max_failed_ratio ${rule.maxFailedRatio}` : "; no send.max_failed_ratio set, so watched only"}`,
        ...(u.failedMailpieces > 0
          ? { hint: `'campaignctl failures ${key} --out FILE' downloads the failed rows (personal data)` }
          : {}),
      };
  }
}

async function getCampaignOrGone(
  client: { getCampaign(id: string): Promise<Campaign> },
  id: string,
): Promise<Campaign | undefined> {
  try {
    const campaign = await client.getCampaign(id);
    return campaign.deleted ? undefined : campaign;
  } catch (error) {
    if (isLobApiError(error) && error.status === 404) return undefined;
    throw error;
  }
}
