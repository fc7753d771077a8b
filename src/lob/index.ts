/** The Lob HTTP client: what the engine imports. Wire types live in ./wire.js. */
export { afterCursorOf, createLobClient, DEFAULT_MAX_IN_FLIGHT, DEFAULT_TIMEOUT_MS } from "./client.js";
export type {
  CreativeFileField,
  LobClient,
  LobClientEvent,
  LobClientOptions,
  LobClientStats,
  LocalFile,
} from "./client.js";
export { codeForStatus, isLobApiError, LobApiError, parseLobErrorBody } from "./errors.js";
export type { LobApiErrorDetails, LobErrorCode, ParsedErrorBody } from "./errors.js";
export { createClientRateLimiter, DEFAULT_SAFETY_MS } from "./rate-limiter.js";
export type { RateLimit, RateLimiter, RateLimiterOptions, RatePermit } from "./rate-limiter.js";
export {
  computeBackoff,
  computeRetryDelay,
  DEFAULT_MAX_ATTEMPTS,
  isIdempotentMethod,
  parseRetryAfter,
  serverRequestedDelay,
  shouldRetry,
} from "./retry.js";
export type { RetryDelayInput, RetryQuestion } from "./retry.js";
export { withRetry } from "./with-retry.js";
export type { RetryEvent, RetryOptions, RetrySettings, RetryableOutcome } from "./with-retry.js";
export { createTransport } from "./transport.js";
export type {
  AttemptOutcome,
  Transport,
  TransportEvent,
  TransportOptions,
  TransportRequest,
} from "./transport.js";
export { toLobApiError } from "./to-lob-api-error.js";
export type { FailedRequest } from "./to-lob-api-error.js";
export { createServerClock } from "./server-clock.js";
export type { ServerClock } from "./server-clock.js";
export { DEFAULT_LOB_API_URL, resolveTarget } from "./target.js";
export type { LobTarget, TargetFlags } from "./target.js";
