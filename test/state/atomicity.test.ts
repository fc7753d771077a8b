import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openStateStore } from "../../src/state/store.js";
import type { LockInfo, StateFile } from "../../src/state/types.js";
import { parseState } from "../../src/state/validate.js";
import { spawnChild, waitForExit, waitForLine } from "./helpers/processes.js";
import { tempDirs } from "./helpers/temp.js";

const temps = tempDirs();
afterEach(() => temps.cleanup());

const ITERATIONS = 6;
const RECORDS = 2000; // about 1.6 MB per write, so kills often land mid-write

/** Every record of one write carries that write's serial: a mix of two writes shows up here. */
function expectWhole(state: StateFile): void {
  const rows = Object.values(state.campaigns).map((record) => record.applied.audienceRows);
  expect(rows).toHaveLength(RECORDS);
  expect(new Set(rows)).toEqual(new Set([state.serial]));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describe("atomic state writes", () => {
  it("leaves a whole old or new state however the writer is killed", async () => {
    const statePath = path.join(await temps.make(), "state.json");
    let lastSerial = 0;
    let sawBackup = false;
    for (let i = 0; i < ITERATIONS; i++) {
      const child = spawnChild("writer", [statePath, String(RECORDS)]);
      try {
        await waitForLine(child, /^wrote \d+$/);
        await sleep(Math.floor(Math.random() * 80));
      } finally {
        child.kill("SIGKILL");
      }
      expect((await waitForExit(child)).signal).toBe("SIGKILL");

      const state = parseState(await readFile(statePath, "utf8"), statePath);
      expectWhole(state);
      expect(state.serial).toBeGreaterThan(lastSerial);
      lastSerial = state.serial;
      // The backup is put in place only after the new state (so it is always strictly older), so a
      // kill between the two renames of the very first backup leaves none yet. From the second
      // writer on, one whole write with a predecessor has completed ("wrote N" is printed after
      // it), so a backup exists; once made it never goes away, and it is whole and older.
      const backupText = await readFile(`${statePath}.backup`, "utf8").catch(() => undefined);
      if (sawBackup || i >= 1) expect(backupText, "a backup exists from the second writer on").toBeDefined();
      if (backupText !== undefined) {
        sawBackup = true;
        const backup = parseState(backupText, `${statePath}.backup`);
        expectWhole(backup);
        expect(backup.lineage).toBe(state.lineage);
        expect(backup.serial).toBeLessThan(state.serial);
      }
    }

    // The last writer died holding the lock: the next run takes it over and sweeps its temp files.
    const store = openStateStore(statePath);
    const stale: LockInfo[] = [];
    const lock = await store.lock("check", { onStaleLock: (info) => stale.push(info) });
    expect(stale.map((info) => info.command)).toEqual(["atomicity-writer"]);
    // Six writers each wrote at least one full round after taking over, so a backup exists by now.
    expect(sawBackup).toBe(true);
    const leftovers = (await readdir(path.dirname(statePath))).filter((name) => name.includes(".tmp-"));
    expect(leftovers).toEqual([]);
    expect((await store.read())?.serial).toBe(lastSerial);
    await lock.release();
  }, 120_000);
});
