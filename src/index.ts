/**
 * campaignctl as a library, for people who script us. The CLI is a thin layer over these same
 * functions. Everything that does I/O takes its inputs explicitly (cwd, env, reporter).
 */
export { loadManifests as validate } from "./manifest/index.js";
export type { LoadOptions as ValidateOptions, LoadResult as ValidateResult } from "./manifest/index.js";
export {
  runApply as apply,
  runDestroy as destroy,
  runFailures as failures,
  runPlan as plan,
} from "./engine/use-cases.js";
export type {
  ApplyOptions,
  ApplyOutcome,
  DestroyOptions,
  FailuresOptions,
  FailuresOutcome,
  PlanOutcome,
  TargetOptions,
} from "./engine/use-cases.js";
export type { EngineEvent, Reporter } from "./engine/events.js";

// The pure core: plan from plain values, render the result.
export { planApply, planDestroy } from "./plan/index.js";
export type * from "./plan/types.js";
export { renderPlanJson } from "./render/plan-json.js";
export { renderPlanMarkdown } from "./render/plan-markdown.js";
export { renderPlanText } from "./render/plan-text.js";

export { preflightAudience } from "./audience/index.js";
export type { PreflightReport } from "./audience/types.js";
export { createLobClient, LobApiError } from "./lob/index.js";
export type { LobClient, LobClientOptions } from "./lob/index.js";
export { CampaignctlError } from "./core/errors.js";
export type { ErrorCode } from "./core/errors.js";
export type { Diagnostic } from "./core/diagnostics.js";
