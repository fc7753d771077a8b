import path from "node:path";
import { openStateStore } from "../../src/state/store.js";
import { describeStateStoreContract } from "./store-contract.js";
import { tempDirs } from "./helpers/temp.js";

const temps = tempDirs();

async function fileFixture(snapshotBelowBytes?: number) {
  const dir = await temps.make();
  const statePath = path.join(dir, ".campaignctl", "state.json");
  const opts = snapshotBelowBytes === undefined ? {} : { snapshotBelowBytes };
  return {
    store: openStateStore(statePath, opts),
    second: async () => openStateStore(statePath, opts),
    cleanup: () => temps.cleanup(),
  };
}

// A small state is rewritten whole on every commit; a large one goes through the journal.
// Both paths must keep the same contract.
describeStateStoreContract("file (small state: snapshot per commit)", () => fileFixture());
describeStateStoreContract("file (journal for every commit)", () => fileFixture(0));
