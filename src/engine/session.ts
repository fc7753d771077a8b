import { assertTargetMatches, newState } from "../state/index.js";
import type { StateChange, StateFile, StateStore, StateTarget } from "../state/types.js";
import type { LobClient } from "../lob/client.js";
import type { EngineDeps } from "./deps.js";
import { StateWriter } from "./state-writer.js";

/** One use case's hold on the state: the lock (unless read-only) and the state as read. */
export interface Session {
  readonly client: LobClient;
  readonly store: StateStore;
  readonly target: StateTarget;
  /** The state as read (or a fresh one, not yet written). */
  readonly state: StateFile;
  /**
   * Commits `changes` (only what changed) made from the state as read, as this session's command;
   * STATE_CONFLICT if another run wrote the state in between.
   */
  commit(changes: readonly StateChange[]): Promise<void>;
  /** Releases the lock; the deps (client, sandbox) stay open for their owner to close. */
  close(): Promise<void>;
}

export async function openSession(
  deps: EngineDeps,
  command: string,
  options: { readonly readOnly?: boolean } = {},
): Promise<Session> {
  // Read-only commands (status) skip the lock: state writes are atomic renames, so a reader
  // always sees a whole state, and a status during an apply must not fail on its lock.
  const release = options.readOnly === true ? undefined : await deps.lock.acquire(command);
  try {
    const existing = await deps.stateStore.read();
    if (existing) assertTargetMatches(existing, deps.target);
    const state = existing ?? newState(deps.target);
    const writer = new StateWriter(deps.stateStore, state, command);
    return {
      client: deps.client,
      store: deps.stateStore,
      target: deps.target,
      state,
      commit: (changes) => writer.commit(changes),
      close: async () => {
        await release?.();
      },
    };
  } catch (error) {
    await release?.().catch(() => undefined);
    throw error;
  }
}
