// Child for the atomicity test: takes the lock (taking over the one its killed predecessor left)
// and rewrites a large state as fast as it can until it is killed. Every record of one write
// carries the same round number, so a reader can tell a whole file from a torn one.
import { newState } from "../../../src/state/records.js";
import { openStateStore } from "../../../src/state/store.js";
import type { StateFile } from "../../../src/state/types.js";

const [statePath, recordsArg] = process.argv.slice(2);
if (statePath === undefined) throw new Error("usage: writer.ts STATE_PATH [RECORDS]");
const records = Number(recordsArg ?? "800");

const store = openStateStore(statePath);
await store.lock("atomicity-writer", {
  onStaleLock: (info) => process.stdout.write(`took-over ${info.pid}\n`),
});
let state: StateFile = (await store.read()) ?? newState({ apiUrl: "https://api.lob.com/v1", mode: "test" });

for (let round = state.serial + 1; ; round++) {
  const campaigns = Object.fromEntries(
    Array.from({ length: records }, (_, i) => {
      const key = `campaign-${String(i).padStart(5, "0")}`;
      const record = {
        key,
        campaignId: `cmp_${i.toString(16).padStart(12, "0")}`,
        applied: {
          campaign: { name: `Campaign ${i}`, round, description: `round ${round} `.repeat(60) },
          audienceRows: round,
        },
      };
      return [key, record];
    }),
  );
  state = { ...state, campaigns };
  state = await store.write(state);
  process.stdout.write(`wrote ${state.serial}\n`);
}
