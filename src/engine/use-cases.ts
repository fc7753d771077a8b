import { resolve } from "node:path";
import { CampaignctlError } from "../core/errors.js";
import type { LobClientEvent } from "../lob/client.js";
import type { Plan, PlanScope } from "../plan/types.js";
import type { Project } from "../project/types.js";
import { artworkCacheDir, rememberHtml } from "./artwork-cache.js";
import type { CrashHook, Reporter } from "./events.js";
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

export interface TargetOptions {
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly sandbox: boolean;
  readonly statePath?: string;
  /** The project (src/project/): its root anchors the state and manifest search; default cwd. */
  readonly project?: Project;
  readonly lockTimeoutMs: number;
  readonly reporter: Reporter;
  readonly onClientEvent?: (event: LobClientEvent) => void;
  /** Called when SIGINT/SIGTERM stops the command, before it exits (say what was finished). */
  readonly onInterrupt?: (signal: NodeJS.Signals) => void;
  /** Injectable clock (tests); default real time. */
  readonly now?: () => Date;
  /** How long a create with no answer may still land in Lob (`--settle`); default 2 minutes. */
  readonly settleMs?: number;
}

function planOptions(
  options: TargetOptions & { readonly recreate?: readonly string[] },
  paths: readonly string[],
): ApplyPlanOptions {
  return {
    project: projectName(options),
    scope: scopeOfPaths(paths, options),
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
  paths: readonly string[],
  options: TargetOptions & { readonly out?: string; readonly recreate?: readonly string[] },
): Promise<PlanOutcome> {
  const { session, loaded, observed } = await loadAndObserve(
    paths,
    { ...options, projectName: projectName(options) },
    "plan",
  );
  try {
    const now = options.now ?? (() => session.client.serverNow());
    const { plan } = await makeApplyPlan(session, loaded, observed, now, planOptions(options, paths));
    reportRowWarnings(plan, loaded, options.reporter);
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

export interface ApplyOptions extends TargetOptions {
  readonly allowSend: boolean;
  /** `--plan FILE`: apply only if a fresh plan equals this saved one; no prompt. */
  readonly savedPlanFile?: string;
  /** Campaigns applied at once (default DEFAULT_PARALLELISM). */
  readonly parallelism?: number;
  readonly waitForProcessing: boolean;
  readonly pollIntervalMs?: number;
  readonly waitTimeoutMs?: number;
  readonly crash?: CrashHook;
  /** Shown the plan; resolves to go ahead or throws to stop. Called only when there are changes. */
  readonly confirm: (plan: Plan) => Promise<void>;
  readonly showPlan: (plan: Plan) => void;
  /** Keys destroyed earlier to create again (`--recreate KEY`); sending still needs approval and --allow-send. */
  readonly recreate?: readonly string[];
  /** Waits out settle times (tests inject a fake); default setTimeout. */
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface ApplyOutcome extends ExecuteResult {
  readonly plan: Plan;
  readonly requests: number;
}

/** `apply`: plan, show, approve, execute step by step with state saved after each. */
export async function runApply(paths: readonly string[], options: ApplyOptions): Promise<ApplyOutcome> {
  const saved = options.savedPlanFile
    ? await readSavedPlan(resolve(options.cwd, options.savedPlanFile), options.savedPlanFile)
    : undefined;
  const manifestPaths = paths.length === 0 && saved ? saved.paths : paths;
  const { session, loaded, observed } = await loadAndObserve(
    manifestPaths,
    { ...options, projectName: projectName(options) },
    "apply",
  );
  // Lob's clock (from its Date headers), not ours: cancel windows and send times are Lob's.
  const now = options.now ?? (() => session.client.serverNow());
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  try {
    let { plan } = await makeApplyPlan(session, loaded, observed, now, planOptions(options, manifestPaths));
    // A create with no answer may still land: wait out its settle time, then look again, before
    // anything is shown, approved or done (decisions.md §14).
    for (let round = 0; round < 5 && plan.summary.wait > 0; round += 1) {
      const until = Math.max(...waitDeadlines(plan));
      const ms = Math.max(0, until - now().getTime()) + 1_000;
      options.reporter({
        type: "info",
        message: `Waiting ${Math.ceil(ms / 1000)} s (until ${new Date(until).toISOString()}, Lob's clock) for ${plan.summary.wait} earlier create(s) with no answer to settle before deciding anything (--settle)…`,
      });
      await sleep(ms);
      const again = await observeWorld(session.client, session.state, [], {
        project: projectName(options),
      });
      ({ plan } = await makeApplyPlan(session, loaded, again, now, planOptions(options, manifestPaths)));
    }
    reportRowWarnings(plan, loaded, options.reporter);
    if (saved) assertSavedPlanCurrent(saved, plan, session.target, options.savedPlanFile!);
    options.showPlan(plan);
    if (!plan.hasChanges) return unchanged(plan, session);
    // A saved plan was the review; applying it exactly is the approval (as in Terraform).
    if (!saved) await options.confirm(plan);
    const cacheDir = artworkCacheDir(session.store.path);
    const result = await executePlan(plan, {
      client: session.client,
      store: session.store,
      state: session.state,
      manifests: loaded.manifests,
      desired: loaded.desired,
      reporter: options.reporter,
      allowSend: options.allowSend,
      waitForProcessing: options.waitForProcessing,
      parallelism: options.parallelism ?? DEFAULT_PARALLELISM,
      pollIntervalMs: options.pollIntervalMs ?? (session.sandbox ? 200 : 2_000),
      waitTimeoutMs: options.waitTimeoutMs ?? 30 * 60_000,
      now,
      sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
      ...(options.crash ? { crash: options.crash } : {}),
      rememberHtml: (sha, html) => rememberHtml(cacheDir, sha, html),
      project: projectName(options),
    });
    return { ...result, plan, requests: session.client.stats().requests };
  } finally {
    await session.close();
  }
}

/**
 * No paths, or the project root itself (`apply .` at the root), means the whole project; other
 * paths limit a run to their campaigns, so it never deletes a campaign it was not shown.
 */
function scopeOfPaths(paths: readonly string[], options: TargetOptions): PlanScope {
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

export interface DestroyOptions extends TargetOptions {
  readonly parallelism?: number;
  readonly keys?: readonly string[];
  readonly paths: readonly string[];
  readonly confirm: (plan: Plan) => Promise<void>;
  readonly showPlan: (plan: Plan) => void;
}

/** `destroy`: delete drafts, cancel sent campaigns inside their window, refuse the rest. */
export async function runDestroy(options: DestroyOptions): Promise<ApplyOutcome> {
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
  const session = await openSession({ ...options, command: "destroy" });
  const now = options.now ?? (() => session.client.serverNow());
  try {
    assertKeysKnown(givenKeys, session.state, manifestKeys);
    const plan = await makeDestroyPlan(session, keys, now, projectName(options));
    options.showPlan(plan);
    if (!plan.hasChanges) return unchanged(plan, session);
    await options.confirm(plan);
    const result = await executePlan(plan, {
      client: session.client,
      store: session.store,
      state: session.state,
      manifests: new Map(),
      desired: new Map(),
      reporter: options.reporter,
      allowSend: false,
      waitForProcessing: false,
      parallelism: options.parallelism ?? DEFAULT_PARALLELISM,
      pollIntervalMs: 1_000,
      waitTimeoutMs: 0,
      now,
      sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
      project: projectName(options),
    });
    return { ...result, plan, requests: session.client.stats().requests };
  } finally {
    await session.close();
  }
}

export interface FailuresOptions extends TargetOptions {
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
export async function runFailures(options: FailuresOptions): Promise<FailuresOutcome> {
  const session: Session = await openSession({ ...options, command: "failures" });
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
    const started = Date.now();
    const poll = options.pollIntervalMs ?? (session.sandbox ? 100 : 2_000);
    let exported = await client.getExport(record.uploadId, created.exportId);
    while (exported.state === "in_progress") {
      if (Date.now() - started > (options.timeoutMs ?? 10 * 60_000)) {
        throw new CampaignctlError({
          code: "TIMEOUT",
          source: "remote",
          message: `export ${created.exportId} is still in progress`,
          hint: "run 'campaignctl failures' again later",
        });
      }
      await new Promise((r) => setTimeout(r, poll));
      exported = await client.getExport(record.uploadId, created.exportId);
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
