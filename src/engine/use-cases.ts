import { resolve } from "node:path";
import { CampaignctlError } from "../core/errors.js";
import type { LobClientEvent } from "../lob/client.js";
import type { Plan } from "../plan/types.js";
import { artworkCacheDir, rememberHtml } from "./artwork-cache.js";
import type { CrashHook, Reporter } from "./events.js";
import type { ExecuteResult } from "./execute.js";
import { executePlan } from "./execute.js";
import { loadAndObserve, makeApplyPlan, makeDestroyPlan, ManifestErrors } from "./prepare.js";
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
  readonly lockTimeoutMs: number;
  readonly reporter: Reporter;
  readonly onClientEvent?: (event: LobClientEvent) => void;
  /** Injectable clock (tests); default real time. */
  readonly now?: () => Date;
  readonly project?: { readonly name: string; readonly root: string; readonly allowPaths: readonly string[] };
}

export interface PlanOutcome {
  readonly plan: Plan;
  readonly requests: number;
}

/** `plan`: load, observe, diff. Writes nothing (it still locks, so it never reads a half-written apply). */
export async function runPlan(
  paths: readonly string[],
  options: TargetOptions & { readonly out?: string },
): Promise<PlanOutcome> {
  const { session, loaded, observed } = await loadAndObserve(paths, options, "plan");
  try {
    const now = options.now ?? (() => session.client.serverNow());
    const plan = await makeApplyPlan(session, loaded, observed, now);
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
  const { session, loaded, observed } = await loadAndObserve(manifestPaths, options, "apply");
  // Lob's clock (from its Date headers), not ours: cancel windows and send times are Lob's.
  const now = options.now ?? (() => session.client.serverNow());
  try {
    const plan = await makeApplyPlan(session, loaded, observed, now);
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
    });
    return { ...result, plan, requests: session.client.stats().requests };
  } finally {
    await session.close();
  }
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
    const manifestKeys = loaded.manifests.map((m) => m.key);
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
    const plan = await makeDestroyPlan(session, keys, now);
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
