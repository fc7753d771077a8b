import { appendFile, copyFile, readFile, stat, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { CampaignctlError } from "../../src/core/errors.js";
import { HISTORY_KEEP } from "../../src/state/file-history.js";
import { openStateStore, type FileStateStore } from "../../src/state/store.js";
import type { CampaignRecord, StateLock, StateVersionRef } from "../../src/state/types.js";
import { parseState } from "../../src/state/validate.js";
import { spawnChild, waitForExit, waitForLine } from "./helpers/processes.js";
import { tempDirs } from "./helpers/temp.js";

const temps = tempDirs();
afterEach(() => temps.cleanup());

const TARGET = { apiUrl: "https://api.lob.com/v1", mode: "test" } as const;
const LINEAGE = "6c1f7a52-3b0e-4f5e-8a43-2d9b1c0e7f11";

function aRecord(key: string, rows = 3): CampaignRecord {
  return {
    key,
    campaignId: `cmp_${key.replace(/[^a-z0-9]/g, "")}1`,
    applied: { campaign: { name: `Campaign ${key}`, description: "x".repeat(200) }, audienceRows: rows },
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

/** A locked store in journal mode over a state of `records` records (written as the snapshot). */
async function journalled(
  records = 20,
  opts: { secrets?: string[] } = {},
): Promise<{ store: FileStateStore; statePath: string; version: StateVersionRef; lock: StateLock }> {
  const statePath = path.join(await temps.make(), ".campaignctl", "state.json");
  const store = openStateStore(statePath, { snapshotBelowBytes: 0, ...opts });
  const lock = await store.lock("apply");
  const written = await store.write({
    version: 1,
    lineage: LINEAGE,
    serial: 0,
    target: TARGET,
    campaigns: Object.fromEntries(Array.from({ length: records }, (_, i) => [`c-${i}`, aRecord(`c-${i}`)])),
  });
  return { store, statePath, lock, version: { lineage: written.lineage, serial: written.serial } };
}

const journalOf = (statePath: string) => `${statePath}.journal`;

describe("file state journal", () => {
  it("appends one line per commit holding only the changed record, leaving the snapshot alone", async () => {
    const { store, statePath, version } = await journalled(50);
    const snapshotBefore = await readFile(statePath, "utf8");
    let v = version;
    v = await store.commit([{ kind: "put", record: aRecord("c-7", 70) }], v, { command: "apply" });
    v = await store.commit([{ kind: "remove", key: "c-8" }], v, { command: "apply" });
    expect(await readFile(statePath, "utf8")).toBe(snapshotBefore);
    const lines = (await readFile(journalOf(statePath), "utf8")).trimEnd().split("\n");
    expect(lines).toHaveLength(2);
    const first = JSON.parse(lines[0]!) as { serial: number; changes: unknown[] };
    expect(first.serial).toBe(version.serial + 1);
    expect(first.changes).toEqual([{ kind: "put", record: aRecord("c-7", 70) }]);
    // Only the changed record: no other key appears, and the line is a record's size, not the state's.
    expect(lines[0]).not.toContain('"c-6"');
    expect(lines[0]!.length).toBeLessThan(snapshotBefore.length / 20);

    const seen = await openStateStore(statePath).read();
    expect(seen?.serial).toBe(v.serial);
    expect(seen?.campaigns["c-7"]?.applied.audienceRows).toBe(70);
    expect(seen?.campaigns["c-8"]).toBeUndefined();
    expect(Object.keys(seen!.campaigns)).toHaveLength(49);
  });

  it("folds the journal into the snapshot when the lock is released, keeping the previous snapshot as the backup", async () => {
    const statePath = path.join(await temps.make(), "state.json");
    const store = openStateStore(statePath, { snapshotBelowBytes: 0 });
    const lock = await store.lock("apply");
    const first = await store.write({
      version: 1,
      lineage: LINEAGE,
      serial: 0,
      target: TARGET,
      campaigns: {},
    });
    let v: StateVersionRef = { lineage: LINEAGE, serial: first.serial };
    for (let i = 0; i < 5; i++)
      v = await store.commit([{ kind: "put", record: aRecord(`k-${i}`) }], v, { command: "apply" });
    expect(existsSync(journalOf(statePath))).toBe(true);
    await lock.release();
    expect(existsSync(journalOf(statePath))).toBe(false);
    const snapshot = parseState(await readFile(statePath, "utf8"), statePath);
    expect(snapshot.serial).toBe(v.serial);
    expect(Object.keys(snapshot.campaigns)).toEqual(["k-0", "k-1", "k-2", "k-3", "k-4"]);
    const backup = parseState(await readFile(`${statePath}.backup`, "utf8"), `${statePath}.backup`);
    expect(backup.serial).toBe(first.serial);
  });

  it("ignores a torn last line (a killed append), and a run that starts after it folds the journal in first", async () => {
    const { store, statePath, version, lock: first } = await journalled();
    const v = await store.commit([{ kind: "put", record: aRecord("c-1", 11) }], version, {
      command: "apply",
    });
    // The run dies: no compaction, and its lock goes with it.
    first.releaseSync();
    await store.close();
    // What a kill in the middle of the next append leaves: part of a line, no newline.
    await appendFile(
      journalOf(statePath),
      '{"lineage":"' + LINEAGE + '","serial":' + (v.serial + 1) + ',"at":"20',
    );

    const reader = await openStateStore(statePath).read();
    expect(reader?.serial).toBe(v.serial);
    expect(reader?.campaigns["c-1"]?.applied.audienceRows).toBe(11);

    // The next run reads under the lock: the journal is folded in before anything is appended.
    const next = openStateStore(statePath, { snapshotBelowBytes: 0 });
    const lock = await next.lock("apply");
    const state = await next.read();
    expect(state?.serial).toBe(v.serial);
    expect(existsSync(journalOf(statePath))).toBe(false);
    expect(parseState(await readFile(statePath, "utf8"), statePath).serial).toBe(v.serial);
    const v2 = await next.commit([{ kind: "put", record: aRecord("c-2", 22) }], v, { command: "apply" });
    expect(v2.serial).toBe(v.serial + 1);
    expect((await openStateStore(statePath).read())?.campaigns["c-2"]?.applied.audienceRows).toBe(22);
    await lock.release();
  });

  it("reports a damaged line in the middle of the journal as STATE_CORRUPT naming file and line", async () => {
    const { store, statePath, version } = await journalled();
    const v = await store.commit([{ kind: "put", record: aRecord("c-1", 11) }], version, {
      command: "apply",
    });
    await store.commit([{ kind: "put", record: aRecord("c-2", 12) }], v, { command: "apply" });
    await store.close();
    const lines = (await readFile(journalOf(statePath), "utf8")).split("\n");
    lines[0] = lines[0]!.slice(0, 30);
    await writeFile(journalOf(statePath), lines.join("\n"));
    const error = await caught(openStateStore(statePath).read());
    expect(error.code).toBe("STATE_CORRUPT");
    expect(error.message).toContain(`${journalOf(statePath)}:1`);
  });

  it("skips entries the snapshot already holds (a kill between the snapshot's rename and the journal's removal)", async () => {
    const { store, statePath, version } = await journalled();
    const v = await store.commit([{ kind: "put", record: aRecord("c-1", 11) }], version, {
      command: "apply",
    });
    await copyFile(journalOf(statePath), `${statePath}.saved-journal`);
    await store.compact();
    await copyFile(`${statePath}.saved-journal`, journalOf(statePath));
    const state = await openStateStore(statePath).read();
    expect(state?.serial).toBe(v.serial);
    expect(state?.campaigns["c-1"]?.applied.audienceRows).toBe(11);
  });

  it("validates only the changed record, refusing a bad one without touching the journal", async () => {
    const { store, statePath, version } = await journalled();
    const bad = { key: "c-3", campaignId: "not-an-id", applied: {} } as CampaignRecord;
    const error = await caught(store.commit([{ kind: "put", record: bad }], version, { command: "apply" }));
    expect(error.code).toBe("STATE_WRITE_FAILED");
    expect(error.message).toContain("/campaigns/c-3/campaignId");
    expect(existsSync(journalOf(statePath))).toBe(false);
    // The store is still usable at the same version.
    const v = await store.commit([{ kind: "put", record: aRecord("c-3", 33) }], version, {
      command: "apply",
    });
    expect(v.serial).toBe(version.serial + 1);
  });

  it("refuses a commit whose record would carry the API key, writing nothing", async () => {
    const apiKey = "test_0123456789abcdefABCDEF";
    const { store, statePath, version } = await journalled(20, { secrets: [apiKey] });
    const leaky = { ...aRecord("c-4"), applied: { campaign: { description: `key ${apiKey}` } } };
    const error = await caught(store.commit([{ kind: "put", record: leaky }], version, { command: "apply" }));
    expect(error.code).toBe("STATE_WRITE_FAILED");
    expect(error.message).not.toContain(apiKey);
    expect(existsSync(journalOf(statePath))).toBe(false);
    expect(await readFile(statePath, "utf8")).not.toContain(apiKey);
  });

  it("refuses to commit once its lock was removed from under it (force-unlock)", async () => {
    const { store, statePath, version } = await journalled();
    const { unlink } = await import("node:fs/promises");
    await unlink(`${statePath}.lock`);
    const error = await caught(
      store.commit([{ kind: "put", record: aRecord("c-1") }], version, { command: "apply" }),
    );
    expect(error.code).toBe("STATE_WRITE_FAILED");
    expect(error.message).toContain("force-unlock");
  });

  it("sees a write made behind its back and answers STATE_CONFLICT instead of losing it", async () => {
    const { store, statePath, version } = await journalled();
    await store.commit([{ kind: "put", record: aRecord("c-1", 11) }], version, { command: "apply" });
    // Another writer (after a force-unlock, say) appends the next serial itself.
    const other = openStateStore(statePath, { snapshotBelowBytes: 0 });
    const lock = await other.lock("apply", {}).catch(() => undefined);
    expect(lock).toBeUndefined(); // ours is still held: the other run cannot lock…
    const forged = {
      lineage: LINEAGE,
      serial: version.serial + 2,
      at: new Date().toISOString(),
      command: "x",
      changes: [{ kind: "put", record: aRecord("c-2", 99) }],
    };
    await appendFile(journalOf(statePath), `${JSON.stringify(forged)}\n`);
    const error = await caught(
      store.commit(
        [{ kind: "put", record: aRecord("c-3") }],
        { lineage: LINEAGE, serial: version.serial + 1 },
        { command: "apply" },
      ),
    );
    expect(error.code).toBe("STATE_CONFLICT");
    expect(error.message).toContain(`serial ${version.serial + 2}`);
  });

  it("keeps the last HISTORY_KEEP versions once compacted", async () => {
    const { store, version } = await journalled(1);
    let v = version;
    const commits = 700; // about 56 KB of history lines: past the 32 KiB trim threshold
    for (let i = 0; i < commits; i++)
      v = await store.commit([{ kind: "put", record: aRecord(`h-${i % 5}`, i) }], v, { command: "apply" });
    expect((await store.history(1000)).length).toBe(commits + 1);
    await store.compact();
    const history = await store.history(1000);
    expect(history).toHaveLength(HISTORY_KEEP);
    expect(history[0]?.serial).toBe(v.serial);
    expect(history.at(-1)?.serial).toBe(v.serial - HISTORY_KEEP + 1);
  }, 60_000);
});

describe("file state journal: kill -9 while committing", () => {
  it("keeps every acknowledged commit and never a torn one, however the writer is killed", async () => {
    const statePath = path.join(await temps.make(), "state.json");
    const KEYS = 50;
    let acknowledged = 0;
    for (let i = 0; i < 3; i++) {
      const child = spawnChild("journal-writer", [statePath, String(KEYS)]);
      let last = 0;
      child.stdout.on("data", (chunk: Buffer) => {
        for (const m of chunk.toString().matchAll(/committed (\d+)/g)) last = Math.max(last, Number(m[1]));
      });
      try {
        await waitForLine(child, /^committed \d+$/);
        await new Promise((resolve) => setTimeout(resolve, 20 + Math.floor(Math.random() * 100)));
      } finally {
        child.kill("SIGKILL");
      }
      expect((await waitForExit(child)).signal).toBe("SIGKILL");
      acknowledged = Math.max(acknowledged, last);

      const state = (await openStateStore(statePath).read())!;
      expect(state.serial).toBeGreaterThanOrEqual(acknowledged);
      // Exactly the commits up to state.serial, no more and none missing (see journal-writer.ts).
      for (let k = 0; k < KEYS; k++) {
        let expected = 1;
        for (let s = state.serial; s >= 2; s--) {
          if (s % KEYS === k) {
            expected = s;
            break;
          }
        }
        expect(state.campaigns[`k-${k}`]?.applied.audienceRows, `k-${k} at serial ${state.serial}`).toBe(
          expected,
        );
      }
      acknowledged = state.serial;
    }
    expect(acknowledged).toBeGreaterThan(1);
    const size = await stat(statePath).then((s) => s.size);
    expect(size).toBeGreaterThan(0);
  }, 120_000);
});
