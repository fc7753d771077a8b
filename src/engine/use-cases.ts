import { resolve } from "node:path";
import { CampaignctlError } from "../core/errors.js";
import { pollUntil } from "../core/poll.js";
import type { Plan, PlanScope } from "../plan/types.js";
import type { Project } from "../project/types.js";
import { rememberHtml } from "./artwork-cache.js";
import type { EngineDeps } from "./deps.js";
import type { ApprovePlanQuestion } from "./events.js";
import type { ExecuteResult } from "./execute.js";
import { executePlan } from "./execute.js";
import { assertKeysKnown } from "./key-selection.js";
import { observeWorld } from "./observe.js";
import type { ApplyPlanOptions } from "./prepare.js";
import {
  loadAndObserve,
  makeApplyPlan,
  makeDestroyPlan,
  ManifestErrors,
  reportRowWarnings,
} from "./prepare.js";
import { projectName } from "./project-name.js";
import { assertSavedPlanCurrent, makeSavedPlan, readSavedPlan, writeSavedPlan } from "./saved-plan.js";
import type { Session } from "./session.js";
import { openSession } from "./session.js";

/** Campaigns worked on at once. Each runs one request at a time, so this stays under the client's in-flight limit. */
export const DEFAULT_PARALLELISM = 8;

/**
 * What every use case is given besides its deps: where relative paths start, the variables
 * manifests may substitute (`${env:NAME}`: passed in, never read from the process), the project.
 */
export interface UseCaseOptions {
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The project (src/project/): its root anchors the manifest search and caches; default cwd. */
  readonly project?: Project;
  /** How long a create with no answer may still land in Lob (`--settle`); default 2 minutes. */
  readonly settleMs?: number;
}

function planOptions(
  options: UseCaseOptions & { readonly recreate?: readonly string[] },
  paths: readonly string[],
): ApplyPlanOptions {
  return {
    project: projectName(options),
    scope: scopeOfPaths(paths, options),
    ...(options.project?.budget ? { budget: options.project.budget } : {}),
    ...(options.settleMs !== undefined ? { settleMs: options.settleMs } : {}),
    ...(options.recreate && options.recreate.length > 0 ? { recreate: options.recreate } : {}),
  };
}

export interface PlanOutcome {
  readonly plan: Plan;
  readonly requests: number;
}

/** `plan`: load, observe, diff. Writes nothing (it still locks, so it never reads a half-written apply). */
export async function runPlan(
  deps: EngineDeps,
  paths: readonly string[],
  options: UseCaseOptions & { readonly out?: string; readonly recreate?: readonly string[] },
): Promise<PlanOutcome> {
  const { session, loaded, observed } = await loadAndObserve(
    deps,
    paths,
    { ...options, projectName: projectName(options) },
    "plan",
  );
  try {
    const now = () => deps.clock.now();
    const { plan } = await makeApplyPlan(session, loaded, observed, now, planOptions(options, paths));
    reportRowWarnings(plan, loaded, deps.io);
    if (options.out) {
      await writeSavedPlan(
        resolve(options.cwd, options.out),
        makeSavedPlan(plan, paths, session.target, now()),
        options.out,
      );
    }
    return { plan, requests: session.client.stats().requests };
  } finally {
    await session.close();
  }
}

export interface ApplyOptions extends UseCaseOptions {
  readonly allowSend: boolean;
  /** `--plan FILE`: apply only if a fresh plan equals this saved one; no prompt. */
  readonly savedPlanFile?: string;
  /** Campaigns applied at once (default DEFAULT_PARALLELISM). */
  readonly parallelism?: number;
  readonly waitForProcessing: boolean;
  readonly pollIntervalMs?: number;
  readonly waitTimeoutMs?: number;
  /** Keys destroyed earlier to create again (`--recreate KEY`); sending still needs approval and --allow-send. */
  readonly recreate?: readonly string[];
}

export interface ApplyOutcome extends ExecuteResult {
  readonly plan: Plan;
  readonly requests: number;
}

