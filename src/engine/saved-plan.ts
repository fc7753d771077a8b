import { readFile } from "node:fs/promises";
import { canonicalJson, hashValue } from "../core/canonical.js";
import { CampaignctlError } from "../core/errors.js";
import type { CampaignPlan, Plan, PlannedAction } from "../plan/types.js";
import { writeFileAtomic } from "../core/atomic-file.js";
import type { StateTarget } from "../state/types.js";

/**
 * `plan --out FILE` / `apply --plan FILE`: what was reviewed is what gets applied. Apply plans
 * afresh and refuses if the fresh plan differs from the saved one in anything but the clock.
 */
export interface SavedPlan {
  readonly format: "campaignctl-plan";
  readonly version: 1;
  readonly createdAt: string;
  /** Manifest paths the plan was made from, as given on the command line. */
  readonly paths: readonly string[];
  readonly target: StateTarget;
  /** Hash of the plan's actions, without fields that only reflect when it was made. */
  readonly fingerprint: string;
  readonly plan: Plan;
}

export function makeSavedPlan(
  plan: Plan,
  paths: readonly string[],
  target: StateTarget,
  now: Date,
): SavedPlan {
  return {
    format: "campaignctl-plan",
    version: 1,
    createdAt: now.toISOString(),
    paths,
    target,
    fingerprint: planFingerprint(plan),
    plan,
  };
}

/** What must not change between review and apply: every action and field change, per campaign. */
export function planFingerprint(plan: Plan): string {
  return hashValue(plan.campaigns.map(stableCampaign));
}

function stableCampaign(campaign: CampaignPlan): unknown {
  return { key: campaign.key, headline: campaign.headline, actions: campaign.actions.map(stableAction) };
}

/**
 * Drop the parts of an action that only say when or where the plan was made. A create's or
 * update's `body` and `applied` follow from its `changes` and the state's lineage (checked on its
 * own), and `local` paths are this machine's: only the hashes of the local files it sends count.
 */
function stableAction(action: PlannedAction): unknown {
  if (action.kind === "create" || action.kind === "update") {
    const { body, applied: _applied, ...rest } = action;
    const files = body.resource === "creative" ? body.files : undefined;
    if (!files) return rest;
    return {
      ...rest,
      files: Object.fromEntries(Object.entries(files).map(([field, f]) => [field, f.sha256])),
    };
  }
  if (action.kind === "upload_file") {
    const { local: _local, ...rest } = action;
    return rest;
  }
  if (action.kind === "send") {
    const { cancelDeadlineIfSentNow: _deadline, ...rest } = action;
    return rest;
  }
  if (action.kind === "record_send") {
    const { sentAt: _sentAt, ...rest } = action;
    return rest;
  }
  return action;
}

export async function writeSavedPlan(path: string, saved: SavedPlan, file: string = path): Promise<void> {
  try {
    // A typo in the directory is reported, not silently created.
    await writeFileAtomic(path, `${JSON.stringify(saved, null, 2)}\n`, { createDirectories: false });
  } catch (error) {
    throw new CampaignctlError({
      code: "USAGE",
      message: `cannot write the plan to ${file} (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
      hint: "choose a path in a directory that exists and is writable",
    });
  }
}

/** `path` is read; `file` (as the user wrote it) is what messages name. */
export async function readSavedPlan(path: string, file: string = path): Promise<SavedPlan> {
  let value: unknown;
  try {
    value = JSON.parse(await readFile(path, "utf8"));
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? "not JSON";
    throw new CampaignctlError({
      code: "USAGE",
      message: `cannot read the saved plan ${file} (${reason})`,
      hint: "make one with 'campaignctl plan --out FILE'",
    });
  }
  const saved = value as Partial<SavedPlan>;
  if (saved?.format === "campaignctl-plan" && saved.version !== 1) {
    throw new CampaignctlError({
      code: "PLAN_STALE",
      message: `${file} is a campaignctl plan of version ${String(saved.version)}; this campaignctl reads version 1`,
      hint: "make it again with this campaignctl: 'campaignctl plan --out FILE'",
    });
  }
  if (
    saved.format !== "campaignctl-plan" ||
    saved.version !== 1 ||
    !saved.plan ||
    !saved.target ||
    !saved.fingerprint
  ) {
    throw new CampaignctlError({
      code: "USAGE",
      message: `${file} is not a campaignctl plan file (version 1)`,
      hint: "make one with 'campaignctl plan --out FILE'",
    });
  }
  return saved as SavedPlan;
}

/** Terraform's rule: a saved plan applies only to the world it was made against. */
export function assertSavedPlanCurrent(
  saved: SavedPlan,
  fresh: Plan,
  target: StateTarget,
  file: string,
): void {
  const hint = `run 'campaignctl plan --out ${file}' again, review it, then apply it`;
  if (canonicalJson(saved.target) !== canonicalJson(target)) {
    throw new CampaignctlError({
      code: "PLAN_STALE",
      message: `saved plan ${file} was made for ${saved.target.apiUrl} (${saved.target.mode}), not ${target.apiUrl} (${target.mode})`,
      hint,
    });
  }
  // Before the first apply there is no state file and each run starts a new lineage: only a
  // state that existed when the plan was made has a lineage to compare.
  const lineageMoved = saved.plan.stateSerial > 0 && saved.plan.stateLineage !== fresh.stateLineage;
  if (lineageMoved || saved.plan.stateSerial !== fresh.stateSerial) {
    throw new CampaignctlError({
      code: "PLAN_STALE",
      message: `saved plan ${file} is stale: the state was changed by another operation after the plan was made (serial ${saved.plan.stateSerial} → ${fresh.stateSerial})`,
      hint,
    });
  }
  if (saved.fingerprint !== planFingerprint(fresh)) {
    const before = new Map(
      saved.plan.campaigns.map((c) => [c.key, planFingerprint({ ...fresh, campaigns: [c] })]),
    );
    const changed = fresh.campaigns
      .filter((c) => before.get(c.key) !== planFingerprint({ ...fresh, campaigns: [c] }))
      .map((c) => c.key);
    const gone = saved.plan.campaigns
      .filter((c) => !fresh.campaigns.some((f) => f.key === c.key))
      .map((c) => c.key);
    throw new CampaignctlError({
      code: "PLAN_STALE",
      message: `saved plan ${file} is stale: the manifests or Lob changed since it was made (now different: ${[...changed, ...gone].join(", ")})`,
      hint,
    });
  }
}
