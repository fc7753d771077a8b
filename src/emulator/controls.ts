import type { UndeliverableRule } from "./store.js";
import type { FaultKind, FaultOptions, RateLimitOptions, UndeliverableOptions } from "./types.js";
import { FAULT_KINDS, RANDOM_FAULT_KINDS } from "./types.js";

/** Deterministic PRNG (mulberry32): the same seed gives the same fault sequence. */
export function createRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The undeliverable setting with its seed fixed (drawn when none is given), or undefined when off.
 * Throws on a ratio outside 0..1 or a seed that is not a whole number.
 */
export function resolveUndeliverable(
  options: UndeliverableOptions | null | undefined,
): UndeliverableRule | undefined {
  if (!options) return undefined;
  const { ratio, seed } = options;
  if (typeof ratio !== "number" || !Number.isFinite(ratio) || ratio < 0 || ratio > 1) {
    throw new Error("the undeliverable ratio must be a number from 0 to 1");
  }
  if (seed !== undefined && !Number.isInteger(seed)) throw new Error("the seed must be a whole number");
  if (ratio === 0) return undefined;
  return { ratio, seed: seed ?? Math.floor(Math.random() * 2 ** 32) };
}

/**
 * Whether data row `rowNumber` (1-based) is failed as undeliverable: a draw that depends only on
 * the seed and the row number, so the same seed fails the same rows in any order, after a
 * restart, and in any emulator.
 */
export function isUndeliverableRow(rule: UndeliverableRule, rowNumber: number): boolean {
  // Mix seed and row (murmur3's finaliser) so neighbouring rows draw independent values.
  let h = (rule.seed ^ Math.imul(rowNumber, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  h = (h ^ (h >>> 16)) >>> 0;
  return createRandom(h)() < rule.ratio;
}

interface Injected {
  readonly kind: FaultKind;
  remaining: number;
  readonly endpoint: string | undefined;
  readonly delayMs: number | undefined;
}

export interface FaultPlan {
  set(options: FaultOptions | null | undefined): void;
  injectNext(kind: FaultKind, opts?: { count?: number; endpoint?: string; delayMs?: number }): void;
  /** The fault for this request, if any. One-shot injections win over random faults. */
  pick(endpoint: string): FaultKind | undefined;
  /** The hold of the fault pick() returned last, when it was injected with one (complete_after_disconnect). */
  lastDelayMs(): number | undefined;
}

export function createFaultPlan(initial: FaultOptions | undefined): FaultPlan {
  let rate = 0;
  let kinds: readonly FaultKind[] = RANDOM_FAULT_KINDS;
  let random = createRandom(1);
  let lastDelay: number | undefined;
  const injected: Injected[] = [];
  const plan: FaultPlan = {
    set(options) {
      rate = options ? Math.min(1, Math.max(0, options.rate)) : 0;
      kinds = options?.kinds && options.kinds.length > 0 ? [...options.kinds] : RANDOM_FAULT_KINDS;
      random = createRandom(options?.seed ?? Math.floor(Math.random() * 2 ** 32));
    },
    injectNext(kind, opts = {}) {
      if (!FAULT_KINDS.includes(kind)) throw new Error(`unknown fault kind '${kind}'`);
      injected.push({
        kind,
        remaining: Math.max(1, opts.count ?? 1),
        endpoint: opts.endpoint,
        delayMs: opts.delayMs,
      });
    },
    lastDelayMs: () => lastDelay,
    pick(endpoint) {
      lastDelay = undefined;
      const index = injected.findIndex((i) => i.endpoint === undefined || i.endpoint === endpoint);
      if (index >= 0) {
        const hit = injected[index]!;
        hit.remaining -= 1;
        if (hit.remaining <= 0) injected.splice(index, 1);
        lastDelay = hit.delayMs;
        return hit.kind;
      }
      if (rate > 0 && random() < rate) return kinds[Math.floor(random() * kinds.length)] ?? kinds[0];
      return undefined;
    },
  };
  plan.set(initial);
  return plan;
}

export interface RateDecision {
  readonly allowed: boolean;
  readonly limit: number;
  readonly remaining: number;
  /** Epoch ms when the window resets. */
  readonly resetAt: number;
}

export interface ServerRateLimiter {
  set(limit: RateLimitOptions | false): void;
  /** Counts one request against `key`; undefined when rate limiting is off. */
  take(key: string, nowMs: number): RateDecision | undefined;
}

/**
 * The server side of rate limiting: counts requests and refuses those over the limit, in fixed
 * windows per key (key = account + endpointKey), like Lob's "150 per 5 s per key per endpoint".
 * (The client's limiter, in src/lob, paces requests so this one never has to refuse them.)
 */
export function createServerRateLimiter(initial: RateLimitOptions | false): ServerRateLimiter {
  let limit = initial;
  const windows = new Map<string, { start: number; count: number }>();
  return {
    set(next) {
      limit = next;
      windows.clear();
    },
    take(key, nowMs) {
      if (limit === false) return undefined;
      let w = windows.get(key);
      if (!w || nowMs >= w.start + limit.windowMs) {
        if (windows.size > 10_000) {
          for (const [k, v] of windows) if (nowMs >= v.start + limit.windowMs) windows.delete(k);
        }
        w = { start: nowMs, count: 0 };
        windows.set(key, w);
      }
      w.count += 1;
      const allowed = w.count <= limit.requests;
      return {
        allowed,
        limit: limit.requests,
        remaining: Math.max(0, limit.requests - w.count),
        resetAt: w.start + limit.windowMs,
      };
    },
  };
}

export function rateLimitHeaders(d: RateDecision): Record<string, string> {
  const reset = String(Math.ceil(d.resetAt / 1000));
  return {
    "X-Rate-Limit-Limit": String(d.limit),
    "X-Rate-Limit-Remaining": String(d.remaining),
    "X-Rate-Limit-Reset": reset,
    "ratelimit-limit": String(d.limit),
    "ratelimit-remaining": String(d.remaining),
    "ratelimit-reset": reset,
  };
}
