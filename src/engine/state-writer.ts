import { applyChanges } from "../state/changes.js";
import type { StateChange, StateFile, StateStore, StateVersionRef } from "../state/types.js";

interface Waiting {
  readonly changes: readonly StateChange[];
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/**
 * The engine's one way to write state: changes go to the store with compare-and-set on the
 * version this run last read or wrote, in the order they were made. The in-memory state is
 * updated at once (concurrent campaigns see each other's records); the store only ever gets the
 * records that changed. A state that was never stored starts with an `init` change.
 *
 * Group commit: while one commit is being stored, the changes other campaigns make meanwhile
 * wait, and go together as the next commit (one journal line, one fsync). Every caller still
 * resumes only once its own changes are stored, so each step stays durable before the next.
 */
export class StateWriter {
  private current: StateFile;
  private version: StateVersionRef;
  private stored: boolean;
  private readonly waiting: Waiting[] = [];
  /** The running drain, if any: resolves when nothing is left to store. */
  private draining: Promise<void> | undefined;
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

  /** The state with every change made so far (stored or on its way). */
  get state(): StateFile {
    return this.current;
  }

  /** Applies `changes` in memory now; resolves once a commit including them is stored. */
  commit(changes: readonly StateChange[]): Promise<void> {
    this.current = applyChanges(this.current, changes);
    const done = new Promise<void>((resolve, reject) => this.waiting.push({ changes, resolve, reject }));
    this.draining ??= this.drain().finally(() => (this.draining = undefined));
    return done;
  }

  /** Resolves once every commit asked for so far has finished (stored or failed). */
  async flushed(): Promise<void> {
    while (this.draining) await this.draining;
  }

  private async drain(): Promise<void> {
    while (this.waiting.length > 0) {
      const batch = this.waiting.splice(0);
      const pending = [...this.unsaved, ...batch.flatMap((w) => w.changes)];
      this.unsaved = [];
      const first = pending[0];
      const starts = first?.kind === "init" || first?.kind === "replace";
      const changes: StateChange[] =
        this.stored || starts
          ? pending
          : [{ kind: "init", lineage: this.current.lineage, target: this.current.target }, ...pending];
      try {
        this.version = await this.store.commit(changes, this.version, { command: this.command });
        this.stored = true;
        this.current = { ...this.current, lineage: this.version.lineage, serial: this.version.serial };
        for (const w of batch) w.resolve();
      } catch (error) {
        this.unsaved = pending;
        for (const w of batch) w.reject(error);
      }
    }
  }
}
