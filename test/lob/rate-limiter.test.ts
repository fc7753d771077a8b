import { describe, expect, it } from "vitest";
import { createClientRateLimiter } from "../../src/lob/rate-limiter.js";
import type { RateLimiter } from "../../src/lob/rate-limiter.js";

/** A fake clock: sleeping advances time, so the schedule is exact and instant. */
function fakeClock() {
  let t = 1_000_000;
  return {
    now: () => t,
    sleep: async (ms: number) => {
      await Promise.resolve();
      t += ms;
    },
  };
}

/** Acquire for a request that completes instantly; resolves with the wait. */
async function take(limiter: RateLimiter, endpoint: string): Promise<number> {
  const permit = await limiter.acquire(endpoint);
  permit.done();
  return permit.waitedMs;
}

function maxInAnyWindow(times: readonly number[], windowMs: number): number {
  let max = 0;
  for (const start of times) {
    max = Math.max(max, times.filter((t) => t >= start && t < start + windowMs).length);
  }
  return max;
}

describe("createClientRateLimiter", () => {
  it("admits at most `requests` per window and waits exactly for the oldest to leave", async () => {
    const clock = fakeClock();
    const limiter = createClientRateLimiter({ requests: 5, windowMs: 200, safetyMs: 50, ...clock });
    const start = clock.now();
    const granted: number[] = [];
    await Promise.all(
      Array.from({ length: 20 }, () =>
        take(limiter, "GET /campaigns").then(() => granted.push(clock.now() - start)),
      ),
    );
    expect(granted).toHaveLength(20);
    expect(maxInAnyWindow(granted, 250)).toBe(5);
    // Tightest possible schedule: 4 batches of 5, one (window + safety) apart.
    expect(granted).toEqual([
      0, 0, 0, 0, 0, 250, 250, 250, 250, 250, 500, 500, 500, 500, 500, 750, 750, 750, 750, 750,
    ]);
  });

  it("a 300-request burst at Lob's 150/5 s finishes in just over one window", async () => {
    const clock = fakeClock();
    const limiter = createClientRateLimiter({ requests: 150, windowMs: 5000, ...clock });
    const start = clock.now();
    await Promise.all(Array.from({ length: 300 }, () => take(limiter, "POST /campaigns")));
    expect(clock.now() - start).toBe(5050);
  });

  it("counts the window from when a request finished, not when it started", async () => {
    const clock = fakeClock();
    const limiter = createClientRateLimiter({ requests: 1, windowMs: 1000, safetyMs: 0, ...clock });
    const slow = await limiter.acquire("e");
    const next = limiter.acquire("e");
    await clock.sleep(300); // the first request takes 300 ms
    slow.done();
    const permit = await next;
    // Waited for the completion (300) and then a full window after it (1000).
    expect(permit.waitedMs).toBe(1300);
    permit.done();
  });

  it("keeps endpoints independent", async () => {
    const clock = fakeClock();
    const limiter = createClientRateLimiter({ requests: 2, windowMs: 1000, safetyMs: 0, ...clock });
    await take(limiter, "GET /campaigns");
    await take(limiter, "GET /campaigns");
    const waits = await Promise.all([take(limiter, "GET /uploads"), take(limiter, "GET /uploads")]);
    expect(waits).toEqual([0, 0]);
    expect(await take(limiter, "GET /campaigns")).toBe(1000);
  });

  it("reports the wait and only waits for what is needed", async () => {
    const clock = fakeClock();
    const limiter = createClientRateLimiter({ requests: 1, windowMs: 1000, safetyMs: 0, ...clock });
    expect(await take(limiter, "e")).toBe(0);
    await clock.sleep(600);
    expect(await take(limiter, "e")).toBe(400);
  });

  it("holds an endpoint until blockUntil passes", async () => {
    const clock = fakeClock();
    const limiter = createClientRateLimiter({ requests: 10, windowMs: 1000, ...clock });
    limiter.blockUntil("e", clock.now() + 3000);
    expect(await take(limiter, "e")).toBe(3000);
    expect(await take(limiter, "other")).toBe(0);
  });

  it("rejects nonsense limits", () => {
    expect(() => createClientRateLimiter({ requests: 0, windowMs: 1000 })).toThrow(RangeError);
  });
});
