import { createTwoFilesPatch } from "diff";
import { join } from "node:path";
import { CampaignctlError } from "../core/errors.js";
import type { Diagnostic } from "../core/diagnostics.js";
import { formatLocation, hasErrors } from "../core/diagnostics.js";
import { loadManifests } from "../manifest/index.js";
import type { CampaignManifest } from "../manifest/types.js";
import { planApply } from "../plan/plan-apply.js";
import { planDestroy } from "../plan/plan-destroy.js";
import type { AudienceSkip, DesiredCampaign, ObservedWorld, Plan, PlanScope } from "../plan/types.js";
import type { PreflightReport } from "../audience/types.js";
import type { Project } from "../project/types.js";
import { loadPreviousHtml } from "./artwork-cache.js";
import { buildDesired } from "./desired.js";
import type { EngineDeps } from "./deps.js";
import type { EngineEvent, EngineIo } from "./events.js";
import { observeWorld } from "./observe.js";
import type { Session } from "./session.js";
import { openSession } from "./session.js";

export interface LoadedDesired {
  readonly manifests: ReadonlyMap<string, CampaignManifest>;
  readonly desired: ReadonlyMap<string, DesiredCampaign>;
  readonly warnings: readonly Diagnostic[];
  /**
   * Per campaign key, the audience warnings (rows Lob will skip, duplicates). Shown only when a
   * plan sends that campaign (reportRowWarnings), not on every plan of a campaign long sent.
   */
  readonly rowWarnings: ReadonlyMap<string, readonly Diagnostic[]>;
  /** Per campaign key, the rows Lob will skip by rule and count, carried into the plan. */
  readonly audienceSkips?: ReadonlyMap<string, readonly AudienceSkip[]>;
}

/** Load and validate manifests (offline); refuse to go on if any is invalid. */
export async function loadDesired(
  paths: readonly string[],
  options: {
    cwd: string;
    env: Readonly<Record<string, string | undefined>>;
    io: Pick<EngineIo, "notify">;
    cacheDir?: string;
    project?: Project;
  },
): Promise<LoadedDesired & { diagnostics: readonly Diagnostic[] }> {
  const result = await loadManifests(paths, {
    cwd: options.cwd,
    env: options.env,
    preflight: true,
    cacheDir: options.cacheDir ?? join(options.project?.root ?? options.cwd, ".campaignctl", "cache"),
    ...(options.project ? { project: options.project } : {}),
  });
  if (hasErrors(result.diagnostics)) {
    throw new ManifestErrors(result.diagnostics);
  }
  // Row-level problems are warnings (Lob skips those rows): kept per campaign for the plan that
  // sends it. Other warnings (about the manifests themselves) are shown now.
  const rowWarnings = new Map<string, Diagnostic[]>();
  const fromAudience = new Set<Diagnostic>();
  for (const [key, report] of result.preflight) {
    const warnings = report.diagnostics.filter((d) => d.severity === "warning");
    rowWarnings.set(key, warnings);
    for (const warning of warnings) fromAudience.add(warning);
  }
  for (const warning of result.diagnostics.filter((d) => d.severity === "warning")) {
    if (!fromAudience.has(warning)) options.io.notify(warningEvent(warning, "manifest_warning"));
  }
  const desired = await withUnitCosts(
    await buildDesired(result.manifests, result.preflight),
    options.project,
    options.cwd,
  );
  return {
    manifests: new Map(result.manifests.map((m) => [m.key, m])),
    desired: new Map(desired.map((d) => [d.key, d])),
    warnings: result.diagnostics.filter((d) => d.severity === "warning"),
    rowWarnings,
    audienceSkips: new Map([...result.preflight].map(([key, report]) => [key, skipsOf(report)])),
    diagnostics: result.diagnostics,
  };
}

/**
 * Each campaign's price per piece, from the project's price table (loaded lazily: the pricing
 * module and its table are read only by commands that plan). The planner multiplies it by the
 * pieces a send mails and checks the budgets.
 */
async function withUnitCosts(
  desired: readonly DesiredCampaign[],
  project: Project | undefined,
  cwd: string,
): Promise<DesiredCampaign[]> {
  const { loadPriceBook, unitCostOf } = await import("../pricing/index.js");
  const book = await loadPriceBook(project, cwd);
  return desired.map((d) => {
    const letter = d.creative.resource_type === "letter";
    const unknownPages =
      letter && d.creative.pages === undefined
        ? pagesUnknownReason(d.creative.artworkSource.file)
        : undefined;
    const unitCost = unitCostOf(book, {
      resourceType: d.creative.resource_type,
      details: d.creative.details,
      ...(d.creative.pages !== undefined ? { pages: d.creative.pages } : {}),
      ...(unknownPages !== undefined ? { pagesUnknownReason: unknownPages } : {}),
    });
    return { ...d, unitCost };
  });
}

