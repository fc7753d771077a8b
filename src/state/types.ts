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

/** A held lock on one state file. */
export interface StateLock {
  /** Path of the lock file (`<state path>.lock`). */
  readonly path: string;
  readonly info: LockInfo;
  /** Removes the lock file if it is still ours. Safe to call more than once. */
  release(): Promise<void>;
  /** Same as release(), for `process.on("exit")` handlers that cannot await. */
  releaseSync(): void;
  /** True while the lock file on disk is still the one we created (force-unlock may have removed it). */
  isHeld(): Promise<boolean>;
}

export interface LockOptions {
  /** How long to wait for another run's lock, in ms. Default 0: fail at once. */
  readonly timeoutMs?: number;
  /** Called when a lock left by a dead process on this host is taken over. */
  readonly onStaleLock?: (info: LockInfo) => void;
}

/** Where the engine reads and writes state. The local file backend is `openStateStore`. */
export interface StateStore {
  readonly path: string;
  /** The state on disk, validated; undefined when there is no state yet. */
  read(): Promise<StateFile | undefined>;
  /**
   * Writes atomically, keeping the previous version as `<path>.backup`, and returns what was
   * written (serial incremented). Requires holding this store's lock.
   */
  write(state: StateFile): Promise<StateFile>;
  lock(command: string, opts?: LockOptions): Promise<StateLock>;
}
