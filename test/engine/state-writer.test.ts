import { describe, expect, it } from "vitest";
import { CampaignctlError } from "../../src/core/errors.js";
import { StateWriter } from "../../src/engine/state-writer.js";
import { newState } from "../../src/state/records.js";
import type { CampaignRecord, StateStore } from "../../src/state/types.js";
import { MEMORY_TARGET, memoryStateStore } from "../support/memory-engine.js";

const rec = (key: string, rows = 1): CampaignRecord => ({ key, applied: { audienceRows: rows } });

/** A memory store whose commits wait for `open()`; `fail` makes the next commit throw. */
function gatedStore() {
  const inner = memoryStateStore();
  let gate: (() => void) | undefined;
  let fail = false;
  const store: StateStore = {
    ...inner,
    async commit(changes, expected, meta) {
      await new Promise<void>((resolve) => (gate = resolve));
      if (fail) {
        fail = false;
        throw new CampaignctlError({ code: "STATE_WRITE_FAILED", message: "disk full" });
      }
      return inner.commit(changes, expected, meta);
    },
  };
  return {
    inner,
    store,
    open: async () => {
      while (gate === undefined) await new Promise((r) => setImmediate(r));
      const g = gate;
      gate = undefined;
      g();
      await new Promise((r) => setImmediate(r));
    },
    failNext: () => (fail = true),
  };
}

describe("StateWriter", () => {
  it("starts a new state with init, then sends what waited meanwhile as one commit", async () => {
    const g = gatedStore();
    const writer = new StateWriter(g.store, newState(MEMORY_TARGET), "apply");
    let firstDone = false;
    const first = writer.commit([{ kind: "put", record: rec("a") }]).then(() => (firstDone = true));
    const second = writer.commit([{ kind: "put", record: rec("b") }]);
    const third = writer.commit([{ kind: "put", record: rec("c") }]);
    // Every change is visible in memory at once.
    expect(Object.keys(writer.state.campaigns).sort()).toEqual(["a", "b", "c"]);
    expect(firstDone).toBe(false);
    await g.open();
    await first;
    await g.open();
    await Promise.all([second, third]);
    expect(g.inner.commits.map((c) => c.map((x) => x.kind))).toEqual([
      ["init", "put"],
      ["put", "put"],
    ]);
    expect(g.inner.current()?.serial).toBe(2);
    expect(writer.state.serial).toBe(2);
  });

  it("fails every caller of a failed commit, and sends its changes again with the next", async () => {
    const g = gatedStore();
    const writer = new StateWriter(g.store, newState(MEMORY_TARGET), "apply");
    g.failNext();
    const failed = writer.commit([{ kind: "put", record: rec("a") }]);
    const caught = failed.catch((e: unknown) => e);
    await g.open();
    expect(((await caught) as CampaignctlError).message).toBe("disk full");
    const next = writer.commit([{ kind: "put", record: rec("b") }]);
    await g.open();
    await next;
    await writer.flushed();
    expect(g.inner.commits).toHaveLength(1);
    expect(g.inner.commits[0]!.map((c) => c.kind)).toEqual(["init", "put", "put"]);
    expect(Object.keys(g.inner.current()!.campaigns).sort()).toEqual(["a", "b"]);
  });
});
