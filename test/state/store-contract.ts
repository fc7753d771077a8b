// The StateStore v2 contract: one vitest suite every backend runs (file here, Postgres in its own
// test file), so the engine can rely on the same behaviour whichever store it is given.
import { createHash, randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { afterEach, describe, expect, it } from "vitest";
import { CampaignctlError } from "../../src/core/errors.js";
import type {
  CampaignRecord,
  StateChange,
  StateStore,
  StateTarget,
  StateVersionRef,
} from "../../src/state/types.js";

export interface ContractFixture {
  /** A store on a fresh, empty state. */
  readonly store: StateStore;
  /** Another store on the same state (another run, another machine). */
  readonly second: () => Promise<StateStore>;
  readonly cleanup: () => Promise<void>;
}

const TARGET: StateTarget = { apiUrl: "https://api.lob.com/v1", mode: "test" };

function aRecord(key: string, rows = 3): CampaignRecord {
  return {
    key,
    campaignId: `cmp_${createHash("sha256").update(key).digest("hex").slice(0, 16)}`,
    applied: { campaign: { name: `Campaign ${key}` }, audienceRows: rows },
  };
}

async function caught(promise: Promise<unknown>): Promise<CampaignctlError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CampaignctlError);
  return error as CampaignctlError;
}

