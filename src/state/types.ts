import type { LobMode } from "../lob/wire.js";

/**
 * The state file: what campaignctl created in Lob and what it applied, per manifest key.
 * It never holds an audience row or an API key. Written atomically after every apply step.
 */
export interface StateFile {
  readonly version: 1;
  /** Random id fixed when the state is first created; tags every campaign we create. */
  readonly lineage: string;
  /** Incremented on every write. */
  readonly serial: number;
  readonly target: StateTarget;
  readonly campaigns: Readonly<Record<string, CampaignRecord>>;
  /**
   * Keys `destroy` deleted, cancelled or forgot. A manifest still carrying one is not created
   * again (that would mail it again) unless `apply --recreate KEY` asks for it.
   */
  readonly destroyed?: Readonly<Record<string, DestroyedRecord>>;
}

export interface DestroyedRecord {
  readonly key: string;
  /** The campaign destroy acted on, when one was recorded. */
  readonly campaignId?: string;
  /** ISO time of the destroy, by Lob's clock. */
  readonly at: string;
  /** deleted: a draft; cancelled: a sent campaign inside its window; forgotten: already gone from Lob. */
  readonly how: "deleted" | "cancelled" | "forgotten";
}

/** Applied values campaignctl cannot know for a record it did not apply itself (state rebuild, import). */
export type UnknownApplied = "creativeContentHash" | "audienceSha256";

export interface StateTarget {
  /** API base URL, e.g. https://api.lob.com/v1 (the sandbox records "sandbox"). */
  readonly apiUrl: string;
  readonly mode: LobMode;
}

/** A create that was started; if its response was lost, the next run reconciles before retrying. */
export interface PendingIntent {
  readonly step: "campaign" | "creative" | "upload" | "file" | "send" | "delete";
  /** ISO time the intent was recorded. */
  readonly since: string;
}

export interface CampaignRecord {
  readonly key: string;
  readonly campaignId?: string;
  readonly creativeId?: string;
  readonly uploadId?: string;
  /** The intent recorded before a create or send; cleared when it is known to have finished. */
  readonly pending?: PendingIntent;
  /** What was applied, as hashes and as plain (non-personal) values for diffs. */
  readonly applied: AppliedRecord;
  /** ISO time of the send, once sent. */
  readonly sentAt?: string;
  /** ISO time after which the campaign can no longer be cancelled. */
  readonly cancelDeadline?: string;
}

export interface AppliedRecord {
  /** Campaign fields as sent to Lob (minus our tags), for drift and diff. */
  readonly campaign?: Readonly<Record<string, unknown>>;
  /** Hash of the creative's create-only content (resource_type, details, artwork hashes). */
  readonly creativeContentHash?: string;
  /** The creative's updatable fields as applied (from, description, metadata). */
  readonly creativeFields?: Readonly<Record<string, unknown>>;
  /** Artwork field → sha256 of the local file, or the template id / URL. */
  readonly artwork?: Readonly<Record<string, string>>;
  /** Upload mappings as applied (header names only). */
  readonly uploadMapping?: Readonly<Record<string, unknown>>;
  /** sha256 of the audience file that was uploaded. */
  readonly audienceSha256?: string;
  /** Rows in that file. */
  readonly audienceRows?: number;
  /**
   * Hashes that could not be known (the record was rebuilt from Lob or imported): the plan says
   * it cannot compare them instead of guessing. Cleared when campaignctl applies them itself.
   */
  readonly unknown?: readonly UnknownApplied[];
}

export interface LockInfo {
  readonly pid: number;
  readonly host: string;
  readonly command: string;
  /** ISO time the lock was taken. */
  readonly since: string;
}

/** A held lock on one state. */
export interface StateLock {
  /** Where the lock lives, safe to print: the lock file (`<state path>.lock`) for the file backend. */
  readonly path: string;
  readonly info: LockInfo;
  /** Gives the lock up if it is still ours. Safe to call more than once. */
  release(): Promise<void>;
  /** Same as release(), for `process.on("exit")` handlers that cannot await. */
  releaseSync(): void;
  /** True while the lock is still the one we took (force-unlock may have removed it). */
  isHeld(): Promise<boolean>;
}

