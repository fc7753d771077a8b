import { internalError } from "../core/errors.js";
import { computeRetryDelay, DEFAULT_MAX_ATTEMPTS, shouldRetry } from "./retry.js";
import type { HeaderBag } from "./retry.js";

/** What withRetry needs to know of an attempt's outcome: a status (0 = no response) and why. */
export interface RetryableOutcome {
  readonly status: number;
  readonly headers?: HeaderBag | undefined;
  /** Network error code when status is 0. */
  readonly networkCode?: string | undefined;
}

export interface RetryOptions {
  readonly method: string;
  /** Only reported. */
  readonly endpoint: string;
  /** False for POSTs: they are re-sent only when Lob provably did nothing (retry.ts). */
  readonly idempotent: boolean;
  /** Attempts, the first included. Default DEFAULT_MAX_ATTEMPTS. */
  readonly maxAttempts?: number;
  readonly sleep: (ms: number) => Promise<void>;
  /** Uniform in [0, 1). */
  readonly random: () => number;
  /** Clock, ms since epoch (for HTTP-date Retry-After and epoch reset headers). */
  readonly now: () => number;
  /** Each 429, before deciding: the caller may hold back the endpoint's other requests. */
  readonly onRateLimited?: (endpoint: string, headers: HeaderBag) => void;
  readonly onRetry?: (e: RetryEvent) => void;
}

/** The settings a client holds for all its requests; each request adds what it is. */
export type RetrySettings = Omit<RetryOptions, "method" | "endpoint" | "idempotent">;

export interface RetryEvent {
  readonly type: "retry";
  readonly method: string;
  readonly endpoint: string;
  readonly delayMs: number;
  readonly reason: string;
}

/**
 * Runs `attempt(1)`, `attempt(2)`… until one answers 2xx, the policy (retry.ts `shouldRetry`)
 * says stop, or the attempts run out; between attempts it waits `computeRetryDelay` (the server's
 * Retry-After first). Resolves with the last outcome, success or not: describing a failure is the
 * caller's job (toLobApiError). The one loop for API calls and downloads alike.
 */
export async function withRetry<O extends RetryableOutcome>(
  attempt: (n: number) => Promise<O>,
  options: RetryOptions,
): Promise<O> {
  const maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  if (!(maxAttempts >= 1)) throw internalError(`withRetry needs maxAttempts >= 1, got ${maxAttempts}`);
  for (let n = 1; ; n += 1) {
    const outcome = await attempt(n);
    if (outcome.status >= 200 && outcome.status < 300) return outcome;
    const headers = outcome.headers ?? {};
    if (outcome.status === 429) options.onRateLimited?.(options.endpoint, headers);
    const again = shouldRetry({
      method: options.method,
      status: outcome.status,
      errorCode: outcome.networkCode,
      attempt: n,
      idempotent: options.idempotent,
      maxAttempts,
    });
    if (!again) return outcome;
    const delayMs = computeRetryDelay({ attempt: n, headers, now: options.now(), random: options.random });
    options.onRetry?.({
      type: "retry",
      method: options.method,
      endpoint: options.endpoint,
      delayMs,
      reason: outcome.status === 0 ? (outcome.networkCode ?? "network error") : `HTTP ${outcome.status}`,
    });
    await options.sleep(delayMs);
  }
}
