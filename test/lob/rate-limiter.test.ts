import { describe, expect, it } from "vitest";
import { createRateLimiter } from "../../src/lob/rate-limiter.js";

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

function maxInAnyWindow(times: readonly number[], windowMs: number): number {
  let max = 0;
  for (let i = 0; i < times.length; i++) {
    const inWindow = times.filter((t) => t >= (times[i] as number) && t < (times[i] as number) + windowMs);
    max = Math.max(max, inWindow.length);
  }
  return max;
}

describe("createRateLimiter", () => {
  it("admits at most `requests` per window and waits exactly for the oldest to leave", async () => {
    const clock = fakeClock();
    const limiter = createRateLimiter({ requests: 5, windowMs: 200, safetyMs: 50, ...clock });
    const start = clock.now();
    const granted: number[] = [];
    await Promise.all(
      Array.from({ length: 20 }, () =>
        limiter.acquire("GET /campaigns").then(() => granted.push(clock.now() - start)),
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
    const limiter = createRateLimiter({ requests: 150, windowMs: 5000, ...clock });
    const start = clock.now();
    await Promise.all(Array.from({ length: 300 }, () => limiter.acquire("POST /campaigns")));
    expect(clock.now() - start).toBe(5050);
  });

  it("keeps endpoints independent", async () => {
    const clock = fakeClock();
    const limiter = createRateLimiter({ requests: 2, windowMs: 1000, safetyMs: 0, ...clock });
    await limiter.acquire("GET /campaigns");
    await limiter.acquire("GET /campaigns");
    const waits = await Promise.all([limiter.acquire("GET /uploads"), limiter.acquire("GET /uploads")]);
    expect(waits).toEqual([0, 0]);
    expect(await limiter.acquire("GET /campaigns")).toBe(1000);
  });

  it("reports the wait and only waits for what is needed", async () => {
    const clock = fakeClock();
    const limiter = createRateLimiter({ requests: 1, windowMs: 1000, safetyMs: 0, ...clock });
    expect(await limiter.acquire("e")).toBe(0);
    await clock.sleep(600);
    expect(await limiter.acquire("e")).toBe(400);
  });

  it("holds an endpoint until blockUntil passes", async () => {
    const clock = fakeClock();
    const limiter = createRateLimiter({ requests: 10, windowMs: 1000, ...clock });
    limiter.blockUntil("e", clock.now() + 3000);
    expect(await limiter.acquire("e")).toBe(3000);
    expect(await limiter.acquire("other")).toBe(0);
  });

  it("rejects nonsense limits", () => {
    expect(() => createRateLimiter({ requests: 0, windowMs: 1000 })).toThrow(RangeError);
  });
});