export interface LockOptions {
  /** How long to wait for another run's lock, in ms. Default 0: fail at once. */
  readonly timeoutMs?: number;
  /** Called when a lock left by a dead process on this host is taken over. */
  readonly onStaleLock?: (info: LockInfo) => void;
}

/**
 * Where the engine reads and writes state (StateStore v2). The engine sees only this; backends:
 * the local file (`openStateStore`, src/state/store.ts) and Postgres. Every write names the
 * version it was made from (compare-and-set), so two writers can never lose each other's update.
 */
export interface StateStore {
  /** Where the state lives, safe to print: a file path, or a postgres URL with no credentials. */
  readonly location: string;
  readonly backend: "file" | "postgres";
  /** The whole state (validated); undefined when none exists yet. */
  read(): Promise<StateFile | undefined>;
  /**
   * Applies `changes` atomically, in order, with compare-and-set: fails with code STATE_CONFLICT
   * (a clear message naming both serials, never a lost update) unless the stored lineage and serial
   * equal `expected` (serial 0 and any lineage: no state stored yet, and `changes` must begin with
   * `init` or `replace`). Returns the new version (expected.serial + 1, the lineage after the
   * changes). Requires holding this store's lock. Each changed record is validated and checked for
   * secrets; what did not change is not looked at again.
   */
  commit(
    changes: readonly StateChange[],
    expected: StateVersionRef,
    meta: CommitMeta,
  ): Promise<StateVersionRef>;
  /** Exclusive lock for a writing run; STATE_LOCKED names the holder (pid, host, command, since). */
  lock(command: string, opts?: LockOptions): Promise<StateLock>;
  /** The most recent versions first (serial, at, command, keys touched), at most `limit` (default 100). */
  history(limit?: number): Promise<readonly StateVersion[]>;
  /** Artwork by sha256 (HTML text for diffs). */
  readonly blobs: BlobStore;
  /** Releases connections/handles (not the lock: that is the StateLock's). Safe to call more than once. */
  close(): Promise<void>;
}

/** One change to the state, as `commit` applies it. */
export type StateChange =
  /** A fresh state (the first commit of a new lineage). */
  | { readonly kind: "init"; readonly lineage: string; readonly target: StateTarget }
  /** Sets the record under `record.key` (adding or replacing it). */
  | { readonly kind: "put"; readonly record: CampaignRecord }
  /** Removes the record under `key` (nothing if there is none). */
  | { readonly kind: "remove"; readonly key: string }
  | { readonly kind: "put_destroyed"; readonly record: DestroyedRecord }
  | { readonly kind: "remove_destroyed"; readonly key: string }
  /** The whole state (its serial is ignored): rebuild, push/pull, import of a file. */
  | { readonly kind: "replace"; readonly state: StateFile };

/** A version of one state: its lineage and serial. */
export interface StateVersionRef {
  readonly lineage: string;
  readonly serial: number;
}

export interface CommitMeta {
  /** The command that wrote ("apply", "state rm", …), for history. */
  readonly command: string;
  /**
   * The serial to give the new version instead of expected.serial + 1: a whole state moved
   * between backends (state push/pull) keeps its serial, so a plan saved against it stays valid.
   * Must be greater than expected.serial (a serial never goes back).
   */
  readonly serial?: number;
}

/** One entry of a state's history. */
export interface StateVersion {
  readonly serial: number;
  /** ISO time of the commit. */
  readonly at: string;
  readonly command: string;
  /** Campaign keys the commit touched (records and destroyed entries), sorted; `*` for a whole-state replace. */
  readonly keys: readonly string[];
}

/** Content-addressed bytes kept with the state (artwork HTML, so plans can diff it anywhere). */
export interface BlobStore {
  /** Stores `bytes` under `sha256` (their hex sha256); storing the same blob again is harmless. */
  put(sha256: string, bytes: Uint8Array): Promise<void>;
  /** The bytes, or undefined when this store does not have them. */
  get(sha256: string): Promise<Uint8Array | undefined>;
}
