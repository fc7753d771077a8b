import { parsePostgresUrl } from "../../../src/state/location.js";
import { openPostgresStore } from "../../../src/state/postgres/store.js";
import type { StateTarget } from "../../../src/state/types.js";
import { freshDatabase } from "../../support/postgres.js";
import { describeStateStoreContract } from "../store-contract.js";

const TARGET: StateTarget = { apiUrl: "https://api.lob.com/v1", mode: "test" };

// Each fixture gets a database of its own on the run's one server: a fresh, empty state.
describeStateStoreContract("postgres", async () => {
  const { url } = await freshDatabase();
  const open = () =>
    openPostgresStore({
      location: parsePostgresUrl(url),
      project: "contract",
      target: TARGET,
      lockPollMs: 20,
    });
  return { store: open(), second: async () => open(), cleanup: async () => undefined };
});
