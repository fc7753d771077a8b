import { describe, expect, it } from "vitest";
import { createMutex, mapLimit } from "../../src/core/concurrency.js";

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("mapLimit", () => {
  it("keeps input order and never runs more than the limit at once", async () => {
    let running = 0;
    let peak = 0;
    const out = await mapLimit([30, 5, 20, 1, 10, 2, 8], 3, async (ms, i) => {
      running += 1;
      peak = Math.max(peak, running);
      await tick(ms);
      running -= 1;
      return `${i}:${ms}`;
    });
    expect(out).toEqual(["0:30", "1:5", "2:20", "3:1", "4:10", "5:2", "6:8"]);
    expect(peak).toBe(3);
  });

  it("after a failure starts nothing new, lets the calls in flight finish, then throws the first error", async () => {
    const events: string[] = [];
    const run = mapLimit([1, 30, 5, 5, 5], 2, async (ms, i) => {
      events.push(`start ${i}`);
      await tick(ms);
      events.push(`end ${i}`);
      if (i === 0) throw new Error("first");
      return i;
    });
    await expect(run).rejects.toThrow("first");
    expect(events).toEqual(["start 0", "start 1", "end 0", "end 1"]);
  });

  it("handles an empty list", async () => {
    expect(await mapLimit([], 4, async () => 1)).toEqual([]);
  });
});

describe("createMutex", () => {
  it("runs one at a time, in call order, and survives a failure", async () => {
    const run = createMutex();
    const events: string[] = [];
    const job = (name: string, ms: number, fail = false) =>
      run(async () => {
        events.push(`start ${name}`);
        await tick(ms);
        events.push(`end ${name}`);
        if (fail) throw new Error(name);
        return name;
      });
    const results = await Promise.allSettled([job("a", 20), job("b", 1, true), job("c", 5)]);
    expect(events).toEqual(["start a", "end a", "start b", "end b", "start c", "end c"]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
  });
});
