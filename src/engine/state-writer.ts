import type {
  CampaignRecord,
  DestroyedRecord,
  StateChange,
  StateFile,
  StateStore,
  StateVersionRef,
} from "../state/types.js";

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
  /**
   * This writer's own copy of the records, changed in place: a step costs its record here too,
   * not a copy of every record (the state handed in is never changed).
   */
  private readonly campaigns: Record<string, CampaignRecord>;
  private readonly destroyed: Record<string, DestroyedRecord>;
  private meta: Pick<StateFile, "lineage" | "serial" | "target">;
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
    this.campaigns = copyOf(state.campaigns);
    this.destroyed = copyOf(state.destroyed ?? {});
    this.meta = { lineage: state.lineage, serial: state.serial, target: state.target };
    this.version = { lineage: state.lineage, serial: state.serial };
    this.stored = state.serial > 0;
  }

  /** The state with every change made so far (stored or on its way). */
  get state(): StateFile {
    return {
      version: 1,
      ...this.meta,
      campaigns: this.campaigns,
      ...(hasAny(this.destroyed) ? { destroyed: this.destroyed } : {}),
    };
  }

  /** Applies `changes` in memory now; resolves once a commit including them is stored. */
  commit(changes: readonly StateChange[]): Promise<void> {
    for (const change of changes) this.apply(change);
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
          : [{ kind: "init", lineage: this.meta.lineage, target: this.meta.target }, ...pending];
      try {
        this.version = await this.store.commit(changes, this.version, { command: this.command });
        this.stored = true;
        this.meta = { ...this.meta, lineage: this.version.lineage, serial: this.version.serial };
        for (const w of batch) w.resolve();
      } catch (error) {
        this.unsaved = pending;
        for (const w of batch) w.reject(error);
      }
    }
  }

  /** One change, in place (as src/state/changes.ts applies it to a copy). */
  private apply(change: StateChange): void {
    switch (change.kind) {
      case "init":
      case "replace": {
        const whole = change.kind === "replace" ? change.state : undefined;
        clear(this.campaigns);
        clear(this.destroyed);
        Object.assign(this.campaigns, copyOf(whole?.campaigns ?? {}));
        Object.assign(this.destroyed, copyOf(whole?.destroyed ?? {}));
        this.meta = {
          serial: this.meta.serial,
          lineage: whole?.lineage ?? (change.kind === "init" ? change.lineage : this.meta.lineage),
          target: whole?.target ?? (change.kind === "init" ? change.target : this.meta.target),
        };
        return;
      }
      case "put":
        define(this.campaigns, change.record.key, change.record);
        return;
      case "remove":
        delete this.campaigns[change.key];
        return;
      case "put_destroyed":
        define(this.destroyed, change.record.key, change.record);
        return;
      case "remove_destroyed":
        delete this.destroyed[change.key];
        return;
    }
  }
}

// Own properties only (defineProperty, not assignment), so no key ("__proto__" included) is special.
function define<T>(into: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(into, key, { value, enumerable: true, writable: true, configurable: true });
}

function copyOf<T>(from: Readonly<Record<string, T>>): Record<string, T> {
  const out: Record<string, T> = {};
  for (const key of Object.keys(from)) define(out, key, from[key]!);
  return out;
}

function clear(record: Record<string, unknown>): void {
  for (const key of Object.keys(record)) delete record[key];
}

function hasAny(record: Readonly<Record<string, unknown>>): boolean {
  for (const _key in record) return true;
  return false;
}
