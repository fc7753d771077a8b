/**
 * Retry policy (octokit plugin-retry style): pure functions, no I/O, no clock of their own.
 * The transport asks `shouldRetry` after each failed attempt and waits `computeRetryDelay` ms.
 */

export const DEFAULT_MAX_ATTEMPTS = 5;
/** First backoff ceiling; doubles each attempt up to MAX_BACKOFF_MS. */
export const BASE_BACKOFF_MS = 500;
export const MAX_BACKOFF_MS = 30_000;
/** A server asking us to wait longer than this is treated as this (we'd rather fail than hang). */
export const MAX_RETRY_AFTER_MS = 60_000;

const RETRYABLE_STATUS: ReadonlySet<number> = new Set([429, 500, 502, 503, 504]);

/** Network failures worth retrying for idempotent requests. */
const TRANSIENT_NETWORK_CODES: ReadonlySet<string> = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ETIMEDOUT",
  "ECONNABORTED",
  "EPIPE",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENETDOWN",
  "ERR_SOCKET_CONNECTION_TIMEOUT",
  "UND_ERR_SOCKET",
]);

/**
 * Network failures where the request certainly never reached the server, so even a create can
 * be re-sent without risking a duplicate.
 */
const NOTHING_SENT_CODES: ReadonlySet<string> = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN"]);

export interface RetryQuestion {
  readonly method: string;
  /** HTTP status of the failed attempt; 0 when no response arrived. */
  readonly status: number;
  /** Network error code (ECONNRESET…) when status is 0. */
  readonly errorCode?: string | undefined;
  /** 1-based number of the attempt that just failed. */
  readonly attempt: number;
  /** True for GET/PATCH/DELETE; false for POSTs, which all create or trigger something on Lob. */
  readonly idempotent: boolean;
  /** Total attempts allowed, first included. Default 5. */
  readonly maxAttempts?: number;
}

export function isIdempotentMethod(method: string): boolean {
  return ["GET", "HEAD", "OPTIONS", "PUT", "PATCH", "DELETE"].includes(method.toUpperCase());
}

export function isNothingSentError(errorCode: string | undefined): boolean {
  return errorCode !== undefined && NOTHING_SENT_CODES.has(errorCode);
}

export function isTransientNetworkError(errorCode: string | undefined): boolean {
  return errorCode !== undefined && TRANSIENT_NETWORK_CODES.has(errorCode);
}

/**
 * Whether to send the request again. A non-idempotent request is only re-sent when the server
 * certainly did not process it: a 429 (Lob rejects before processing) or a refused connection.
 */
export function shouldRetry(q: RetryQuestion): boolean {
  if (q.attempt >= (q.maxAttempts ?? DEFAULT_MAX_ATTEMPTS)) return false;
  if (q.status === 429) return true;
  if (q.status === 0) {
    // A refused connection never carried the request; DNS failures are not transient enough.
    if (q.errorCode === "ECONNREFUSED") return true;
    return q.idempotent && isTransientNetworkError(q.errorCode);
  }
  return q.idempotent && RETRYABLE_STATUS.has(q.status);
}

/** Whether the status/network code is of the transient kind (independent of method and attempts). */
export function isRetryableFailure(status: number, errorCode?: string): boolean {
  if (status === 0) return isTransientNetworkError(errorCode);
  return RETRYABLE_STATUS.has(status);
}

export type HeaderBag = Readonly<Record<string, string | readonly string[] | number | undefined>>;

export interface RetryDelayInput {
  readonly attempt: number;
  readonly headers?: HeaderBag;
  /** Current time, ms since epoch (for HTTP-date Retry-After and epoch reset headers). */
  readonly now: number;
  /** Uniform in [0, 1). */
  readonly random: () => number;
  readonly baseMs?: number;
  readonly capMs?: number;
}

/**
 * Milliseconds to wait before the next attempt. The server's word (Retry-After, then the
 * rate-limit reset headers) wins over our own guess; otherwise exponential backoff with full
 * jitter (AWS architecture blog), which spreads concurrent retriers evenly.
 */
export function computeRetryDelay(input: RetryDelayInput): number {
  const told = serverRequestedDelay(input.headers ?? {}, input.now);
  if (told !== undefined) return Math.min(told, MAX_RETRY_AFTER_MS);
  return computeBackoff(input.attempt, input.random, input.baseMs, input.capMs);
}

export function computeBackoff(
  attempt: number,
  random: () => number,
  baseMs: number = BASE_BACKOFF_MS,
  capMs: number = MAX_BACKOFF_MS,
): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random() * ceiling);
}

/**
 * Delay the server asked for, from `Retry-After` (seconds or HTTP date) or the reset headers
 * (`X-Rate-Limit-Reset` / `ratelimit-reset`, UTC epoch seconds). Undefined when none is usable.
 */
export function serverRequestedDelay(headers: HeaderBag, now: number): number | undefined {
  const retryAfter = readHeader(headers, "retry-after");
  if (retryAfter !== undefined) {
    const parsed = parseRetryAfter(retryAfter, now);
    if (parsed !== undefined) return parsed;
  }
  const reset = readHeader(headers, "x-rate-limit-reset") ?? readHeader(headers, "ratelimit-reset");
  if (reset !== undefined && /^\d+(\.\d+)?$/.test(reset.trim())) {
    const value = Number(reset.trim());
    // Epoch seconds per Lob's docs; small values are delta-seconds (IETF ratelimit draft).
    const ms = value > 1_000_000_000 ? value * 1000 - now : value * 1000;
    return Math.max(0, Math.ceil(ms));
  }
  return undefined;
}

export function parseRetryAfter(value: string, now: number): number | undefined {
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.ceil(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

function readHeader(headers: HeaderBag, name: string): string | undefined {
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== name || value === undefined) continue;
    if (Array.isArray(value)) return value[0] === undefined ? undefined : String(value[0]);
    return String(value);
  }
  return undefined;
}