/** `apply`: plan, show, approve, execute step by step with state saved after each. */
export async function runApply(
  deps: EngineDeps,
  paths: readonly string[],
  options: ApplyOptions,
): Promise<ApplyOutcome> {
  const saved = options.savedPlanFile
    ? await readSavedPlan(resolve(options.cwd, options.savedPlanFile), options.savedPlanFile)
    : undefined;
  const manifestPaths = paths.length === 0 && saved ? saved.paths : paths;
  const { session, loaded, observed } = await loadAndObserve(
    deps,
    manifestPaths,
    { ...options, projectName: projectName(options) },
    "apply",
  );
  const now = () => deps.clock.now();
  try {
    let { plan } = await makeApplyPlan(session, loaded, observed, now, planOptions(options, manifestPaths));
    // A create with no answer may still land: wait out its settle time, then look again, before
    // anything is shown, approved or done (decisions.md §14).
    for (let round = 0; round < 5 && plan.summary.wait > 0; round += 1) {
      const until = Math.max(...waitDeadlines(plan));
      const ms = Math.max(0, until - now().getTime()) + 1_000;
      deps.io.notify({
        type: "info",
        code: "settle_wait",
        message: `Waiting ${Math.ceil(ms / 1000)} s (until ${new Date(until).toISOString()}, Lob's clock) for ${plan.summary.wait} earlier create(s) with no answer to settle before deciding anything (--settle)…`,
      });
      await deps.clock.sleep(ms);
      const again = await observeWorld(session.client, session.state, [], {
        project: projectName(options),
      });
      ({ plan } = await makeApplyPlan(session, loaded, again, now, planOptions(options, manifestPaths)));
    }
    reportRowWarnings(plan, loaded, deps.io);
    if (saved) assertSavedPlanCurrent(saved, plan, session.target, options.savedPlanFile!);
    deps.io.notify({ type: "plan", code: "plan_ready", plan });
    if (!plan.hasChanges) return unchanged(plan, session);
    // A saved plan was the review; applying it exactly is the approval (as in Terraform).
    if (!saved) await approve(deps, plan, options.allowSend);
    const result = await executePlan(plan, {
      client: session.client,
      store: session.store,
      state: session.state,
      io: deps.io,
      allowSend: options.allowSend,
      waitForProcessing: options.waitForProcessing,
      parallelism: options.parallelism ?? DEFAULT_PARALLELISM,
      pollIntervalMs: options.pollIntervalMs ?? 2_000,
      waitTimeoutMs: options.waitTimeoutMs ?? 30 * 60_000,
      now,
      sleep: (ms) => deps.clock.sleep(ms),
      rememberHtml: (sha, html) => rememberHtml(session.store.blobs, sha, html),
    });
    return { ...result, plan, requests: session.client.stats().requests };
  } finally {
    await session.close();
  }
}

/**
 * Ask the host to approve a plan with changes. The default answer (what `--auto-approve` and a
 * host without a person take) is yes: sends are still gated by `allowSend` (--allow-send).
 */
async function approve(deps: EngineDeps, plan: Plan, allowSend: boolean): Promise<void> {
  const question: ApprovePlanQuestion = {
    code: "approve_plan",
    message: `Do you want to perform these actions (${plan.operation})?`,
    plan,
    allowSend,
    defaultResponse: true,
  };
  if (!(await deps.io.requestResponse(question))) {
    throw new CampaignctlError({
      code: "APPROVAL_DECLINED",
      message: `${plan.operation} cancelled: nothing was changed`,
    });
  }
}

/**
 * No paths, or the project root itself (`apply .` at the root), means the whole project; other
 * paths limit a run to their campaigns, so it never deletes a campaign it was not shown.
 */
function scopeOfPaths(paths: readonly string[], options: UseCaseOptions): PlanScope {
  const root = options.project?.root ?? options.cwd;
  if (paths.length === 0 || paths.some((p) => resolve(options.cwd, p) === root)) return "project";
  return "paths";
}

function waitDeadlines(plan: Plan): number[] {
  return plan.campaigns.flatMap((c) =>
    c.actions.flatMap((a) => (a.kind === "wait" ? [Date.parse(a.until)] : [])),
  );
}

/** Nothing to do: no approval asked, nothing written. */
function unchanged(plan: Plan, session: Session): ApplyOutcome {
  return {
    plan,
    state: session.state,
    failed: [],
    skippedSends: [],
    sent: [],
    requests: session.client.stats().requests,
  };
}

export interface DestroyOptions extends UseCaseOptions {
  readonly parallelism?: number;
  readonly keys?: readonly string[];
  readonly paths: readonly string[];
}

