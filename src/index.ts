/**
 * campaignctl as a library, for people who script us. The CLI is a thin layer over these same
 * functions. The use cases take their world as one `EngineDeps` (client, state store, lock, I/O
 * host, clock): build it in memory, or from env as the CLI does with `engineDepsFromEnv`; `validate`
 * takes its `cwd` and `env` as arguments. What is not injected: the time a poll of Lob has been
 * waiting (for an upload to validate, an export to build) is measured on the real clock: with a
 * `clock` whose `sleep` returns at once a poll asks again at once, and still gives up only after
 * its timeout in real time.
 */
export { loadManifests as validate } from "./manifest/index.js";
export type { LoadOptions as ValidateOptions, LoadResult as ValidateResult } from "./manifest/index.js";
export {
  runApply as apply,
  runDestroy as destroy,
  runFailures as failures,
  runPlan as plan,
} from "./engine/use-cases.js";
export { runStatus as status } from "./engine/status.js";
export { runWatch as watch } from "./engine/watch.js";
export type { WatchOptions, WatchOutcomeSummary, WatchedCampaign } from "./engine/watch.js";
export type { StatusOutcome } from "./engine/status.js";
export type {
  ApplyOptions,
  ApplyOutcome,
  DestroyOptions,
  FailuresOptions,
  FailuresOutcome,
  PlanOutcome,
  UseCaseOptions,
} from "./engine/use-cases.js";
export type {
  ApprovePlanQuestion,
  EngineEvent,
  EngineIo,
  EngineQuestion,
  Reporter,
} from "./engine/events.js";
export { inProcessLock, systemClock } from "./engine/deps.js";
export type { Clock, EngineDeps, EngineLock } from "./engine/deps.js";
export { defaultsIoHost } from "./core/io-host.js";
export type { IoHost, IoMessage, IoRequest } from "./core/io-host.js";
export { engineDepsFromEnv } from "./deps-from-env.js";
export type { EngineDepsOptions, OpenedEngineDeps } from "./deps-from-env.js";

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
