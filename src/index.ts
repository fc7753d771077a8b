/**
 * campaignctl as a library, for people who script us. The CLI is a thin layer over these same
 * functions. They take their inputs as arguments: the working directory (`cwd`), the environment
 * (`env`: the API key, the API URL, settings) and a `reporter` for progress; none reads
 * `process.env` or `process.cwd()` itself. What is not injected: every command that reaches Lob
 * installs, while it runs, process-wide exit, SIGINT and SIGTERM handlers that release the state
 * lock and end the process on a signal (engine/session.ts); and waits (the lock timeout, polling
 * Lob) measure elapsed time on the real clock.
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