/** `destroy`: delete drafts, cancel sent campaigns inside their window, refuse the rest. */
export async function runDestroy(deps: EngineDeps, options: DestroyOptions): Promise<ApplyOutcome> {
  let keys = options.keys && options.keys.length > 0 ? [...options.keys] : undefined;
  const givenKeys = keys;
  let manifestKeys: string[] = [];
  if (options.paths.length > 0) {
    const { loadManifests } = await import("../manifest/index.js");
    const loaded = await loadManifests(options.paths, {
      cwd: options.cwd,
      env: options.env,
      preflight: false,
      ...(options.project ? { project: options.project } : {}),
    });
    // Skipping an invalid manifest here would silently leave its campaign uncancelled.
    if (loaded.diagnostics.some((d) => d.severity === "error")) {
      throw new ManifestErrors(
        loaded.diagnostics,
        "fix them, or name the campaigns to destroy with --key KEY (no manifest needed)",
      );
    }
    manifestKeys = loaded.manifests.map((m) => m.key);
    if (manifestKeys.length === 0) {
      throw new CampaignctlError({
        code: "MANIFEST_INVALID",
        message: "no campaign keys could be read from the given manifests",
        hint: "run 'campaignctl validate' on them, or name keys with --key",
      });
    }
    keys = [...(keys ?? []), ...manifestKeys];
  }
  const session = await openSession(deps, "destroy");
  const now = () => deps.clock.now();
  try {
    assertKeysKnown(givenKeys, session.state, manifestKeys);
    const plan = await makeDestroyPlan(session, keys, now, projectName(options));
    deps.io.notify({ type: "plan", code: "plan_ready", plan });
    if (!plan.hasChanges) return unchanged(plan, session);
    await approve(deps, plan, false);
    const result = await executePlan(plan, {
      client: session.client,
      store: session.store,
      state: session.state,
      io: deps.io,
      allowSend: false,
      waitForProcessing: false,
      parallelism: options.parallelism ?? DEFAULT_PARALLELISM,
      pollIntervalMs: 1_000,
      waitTimeoutMs: 0,
      now,
      sleep: (ms) => deps.clock.sleep(ms),
    });
    return { ...result, plan, requests: session.client.stats().requests };
  } finally {
    await session.close();
  }
}

export interface FailuresOptions extends UseCaseOptions {
  readonly key: string;
  readonly out?: string;
  readonly pollIntervalMs?: number;
  readonly timeoutMs?: number;
}

export interface FailuresOutcome {
  readonly file: string;
  readonly bytes: number;
  readonly failedRows: number;
  readonly totalRows: number;
}

/** Step 6 of Lob's flow: export the failed rows of a sent campaign and download the CSV. */
export async function runFailures(deps: EngineDeps, options: FailuresOptions): Promise<FailuresOutcome> {
  const session: Session = await openSession(deps, "failures");
  try {
    assertKeysKnown([options.key], session.state);
    const record = session.state.campaigns[options.key];
    if (!record?.uploadId) {
      const known = Object.keys(session.state.campaigns);
      throw new CampaignctlError({
        code: "USAGE",
        message: `no audience upload is recorded for '${options.key}'`,
        hint: known.length > 0 ? `known keys: ${known.join(", ")}` : "run 'campaignctl apply' first",
      });
    }
    if (!record.sentAt) {
      throw new CampaignctlError({
        code: "USAGE",
        message: `'${options.key}' has not been sent, so Lob has not validated its rows yet`,
        hint: "run 'campaignctl validate' to see which rows would fail, offline",
      });
    }
    const { client } = session;
    const upload = await client.getUpload(record.uploadId);
    const created = await client.createExport(record.uploadId, "failures");
    const { done, value: exported } = await pollUntil({
      read: () => client.getExport(record.uploadId!, created.exportId),
      done: (e) => e.state !== "in_progress",
      intervalMs: options.pollIntervalMs ?? 2_000,
      timeoutMs: options.timeoutMs ?? 10 * 60_000,
      sleep: (ms) => deps.clock.sleep(ms),
      now: () => Date.now(),
    });
    if (!done) {
      throw new CampaignctlError({
        code: "TIMEOUT",
        source: "remote",
        message: `export ${created.exportId} is still in progress`,
        hint: "run 'campaignctl failures' again later",
      });
    }
    if (exported.state !== "succeeded" || !exported.s3Url) {
      throw new CampaignctlError({
        code: "EXPORT_FAILED",
        source: "remote",
        message: `Lob could not build the failures export ${created.exportId} (state ${exported.state})`,
        hint: "try again; if it keeps failing, contact Lob support with the export id",
      });
    }
    const file = resolve(options.cwd, options.out ?? `${options.key}-failures.csv`);
    const { bytes } = await client.downloadToFile(exported.s3Url, file);
    return {
      file,
      bytes,
      failedRows: upload.failedMailpieces,
      totalRows: upload.totalMailpieces,
    };
  } finally {
    await session.close();
  }
}
