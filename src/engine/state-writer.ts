import { applyChanges } from "../state/changes.js";
import type { StateChange, StateFile, StateStore, StateVersionRef } from "../state/types.js";

/**
 * The engine's one way to write state: changes go to the store with compare-and-set on the
 * version this run last read or wrote, in the order they were made. The in-memory state is
 * updated at once (concurrent campaigns see each other's records); the store only ever gets
 * the records that changed. A state that was never stored starts with an `init` change.
 */
export class StateWriter {
  private current: StateFile;
  private version: StateVersionRef;
  private stored: boolean;
  /** The last commit; commits are chained so they land in order. */
  private tail: Promise<void> = Promise.resolve();
  /** Changes whose commit failed: sent again with the next one, so none is silently dropped. */
  private unsaved: StateChange[] = [];

  constructor(
    private readonly store: StateStore,
    state: StateFile,
    private readonly command: string,
  ) {
    this.current = state;
    this.version = { lineage: state.lineage, serial: state.serial };
    this.stored = state.serial > 0;
  }

  /** The state with every change made so far (committed or on its way). */
  get state(): StateFile {
    return this.current;
  }

  /** Applies `changes` in memory now; resolves once a commit including them is stored. */
  commit(changes: readonly StateChange[]): Promise<void> {
    this.current = applyChanges(this.current, changes);
    const write = this.tail.then(async () => {
      const pending = [...this.unsaved, ...changes];
      this.unsaved = [];
      const first = pending[0];
      const starts = first?.kind === "init" || first?.kind === "replace";
      const batch: StateChange[] =
        this.stored || starts
          ? pending
          : [{ kind: "init", lineage: this.current.lineage, target: this.current.target }, ...pending];
      try {
        this.version = await this.store.commit(batch, this.version, { command: this.command });
      } catch (error) {
        this.unsaved = pending;
        throw error;
      }
      this.stored = true;
      this.current = { ...this.current, lineage: this.version.lineage, serial: this.version.serial };
    });
    this.tail = write.catch(() => undefined);
    return write;
  }

  /** Resolves once every commit started so far has finished (stored or failed). */
  async flushed(): Promise<void> {
    await this.tail;
  }
}
