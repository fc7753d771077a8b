import { registerSecret } from "../core/active-secrets.js";
import { parsePostgresUrl } from "./location.js";
import type { StateSelection } from "./select.js";
import { openStateStore } from "./store.js";
import type { StateStoreOptions } from "./store.js";
import type { StateStore, StateTarget } from "./types.js";

/**
 * The store a selection names. The Postgres backend (and the `pg` driver) is imported only when a
 * postgres URL is selected: commands on the file backend, and `validate`, never load it.
 */
export async function openSelectedStore(
  selection: StateSelection,
  opts: {
    /** One state per project and target in a database. */
    readonly project: string;
    readonly target: StateTarget;
    /** Strings a write must never contain (the API key). */
    readonly secrets: readonly string[];
    /** The file backend's own options (journal threshold), when it is the one selected. */
    readonly fileOptions?: Omit<StateStoreOptions, "secrets">;
  },
): Promise<StateStore> {
  if (selection.backend === "file")
    return openStateStore(selection.path, { ...opts.fileOptions, secrets: opts.secrets });
  const location = parsePostgresUrl(selection.url, selection.from);
  // The password joins the API key among the secrets every output stream and file redacts.
  for (const secret of location.secrets) registerSecret(secret);
  const { openPostgresStore } = await import("./postgres/store.js");
  return openPostgresStore({ location, project: opts.project, target: opts.target, secrets: opts.secrets });
}