export function describeStateStoreContract(name: string, make: () => Promise<ContractFixture>): void {
  describe(`StateStore contract: ${name}`, () => {
    const opened: ContractFixture[] = [];
    const stores: StateStore[] = [];
    afterEach(async () => {
      for (const store of stores.splice(0)) await store.close();
      for (const fixture of opened.splice(0)) await fixture.cleanup();
    });

    async function fixture(): Promise<ContractFixture & { other: () => Promise<StateStore> }> {
      const f = await make();
      opened.push(f);
      stores.push(f.store);
      return {
        ...f,
        other: async () => {
          const s = await f.second();
          stores.push(s);
          return s;
        },
      };
    }

    /** Takes the lock, commits, gives the lock back: one short run. */
    async function run(
      store: StateStore,
      changes: readonly StateChange[],
      expected: StateVersionRef,
      command = "apply",
    ): Promise<StateVersionRef> {
      const lock = await store.lock(command);
      try {
        return await store.commit(changes, expected, { command });
      } finally {
        await lock.release();
      }
    }

    it("reads nothing, and has no history, before the first commit", async () => {
      const { store } = await fixture();
      expect(await store.read()).toBeUndefined();
      expect(await store.history()).toEqual([]);
      expect(typeof store.location).toBe("string");
      expect(["file", "postgres"]).toContain(store.backend);
    });

    it("starts a state with init: serial 1, the lineage and target given, no records", async () => {
      const { store } = await fixture();
      const lineage = randomUUID();
      const version = await run(store, [{ kind: "init", lineage, target: TARGET }], { lineage, serial: 0 });
      expect(version).toEqual({ lineage, serial: 1 });
      const state = await store.read();
      expect(state).toMatchObject({ version: 1, lineage, serial: 1, target: TARGET, campaigns: {} });
      expect(state?.destroyed ?? {}).toEqual({});
    });

    it("puts and removes records and destroyed entries, one serial per commit, seen by another store", async () => {
      const { store, other } = await fixture();
      const lineage = randomUUID();
      const lock = await store.lock("apply");
      let v: StateVersionRef = { lineage, serial: 0 };
      v = await store.commit(
        [
          { kind: "init", lineage, target: TARGET },
          { kind: "put", record: aRecord("alpha") },
        ],
        v,
        { command: "apply" },
      );
      v = await store.commit([{ kind: "put", record: aRecord("beta") }], v, { command: "apply" });
      v = await store.commit([{ kind: "put", record: aRecord("alpha", 7) }], v, { command: "apply" });
      v = await store.commit(
        [
          { kind: "remove", key: "beta" },
          { kind: "put_destroyed", record: { key: "beta", at: "2026-11-30T12:00:00.000Z", how: "deleted" } },
        ],
        v,
        { command: "destroy" },
      );
      expect(v).toEqual({ lineage, serial: 4 });
      const mid = await store.read();
      expect(Object.keys(mid!.campaigns)).toEqual(["alpha"]);
      expect(mid!.campaigns.alpha!.applied.audienceRows).toBe(7);
      expect(mid!.destroyed?.beta).toMatchObject({ key: "beta", how: "deleted" });
      v = await store.commit([{ kind: "remove_destroyed", key: "beta" }], v, { command: "apply" });
      await lock.release();

      const seen = await (await other()).read();
      expect(seen).toMatchObject({ lineage, serial: 5 });
      expect(Object.keys(seen!.campaigns)).toEqual(["alpha"]);
      expect(seen!.destroyed ?? {}).toEqual({});
    });

    it("replaces a whole state, keeping the new state's lineage and counting the serial on", async () => {
      const { store } = await fixture();
      const lineage = randomUUID();
      const v1 = await run(store, [{ kind: "init", lineage, target: TARGET }], { lineage, serial: 0 });
      const replacement = {
        version: 1 as const,
        lineage,
        serial: 99,
        target: TARGET,
        campaigns: { gamma: aRecord("gamma") },
      };
      const v2 = await run(store, [{ kind: "replace", state: replacement }], v1, "state rebuild");
      expect(v2).toEqual({ lineage, serial: 2 });
      const state = await store.read();
      expect(state).toMatchObject({ lineage, serial: 2 });
      expect(Object.keys(state!.campaigns)).toEqual(["gamma"]);
    });

    it("refuses a commit made from an older serial with STATE_CONFLICT naming both serials, losing nothing", async () => {
      const { store, other } = await fixture();
      const lineage = randomUUID();
      const v1 = await run(store, [{ kind: "init", lineage, target: TARGET }], { lineage, serial: 0 });
      const second = await other();
      const seen = await second.read();
      expect(seen?.serial).toBe(1);
      const v2 = await run(second, [{ kind: "put", record: aRecord("theirs") }], v1);
      expect(v2.serial).toBe(2);

      const lock = await store.lock("apply");
      try {
        const error = await caught(
          store.commit([{ kind: "put", record: aRecord("mine") }], v1, { command: "apply" }),
        );
        expect(error.code).toBe("STATE_CONFLICT");
        expect(error.message).toContain("serial 2");
        expect(error.message).toContain("serial 1");
        // Starting a state again over an existing one is a conflict too.
        const again = await caught(
          store.commit(
            [{ kind: "init", lineage: randomUUID(), target: TARGET }],
            { lineage, serial: 0 },
            { command: "apply" },
          ),
        );
        expect(again.code).toBe("STATE_CONFLICT");
      } finally {
        await lock.release();
      }
      const state = await store.read();
      expect(state?.serial).toBe(2);
      expect(Object.keys(state!.campaigns)).toEqual(["theirs"]);
    });

    it("refuses a commit to a state of another lineage", async () => {
      const { store } = await fixture();
      const lineage = randomUUID();
      await run(store, [{ kind: "init", lineage, target: TARGET }], { lineage, serial: 0 });
      const lock = await store.lock("apply");
      try {
        const error = await caught(
          store.commit(
            [{ kind: "put", record: aRecord("x") }],
            { lineage: randomUUID(), serial: 1 },
            { command: "apply" },
          ),
        );
        expect(error.code).toBe("STATE_CONFLICT");
        expect(error.message).toContain(lineage);
      } finally {
        await lock.release();
      }
    });

    it("refuses to commit without holding the lock", async () => {
      const { store } = await fixture();
      const lineage = randomUUID();
      const error = await caught(
        store.commit(
          [{ kind: "init", lineage, target: TARGET }],
          { lineage, serial: 0 },
          { command: "apply" },
        ),
      );
      expect(error.message).toContain("lock");
      expect(await store.read()).toBeUndefined();
    });

    it("lists history most recent first, with command and keys touched, at most `limit`", async () => {
      const { store } = await fixture();
      const lineage = randomUUID();
      let v = await run(store, [{ kind: "init", lineage, target: TARGET }], { lineage, serial: 0 }, "apply");
      v = await run(
        store,
        [
          { kind: "put", record: aRecord("b") },
          { kind: "put", record: aRecord("a") },
        ],
        v,
        "apply",
      );
      await run(store, [{ kind: "remove", key: "b" }], v, "state rm");
      const history = await store.history();
      expect(history.map((h) => [h.serial, h.command, h.keys])).toEqual([
        [3, "state rm", ["b"]],
        [2, "apply", ["a", "b"]],
        [1, "apply", []],
      ]);
      for (const entry of history) expect(Number.isNaN(Date.parse(entry.at))).toBe(false);
      expect((await store.history(2)).map((h) => h.serial)).toEqual([3, 2]);
    });

    it("keeps blobs by sha256, for any store on the same state", async () => {
      const { store, other } = await fixture();
      const html = "<html><body>Hello {{name}}</body></html>";
      const sha = createHash("sha256").update(html).digest("hex");
      expect(await store.blobs.get(sha)).toBeUndefined();
      await store.blobs.put(sha, new TextEncoder().encode(html));
      await store.blobs.put(sha, new TextEncoder().encode(html));
      expect(new TextDecoder().decode(await store.blobs.get(sha))).toBe(html);
      expect(new TextDecoder().decode(await (await other()).blobs.get(sha))).toBe(html);
    });

    it("holds the lock exclusively: a second store gets STATE_LOCKED naming the holder, then gets it after release", async () => {
      const { store, other } = await fixture();
      const command = `apply (${hostname()})`;
      const lock = await store.lock(command);
      expect(lock.info).toMatchObject({ pid: process.pid, host: hostname(), command });
      expect(await lock.isHeld()).toBe(true);
      const second = await other();
      const error = await caught(second.lock("plan"));
      expect(error.code).toBe("STATE_LOCKED");
      expect(error.message).toContain(`pid ${process.pid}`);
      expect(error.message).toContain(hostname());
      expect(error.message).toContain(command);
      expect(error.message).toContain(lock.info.since);
      await lock.release();
      expect(await lock.isHeld()).toBe(false);
      const next = await second.lock("plan");
      await next.release();
    });
  });
}