function pagesUnknownReason(file: string | undefined): string {
  if (file === undefined) return "the letter's page count is unknown";
  if (/^tmpl_/.test(file)) return `the letter's page count is unknown: its artwork is a template (${file})`;
  if (/^https:\/\//.test(file)) return "the letter's page count is unknown: its artwork is a remote URL";
  if (/\.pdf$/i.test(file)) return `the letter's page count is unknown: ${file} could not be read as a PDF`;
  return "the letter's page count is unknown: HTML is laid out into pages by Lob";
}

/**
 * The report's failure groups as plan data. Preflight emits one ROWS_FAILING warning per group,
 * in the same order, and only the warning knows the first row's CSV line.
 */
function skipsOf(report: PreflightReport): AudienceSkip[] {
  const lines = report.diagnostics.filter((d) => d.code === "ROWS_FAILING").map((d) => d.line);
  const aligned = lines.length === report.failures.length;
  return report.failures.map((group, i) => ({
    rule: group.reason,
    count: group.count,
    file: report.file,
    line: aligned ? (lines[i] ?? 0) : 0,
  }));
}

/**
 * What a reviewer needs beside the actions: the project, the target, and the rows Lob will skip
 * in each audience this plan uploads or sends (a campaign long sent stays quiet).
 */
export function withReviewContext(
  plan: Plan,
  session: Pick<Session, "target">,
  project: string | undefined,
  audienceSkips?: ReadonlyMap<string, readonly AudienceSkip[]>,
): Plan {
  const campaigns = plan.campaigns.map((campaign) => {
    const skips = audienceSkips?.get(campaign.key) ?? [];
    const touchesAudience = campaign.actions.some((a) => a.kind === "send" || a.kind === "upload_file");
    return skips.length > 0 && touchesAudience ? { ...campaign, audienceSkips: skips } : campaign;
  });
  return {
    ...plan,
    campaigns,
    ...(project !== undefined ? { project } : {}),
    target: { apiUrl: session.target.apiUrl, mode: session.target.mode },
  };
}

function warningEvent(warning: Diagnostic, code: "manifest_warning" | "row_warning"): EngineEvent {
  return { type: "warn", code, message: `${formatLocation(warning)}: ${warning.message}` };
}

/**
 * The audience warnings of the campaigns this plan sends: said once, before the send, where they
 * matter. A campaign already sent (or not sending now) gets none, so re-plans stay quiet.
 */
export function reportRowWarnings(plan: Plan, loaded: LoadedDesired, io: Pick<EngineIo, "notify">): void {
  for (const campaign of plan.campaigns) {
    if (!campaign.actions.some((action) => action.kind === "send")) continue;
    for (const warning of loaded.rowWarnings.get(campaign.key) ?? [])
      io.notify(warningEvent(warning, "row_warning"));
  }
}

/** Invalid manifests: carries every diagnostic so the CLI can print them all. */
export class ManifestErrors extends CampaignctlError {
  constructor(
    readonly diagnostics: readonly Diagnostic[],
    hint = "fix them (run 'campaignctl validate' to check offline), then run this again",
  ) {
    const errors = diagnostics.filter((d) => d.severity === "error").length;
    super({
      code: "MANIFEST_INVALID",
      message: `${errors} error${errors === 1 ? "" : "s"} in the manifests; nothing was planned`,
      hint,
    });
  }
}

/**
 * Open the session and refresh what Lob holds while the manifests load and their audiences are
 * preflighted: the refresh needs only the state (a campaign a lost create may have made always has
 * a state record, written before the create), so the network and the CPU work overlap.
 */
export async function loadAndObserve(
  deps: EngineDeps,
  paths: readonly string[],
  options: Omit<Parameters<typeof loadDesired>[1], "io"> & { readonly projectName?: string },
  command: string,
): Promise<{ session: Session; loaded: LoadedDesired; observed: ObservedWorld }> {
  const remote = openSession(deps, command).then(async (session) => {
    try {
      // A state that records nothing (none yet, or lost) makes every manifest a create: the full
      // scan that must precede a create (decisions.md §14) then starts at once, during loading.
      const fullScan =
        Object.keys(session.state.campaigns).length === 0 &&
        Object.keys(session.state.destroyed ?? {}).length === 0;
      const observed = await observeWorld(session.client, session.state, [], {
        ...(options.projectName !== undefined ? { project: options.projectName } : {}),
        ...(fullScan ? { fullScan } : {}),
      });
      return { session, observed };
    } catch (error) {
      await session.close();
      throw error;
    }
  });
  // Awaited below; this only stops Node from calling the rejection unhandled while we load.
  remote.catch(() => undefined);
  let loaded: LoadedDesired;
  try {
    loaded = await loadDesired(paths, { ...options, io: deps.io });
  } catch (error) {
    await remote.then(({ session }) => session.close()).catch(() => undefined);
    throw error;
  }
  const { session, observed } = await remote;
  try {
    assertSameAccount(session, observed);
  } catch (error) {
    await session.close();
    throw error;
  }
  return { session, loaded, observed };
}

/**
 * The state records the API URL and mode, not the account (that would mean storing something
 * derived from the key). A key of another account makes every recorded campaign look deleted;
 * planning on that would re-create them all there. Two or more, all gone, is that signature.
 */
function assertSameAccount(session: Session, observed: ObservedWorld): void {
  const recorded = Object.values(session.state.campaigns).filter((r) => r.campaignId !== undefined);
  if (recorded.length < 2 || observed.campaigns.size > 0 || observed.missing.size < recorded.length) return;
  throw new CampaignctlError({
    code: "STATE_TARGET_MISMATCH",
    message: `none of the ${recorded.length} campaigns recorded in ${session.store.location} exist for this API key: is LOB_API_KEY the key of another Lob account?`,
    hint: "use the key of the account this state belongs to, or --state PATH for a separate state; if they were deleted in Lob on purpose, 'campaignctl destroy' forgets them",
  });
}

export interface ApplyPlanOptions {
  /** The project's name (tag `campaignctl_project`). */
  readonly project: string;
  /** `budget.max_cost_per_run` from campaignctl.yaml. */
  readonly budget?: { readonly maxCostPerRun?: number };
  readonly settleMs?: number;
  readonly recreate?: readonly string[];
  /** Default "project": recorded campaigns without a manifest are planned as removed. */
  readonly scope?: PlanScope;
}

/**
 * Plan, and when the plan would create a campaign, first prove from a complete listing that Lob
 * holds none for its key (decisions.md §14): the full scan is paid only when a create is planned.
 * `now` is read after observing, so it reflects Lob's clock from the responses just received.
 */
export async function makeApplyPlan(
  session: Session,
  loaded: LoadedDesired,
  observed: ObservedWorld,
  now: () => Date,
  options: ApplyPlanOptions,
): Promise<{ plan: Plan; observed: ObservedWorld }> {
  const plan = await planOnce(session, loaded, observed, now, options);
  if (observed.complete === true || !createsCampaign(plan)) return { plan, observed };
  const scanned = await observeWorld(session.client, session.state, [], {
    project: options.project,
    fullScan: true,
  });
  return { plan: await planOnce(session, loaded, scanned, now, options), observed: scanned };
}

function createsCampaign(plan: Plan): boolean {
  return plan.campaigns.some((c) =>
    c.actions.some((a) => (a.kind === "create" || a.kind === "replace") && a.resource === "campaign"),
  );
}

async function planOnce(
  session: Session,
  loaded: LoadedDesired,
  observed: ObservedWorld,
  now: () => Date,
  options: ApplyPlanOptions,
): Promise<Plan> {
  const hashes = new Set<string>();
  for (const record of Object.values(session.state.campaigns)) {
    for (const identity of Object.values(record.applied.artwork ?? {})) {
      if (identity.startsWith("sha256:")) hashes.add(identity.slice(7));
    }
  }
  const previousHtml = await loadPreviousHtml(session.store.blobs, hashes);
  const plan = planApply({
    desired: [...loaded.desired.values()],
    state: session.state,
    observed,
    scope: options.scope ?? "project",
    now: now().toISOString(),
    previousHtml,
    diffText: (field, before, after) =>
      createTwoFilesPatch(`${field} (applied)`, `${field} (manifest)`, before, after, "", "", { context: 2 }),
    project: options.project,
    ...(options.settleMs !== undefined ? { settleMs: options.settleMs } : {}),
    ...(options.recreate ? { recreate: options.recreate } : {}),
    ...(options.budget ? { budget: options.budget } : {}),
  });
  return withReviewContext(plan, session, options.project, loaded.audienceSkips);
}

export async function makeDestroyPlan(
  session: Session,
  keys: readonly string[] | undefined,
  now: () => Date,
  project?: string,
): Promise<Plan> {
  const selected = keys ?? Object.keys(session.state.campaigns);
  const observed = await observeWorld(session.client, session.state, selected, {
    ...(project !== undefined ? { project } : {}),
  });
  const plan = planDestroy({
    state: session.state,
    observed,
    now: now().toISOString(),
    ...(keys ? { keys } : {}),
  });
  return withReviewContext(plan, session, project);
}
