import { sleep as realSleep } from "../core/sleep.js";

/**
 * Client-side rate limiter: a sliding-window log per endpoint.
 *
 * Each request holds a slot from the moment it starts until `window + safety` after it FINISHED.
 * Anchoring on completion rather than start is what makes the guarantee hold at the server: the
 * server saw the request no later than we saw its response, so a request we start after
 * `finished + window` arrives more than a window after it, whatever the latencies were (a
 * first request that spends 100 ms on TCP connect no longer lets the 151st overtake it).
 * When all slots are taken we wait exactly until the oldest one leaves the window, so a burst
 * of N requests takes ceil(N / requests) - 1 windows plus latency and margins.
 */

export interface RateLimit {
  readonly requests: number;
  readonly windowMs: number;
}

export interface RateLimiterOptions extends RateLimit {
  /** Extra wait beyond the window for clock and timestamping differences. Default 50 ms. */
  readonly safetyMs?: number;
  /** Clock in ms; default Date.now. */
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface RatePermit {
  /** How long acquire() waited for the slot, ms. */
  readonly waitedMs: number;
  /** Call when the response (or failure) arrived. Idempotent. */
  done(): void;
}

export interface RateLimiter {
  /** Resolves when a request on `endpoint` may start; the caller must call `done()` after it. */
  acquire(endpoint: string): Promise<RatePermit>;
  /** Hold every request on `endpoint` until `untilMs` (the server told us to back off). */
  blockUntil(endpoint: string, untilMs: number): void;
}

export const DEFAULT_SAFETY_MS = 50;

interface EndpointState {
  /** Completion time per slot; Infinity while the request is in flight. */
  readonly slots: Array<{ end: number }>;
  /** Tail of the queue of pending acquires: grants happen in call order. */
  tail: Promise<unknown>;
  blockedUntil: number;
  /** Wakes a grant that waits only on in-flight requests. */
  onDone: Array<() => void>;
}

export function createClientRateLimiter(options: RateLimiterOptions): RateLimiter {
  if (!(options.requests >= 1) || !(options.windowMs > 0)) {
    throw new RangeError("rate limit needs requests >= 1 and windowMs > 0");
  }
  const span = options.windowMs + (options.safetyMs ?? DEFAULT_SAFETY_MS);
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? realSleep;
  const states = new Map<string, EndpointState>();

  function stateOf(endpoint: string): EndpointState {
    let state = states.get(endpoint);
    if (state === undefined) {
      state = { slots: [], tail: Promise.resolve(), blockedUntil: 0, onDone: [] };
      states.set(endpoint, state);
    }
    return state;
  }

  function permit(state: EndpointState, waitedMs: number): RatePermit {
    const slot = { end: Infinity };
    state.slots.push(slot);
    return {
      waitedMs,
      done() {
        if (slot.end !== Infinity) return;
        slot.end = now();
        for (const wake of state.onDone.splice(0)) wake();
      },
    };
  }

  async function grant(state: EndpointState): Promise<RatePermit> {
    let waited = 0;
    for (;;) {
      const t = now();
      for (let i = state.slots.length - 1; i >= 0; i--) {
        if ((state.slots[i] as { end: number }).end + span <= t) state.slots.splice(i, 1);
      }
      let wait = state.blockedUntil - t;
      if (state.slots.length >= options.requests) {
        const oldest = state.slots.reduce((min, s) => Math.min(min, s.end), Infinity);
        if (oldest === Infinity) {
          // Every slot is still in flight: the first completion starts the countdown.
          const started = now();
          await new Promise<void>((resolve) => state.onDone.push(resolve));
          waited += now() - started;
          continue;
        }
        wait = Math.max(wait, oldest + span - t);
      }
      if (wait <= 0) return permit(state, waited);
      await sleep(wait);
      waited += wait;
    }
  }

  return {
    acquire(endpoint) {
      const state = stateOf(endpoint);
      const granted = state.tail.then(() => grant(state));
      state.tail = granted.catch(() => undefined);
      return granted;
    },
    blockUntil(endpoint, untilMs) {
      const state = stateOf(endpoint);
      state.blockedUntil = Math.max(state.blockedUntil, untilMs);
    },
  };
}
