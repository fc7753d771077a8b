import { describe, expect, it } from "vitest";
import { pollUntil } from "../../src/core/poll.js";

/** A fake clock that only moves when the injected sleep is called. */
function fakeTime() {
  let now = 1_000;
  const slept: number[] = [];
  return {
    now: () => now,
    sleep: async (ms: number) => {
      slept.push(ms);
      now += ms;
    },
    slept,
  };
}

describe("pollUntil", () => {
  it("reads until done, waiting the interval between reads", async () => {
    const time = fakeTime();
    const values = ["a", "b", "done"];
    const pending: string[] = [];
    const outcome = await pollUntil({
      read: async () => values.shift()!,
      done: (v) => v === "done",
      intervalMs: 50,
      timeoutMs: 10_000,
      onPending: (v) => pending.push(v),
      ...time,
    });
    expect(outcome).toEqual({ done: true, value: "done" });
    expect(pending).toEqual(["a", "b"]);
    expect(time.slept).toEqual([50, 50]);
  });

  it("gives up with the last value once the timeout has passed", async () => {
    const time = fakeTime();
    let reads = 0;
    const outcome = await pollUntil({
      read: async () => (reads += 1),
      done: () => false,
      intervalMs: 100,
      timeoutMs: 250,
      ...time,
    });
    // Reads at 0, 100, 200, 300 ms: the fourth is past the timeout, so no fourth wait.
    expect(outcome).toEqual({ done: false, value: 4 });
    expect(time.slept).toEqual([100, 100, 100]);
  });

  it("does not wait when the first read is already done", async () => {
    const time = fakeTime();
    const outcome = await pollUntil({
      read: async () => 7,
      done: () => true,
      intervalMs: 5,
      timeoutMs: 0,
      ...time,
    });
    expect(outcome).toEqual({ done: true, value: 7 });
    expect(time.slept).toEqual([]);
  });
});
