import { describe, expect, it } from "vitest";
import { createGate } from "../../src/lob/gate.js";

describe("createGate", () => {
  it("lets at most `limit` holders in and serves waiters in order", async () => {
    const gate = createGate(2);
    const order: number[] = [];
    const a = await gate.enter();
    const b = await gate.enter();
    const c = gate.enter().then((release) => (order.push(3), release));
    const d = gate.enter().then((release) => (order.push(4), release));
    await Promise.resolve();
    expect(order).toEqual([]);
    a();
    a(); // a second release of the same slot is ignored
    const releaseC = await c;
    expect(order).toEqual([3]);
    b();
    (await d)();
    releaseC();
    expect(order).toEqual([3, 4]);
    // All slots are free again: two immediate entries.
    const [x, y] = await Promise.all([gate.enter(), gate.enter()]);
    x();
    y();
  });
});
