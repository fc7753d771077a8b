// Child for the journal crash test: takes the lock (taking over the one its killed predecessor
// left), reads the state (which folds in a journal a kill left behind), then commits one record
// at a time through the journal as fast as it can until it is killed. Commit serial s puts key
// `k-(s mod KEYS)` with audienceRows = s, so a reader can tell exactly which commits a state holds.
import { openStateStore } from "../../../src/state/store.js";
import type { StateVersionRef } from "../../../src/state/types.js";

const [statePath, keysArg] = process.argv.slice(2);
if (statePath === undefined) throw new Error("usage: journal-writer.ts STATE_PATH [KEYS]");
const keys = Number(keysArg ?? "50");

const store = openStateStore(statePath, { snapshotBelowBytes: 0 });
await store.lock("journal-writer", {
  onStaleLock: (info) => process.stdout.write(`took-over ${info.pid}\n`),
});
const state = await store.read();
let version: StateVersionRef;
if (state === undefined) {
  const lineage = "2f0b8c1e-1d2a-4c3b-9e8f-0a1b2c3d4e5f";
  version = await store.commit(
    [
      { kind: "init", lineage, target: { apiUrl: "https://api.lob.com/v1", mode: "test" } },
      ...Array.from({ length: keys }, (_, i) => ({
        kind: "put" as const,
        record: { key: `k-${i}`, applied: { audienceRows: 1 } },
      })),
    ],
    { lineage, serial: 0 },
    { command: "journal-writer" },
  );
} else {
  version = { lineage: state.lineage, serial: state.serial };
}
process.stdout.write(`committed ${version.serial}\n`);
for (;;) {
  const serial = version.serial + 1;
  version = await store.commit(
    [{ kind: "put", record: { key: `k-${serial % keys}`, applied: { audienceRows: serial } } }],
    version,
    { command: "journal-writer" },
  );
  process.stdout.write(`committed ${version.serial}\n`);
}
