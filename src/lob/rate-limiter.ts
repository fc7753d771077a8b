/**
 * Client-side rate limiter: a sliding-window log per endpoint. A request may start when fewer
 * than `requests` requests started on its endpoint in the last `windowMs + safetyMs`; otherwise
 * it waits exactly until the oldest of them leaves that window. This is the tightest schedule
 * that never exceeds the limit in any window (fixed or sliding) the server may count in, so a
 * burst of N requests takes ceil(N / requests) - 1 windows plus the margins.
 */

export interface RateLimit {
  readonly requests: number;
  readonly windowMs: number;
}

export interface RateLimiterOptions extends RateLimit {
  /**
   * Extra wait beyond the window, because the server counts arrival times, not our send times,
   * and clocks differ. Default 50 ms.
   */
  readonly safetyMs?: number;
  /** Clock in ms; default Date.now. */
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface RateLimiter {
  /** Resolves when a request on `endpoint` may start (and records it); value = ms waited. */
  acquire(endpoint: string): Promise<number>;
  /** Hold every request on `endpoint` until `untilMs` (the server told us to back off). */
  blockUntil(endpoint: string, untilMs: number): void;
}

export const DEFAULT_SAFETY_MS = 50;

interface EndpointState {
  /** Start times of granted requests, oldest first, pruned lazily. */
  readonly log: number[];
  /** Tail of the queue of pending acquires: grants happen in call order. */
  tail: Promise<unknown>;
  blockedUntil: number;
}

export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  if (!(options.requests >= 1) || !(options.windowMs > 0)) {
    throw new RangeError("rate limit needs requests >= 1 and windowMs > 0");
  }
  const span = options.windowMs + (options.safetyMs ?? DEFAULT_SAFETY_MS);
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? defaultSleep;
  const states = new Map<string, EndpointState>();

  function stateOf(endpoint: string): EndpointState {
    let state = states.get(endpoint);
    if (state === undefined) {
      state = { log: [], tail: Promise.resolve(), blockedUntil: 0 };
      states.set(endpoint, state);
    }
    return state;
  }

  async function grant(state: EndpointState): Promise<number> {
    let waited = 0;
    for (;;) {
      const t = now();
      while (state.log.length > 0 && (state.log[0] as number) + span <= t) state.log.shift();
      const logWait = state.log.length < options.requests ? 0 : (state.log[0] as number) + span - t;
      const wait = Math.max(logWait, state.blockedUntil - t);
      if (wait <= 0) {
        state.log.push(t);
        return waited;
      }
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

function defaultSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
