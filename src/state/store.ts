import { readFile, stat, unlink, open, type FileHandle } from "node:fs/promises";
import path from "node:path";
import { redactActiveSecrets } from "../core/active-secrets.js";
import { CampaignctlError } from "../core/errors.js";
import { errorCode, removeLeftoverTempFiles, writeFileAtomic } from "../core/atomic-file.js";
import { applyChanges, assertExpectedVersion, keysTouched, nextSerial } from "./changes.js";
import { fileBlobStore } from "./file-blobs.js";
import { appendHistory, readHistory, trimHistory } from "./file-history.js";
import { acquireLock } from "./lock.js";
import { backupPathFor, blobsDirFor, historyPathFor, journalPathFor } from "./paths.js";
import type {
  CampaignRecord,
  CommitMeta,
  DestroyedRecord,
  LockOptions,
  StateChange,
  StateFile,
  StateLock,
  StateStore,
  StateVersionRef,
} from "./types.js";
import { findStateProblems, parseState } from "./validate.js";

export interface StateStoreOptions {
  /**
   * Strings that must never be written to the state (the API key): a write whose text contains
   * one is refused. A guard against a bug elsewhere putting a secret into a record.
   */
  readonly secrets?: readonly string[];
  /**
   * Below this many bytes a commit rewrites the whole snapshot instead of appending to the
   * journal (default 64 KiB): cheap at that size, and it keeps a small state one readable file.
   * 0 journals every commit (tests of the journal itself).
   */
  readonly snapshotBelowBytes?: number;
}

/** The file backend, with what only a file has: its path, whole-state writes, compaction. */
export interface FileStateStore extends StateStore {
  readonly backend: "file";
  /** The snapshot file (`state.json`); the journal, history, backup, lock and blobs sit beside it. */
  readonly path: string;
  /**
   * Writes a whole state (serial incremented past both its own and the stored one), as the new
   * snapshot: atomically, keeping the previous snapshot as `<path>.backup`. Requires the lock.
   */
  write(state: StateFile): Promise<StateFile>;
  /** Folds the journal into the snapshot (requires the lock); nothing to do without a journal. */
  compact(): Promise<void>;
}

const DEFAULT_SNAPSHOT_BELOW_BYTES = 64 * 1024;

/** One line of the journal: a commit, with the changes it made (never the whole state). */
interface JournalEntry {
  readonly lineage: string;
  readonly serial: number;
  readonly at: string;
  readonly command: string;
  readonly changes: readonly StateChange[];
}

/**
 * The state as this store last saw it on disk. Records sit in maps, so a commit costs the
 * records it changes, not the whole state.
 */
interface Loaded {
  lineage: string;
  serial: number;
  target: StateFile["target"];
  campaigns: Map<string, CampaignRecord>;
  destroyed: Map<string, DestroyedRecord>;
  snapshotBytes: number;
  /** Bytes of whole lines in the journal, and whether a torn line (a killed append) follows them. */
  journalBytes: number;
  torn: boolean;
  /** What the two files looked like when read or written by us: anything else means someone else wrote. */
  fingerprint: string;
}

/**
 * The local-file state backend: a snapshot (`state.json`, one JSON document, replaced atomically
 * with the previous one kept as `.backup`) plus an append-only journal (`state.json.journal`, one
 * fsynced JSON line per commit holding only the changed records). A read replays the journal over
 * the snapshot, ignoring a torn last line left by a kill. The journal is folded into the snapshot
 * when the lock is released (the end of a run) and when a run starts after a crash. A small state
 * (under 64 KiB) is simply rewritten on every commit. See docs/decisions.md ("a record per write").
 */
export function openStateStore(statePath: string, opts: StateStoreOptions = {}): FileStateStore {
  const secrets = (opts.secrets ?? []).filter((s) => s.length >= 4);
  const snapshotBelow = opts.snapshotBelowBytes ?? DEFAULT_SNAPSHOT_BELOW_BYTES;
  const journalPath = journalPathFor(statePath);
  const historyPath = historyPathFor(statePath);
  let lock: StateLock | undefined;
  let loaded: Loaded | undefined;
  let journal: FileHandle | undefined;

  async function fingerprint(): Promise<string> {
    const [snapshot, journalStat] = await Promise.all([statOf(statePath), statOf(journalPath)]);
    return `${snapshot}|${journalStat}`;
  }

  async function readSnapshot(): Promise<{ state: StateFile; bytes: number } | undefined> {
    let text: string;
    try {
      text = await readFile(statePath, "utf8");
    } catch (error) {
      if (errorCode(error) === "ENOENT") return undefined;
      throw unreadable(statePath, error);
    }
    return { state: parseState(text, statePath), bytes: Buffer.byteLength(text) };
  }

  /** Snapshot plus journal, from disk. */
  async function load(): Promise<Loaded | undefined> {
    const print = await fingerprint();
    const snapshot = await readSnapshot();
    let text = "";
    try {
      text = await readFile(journalPath, "utf8");
    } catch (error) {
      if (errorCode(error) !== "ENOENT") throw unreadable(journalPath, error);
    }
    const whole = text.lastIndexOf("\n") + 1;
    let state: Loaded | undefined = snapshot && {
      lineage: snapshot.state.lineage,
      serial: snapshot.state.serial,
      target: snapshot.state.target,
      campaigns: new Map(Object.entries(snapshot.state.campaigns)),
      destroyed: new Map(Object.entries(snapshot.state.destroyed ?? {})),
      snapshotBytes: snapshot.bytes,
      journalBytes: 0,
      torn: false,
      fingerprint: print,
    };
    let lineNumber = 0;
    for (const line of text.slice(0, whole).split("\n")) {
      lineNumber += 1;
      if (line === "") continue;
      const entry = parseEntry(line, `${journalPath}:${lineNumber}`);
      // Already folded into the snapshot (a kill between the snapshot's rename and the journal's removal).
      if (state !== undefined && entry.lineage === state.lineage && entry.serial <= state.serial) continue;
      const from = state ? { lineage: state.lineage, serial: state.serial } : undefined;
      if (
        entry.serial !== (from?.serial ?? 0) + 1 ||
        (from && !startsOver(entry) && entry.lineage !== from.lineage)
      ) {
        throw corruptJournal(
          `${journalPath}:${lineNumber}`,
          `it holds serial ${entry.serial} of lineage ${entry.lineage}, but the state before it is ${from ? `serial ${from.serial} of lineage ${from.lineage}` : "empty"}`,
        );
      }
      const problems = changeProblems(entry.changes, entry.lineage);
      if (problems.length > 0) {
        throw corruptJournal(
          `${journalPath}:${lineNumber}`,
          `it does not match the state schema: ${problems.slice(0, 5).join("; ")}`,
        );
      }
      state = applyToLoaded(state, entry, print);
    }
    if (state) {
      state.journalBytes = Buffer.byteLength(text.slice(0, whole));
      state.torn = whole < text.length;
      state.fingerprint = print;
    }
    return state;
  }

  async function current(): Promise<Loaded | undefined> {
    if (loaded !== undefined && loaded.fingerprint === (await fingerprint())) return loaded;
    await closeJournal();
    loaded = await load();
    return loaded;
  }

  async function assertLocked(): Promise<void> {
    if (lock === undefined || !(await lock.isHeld())) {
      throw new CampaignctlError({
        code: "STATE_WRITE_FAILED",
        message: `refusing to write ${statePath} without holding its lock${lock ? " (it was removed, perhaps by force-unlock)" : ""}`,
        source: lock ? "user" : "toolkit",
        hint: lock
          ? "another run may be using this state: run 'campaignctl plan' to see where things stand"
          : "this is a bug in campaignctl: state is written only under the lock",
      });
    }
  }

  function refuseSecrets(text: string): void {
    if (secrets.some((secret) => text.includes(secret))) {
      throw new CampaignctlError({
        code: "STATE_WRITE_FAILED",
        message: `refusing to write ${statePath}: the state would contain the API key`,
        source: "toolkit",
        hint: "this is a bug in campaignctl; the state file on disk was left as it was",
      });
    }
  }

  /** Replaces the snapshot with `next` (validated whole), then drops the journal it now includes. */
  async function writeSnapshot(next: StateFile): Promise<Loaded> {
    const sorted: StateFile = {
      version: 1,
      lineage: next.lineage,
      serial: next.serial,
      target: { apiUrl: next.target.apiUrl, mode: next.target.mode },
      campaigns: sortedRecords(next.campaigns),
      ...(next.destroyed && Object.keys(next.destroyed).length > 0
        ? { destroyed: sortedRecords(next.destroyed) }
        : {}),
    };
    const problems = findStateProblems(sorted);
    if (problems.length > 0) throw invalid(problems);
    // Checked before the newline is added: JSON.stringify's result is one flat string, and the
    // check then copies nothing (a 1,000-campaign state is 1.6 MB, checked at the run's peak).
    const json = JSON.stringify(sorted, null, 2);
    refuseSecrets(json);
    const text = `${json}\n`;
    try {
      await writeFileAtomic(statePath, text, { backupPath: backupPathFor(statePath) });
      // The snapshot now holds every journalled commit; a kill before this unlink leaves entries
      // whose serials the snapshot already has, and a read skips those.
      await closeJournal();
      await unlink(journalPath).catch((error: unknown) => {
        if (errorCode(error) !== "ENOENT") throw error;
      });
    } catch (error) {
      throw new CampaignctlError({
        code: "STATE_WRITE_FAILED",
        message: `cannot write state file ${statePath}: ${errorCode(error) ?? String(error)}`,
        hint: "check free space and permissions; the previous state is unchanged",
        cause: error,
      });
    }
    await trimHistory(historyPath).catch(() => undefined);
    loaded = {
      lineage: sorted.lineage,
      serial: sorted.serial,
      target: sorted.target,
      campaigns: new Map(Object.entries(sorted.campaigns)),
      destroyed: new Map(Object.entries(sorted.destroyed ?? {})),
      snapshotBytes: Buffer.byteLength(text),
      journalBytes: 0,
      torn: false,
      fingerprint: await fingerprint(),
    };
    return loaded;
  }

  async function appendJournal(line: string): Promise<void> {
    try {
      journal ??= await open(journalPath, "a", 0o644);
      await journal.write(redactActiveSecrets(line));
      await journal.datasync();
    } catch (error) {
      await closeJournal();
      throw new CampaignctlError({
        code: "STATE_WRITE_FAILED",
        message: `cannot write state journal ${journalPath}: ${errorCode(error) ?? String(error)}`,
        hint: "check free space and permissions; the state up to the previous step is kept",
        cause: error,
      });
    }
  }

  async function closeJournal(): Promise<void> {
    const handle = journal;
    journal = undefined;
    await handle?.close().catch(() => undefined);
  }

  async function compact(): Promise<void> {
    await assertLocked();
    const state = await current();
    if (state === undefined || (state.journalBytes === 0 && !state.torn)) return;
    await writeSnapshot(toStateFile(state));
  }

  const store: FileStateStore = {
    location: statePath,
    backend: "file",
    path: statePath,
    blobs: fileBlobStore(blobsDirFor(statePath), [path.join(path.dirname(statePath), "artwork")]),

    async read() {
      const state = await current();
      // A run that starts after a crash (or after a run that could not compact) folds the
      // journal in first, so a torn line is never appended to.
      if (state && (state.journalBytes > 0 || state.torn) && lock && (await lock.isHeld())) {
        return toStateFile(await writeSnapshot(toStateFile(state)));
      }
      return state && toStateFile(state);
    },

    async commit(changes, expected, meta) {
      await assertLocked();
      let state = await current();
      if (state?.torn) state = await writeSnapshot(toStateFile(state));
      assertExpectedVersion(
        statePath,
        state && { lineage: state.lineage, serial: state.serial },
        expected,
        changes,
      );
      const next = nextVersion(expected, changes, meta);
      const problems = changeProblems(changes, next.lineage);
      if (problems.length > 0) throw invalid(problems);
      const at = new Date().toISOString();
      const entry: JournalEntry = {
        lineage: next.lineage,
        serial: next.serial,
        at,
        command: meta.command,
        changes,
      };
      const json = JSON.stringify(entry);
      refuseSecrets(json);
      const line = `${json}\n`;
      const size = (state?.snapshotBytes ?? 0) + (state?.journalBytes ?? 0) + Buffer.byteLength(line);
      if (state === undefined || size < snapshotBelow || changes.some((c) => c.kind === "replace")) {
        await writeSnapshot({ ...applyChanges(state && toStateFile(state), changes), serial: next.serial });
      } else {
        await appendJournal(line);
        applyToLoaded(state, entry, "");
        state.journalBytes += Buffer.byteLength(line);
        state.fingerprint = await fingerprint();
      }
      await appendHistory(historyPath, {
        serial: next.serial,
        at,
        command: meta.command,
        keys: keysTouched(changes),
      });
      return next;
    },

    async write(state) {
      await assertLocked();
      const stored = await current();
      if (stored !== undefined && stored.lineage !== state.lineage) {
        throw new CampaignctlError({
          code: "STATE_WRITE_FAILED",
          message: `refusing to overwrite ${statePath}: it holds a different state (lineage ${stored.lineage}, this one ${state.lineage})`,
          hint: "use --state PATH to write to a separate file",
        });
      }
      const serial = Math.max(state.serial, stored?.serial ?? 0) + 1;
      const written = toStateFile(await writeSnapshot({ ...state, serial }));
      const command = lock?.info.command ?? "write";
      await appendHistory(historyPath, { serial, at: new Date().toISOString(), command, keys: ["*"] });
      return written;
    },

    compact,

    async lock(command, lockOpts: LockOptions = {}) {
      const acquired = await acquireLock(
        statePath,
        { command },
        {
          timeoutMs: lockOpts.timeoutMs ?? 0,
          ...(lockOpts.onStaleLock ? { onStaleLock: lockOpts.onStaleLock } : {}),
        },
      );
      // Holding the lock, no live writer can own a temp file here: these are from killed runs.
      await removeLeftoverTempFiles(statePath, backupPathFor(statePath));
      await removeLeftoverTempFiles(historyPath);
      lock = acquired;
      return {
        path: acquired.path,
        info: acquired.info,
        isHeld: () => acquired.isHeld(),
        releaseSync: () => {
          // No time to fold the journal in: the next run does, when it reads.
          journal = undefined;
          acquired.releaseSync();
        },
        async release() {
          // The end of a run: fold the journal into the snapshot. A failure loses nothing (the
          // journal stays, and the next run folds it in), so it must not fail the run.
          if (await acquired.isHeld()) await compact().catch(() => undefined);
          await closeJournal();
          await acquired.release();
        },
      };
    },

    async history(limit = 100) {
      return readHistory(historyPath, limit);
    },

    async close() {
      await closeJournal();
    },
  };
  return store;
}

function nextVersion(
  expected: StateVersionRef,
  changes: readonly StateChange[],
  meta: CommitMeta,
): StateVersionRef {
  let lineage = expected.lineage;
  for (const change of changes) {
    if (change.kind === "init") lineage = change.lineage;
    else if (change.kind === "replace") lineage = change.state.lineage;
  }
  return { lineage, serial: nextSerial(expected, meta) };
}

function startsOver(entry: JournalEntry): boolean {
  const first = entry.changes[0];
  return first?.kind === "init" || first?.kind === "replace";
}

function applyToLoaded(state: Loaded | undefined, entry: JournalEntry, print: string): Loaded {
  let out = state;
  for (const change of entry.changes) {
    if (change.kind === "init" || change.kind === "replace") {
      const whole = applyChanges(undefined, [change]);
      out = {
        lineage: whole.lineage,
        serial: entry.serial,
        target: whole.target,
        campaigns: new Map(Object.entries(whole.campaigns)),
        destroyed: new Map(Object.entries(whole.destroyed ?? {})),
        snapshotBytes: out?.snapshotBytes ?? 0,
        journalBytes: out?.journalBytes ?? 0,
        torn: false,
        fingerprint: print,
      };
      continue;
    }
    if (out === undefined) throw new Error(`a '${change.kind}' change needs a state`);
    if (change.kind === "put") out.campaigns.set(change.record.key, change.record);
    else if (change.kind === "remove") out.campaigns.delete(change.key);
    else if (change.kind === "put_destroyed") out.destroyed.set(change.record.key, change.record);
    else out.destroyed.delete(change.key);
  }
  if (out === undefined) throw new Error("a journal entry with no changes");
  out.lineage = entry.lineage;
  out.serial = entry.serial;
  return out;
}

function toStateFile(state: Loaded): StateFile {
  return {
    version: 1,
    lineage: state.lineage,
    serial: state.serial,
    target: state.target,
    campaigns: fromMap(state.campaigns),
    ...(state.destroyed.size > 0 ? { destroyed: fromMap(state.destroyed) } : {}),
  };
}

// fromEntries defines own properties, so even a key like "__proto__" stays an ordinary record.
function fromMap<T>(map: Map<string, T>): Readonly<Record<string, T>> {
  return Object.fromEntries(map);
}

/**
 * What is wrong with the records `changes` write, checked against the state schema one record at
 * a time: the cost of a commit is the records it changes, never the whole state.
 */
function changeProblems(changes: readonly StateChange[], lineage: string): string[] {
  const problems: string[] = [];
  const target = { apiUrl: "https://api.lob.com/v1", mode: "test" } as const;
  for (const change of changes) {
    if (change.kind === "replace") problems.push(...findStateProblems({ ...change.state, serial: 1 }));
    else if (change.kind === "init")
      problems.push(
        ...findStateProblems({
          version: 1,
          lineage: change.lineage,
          serial: 1,
          target: change.target,
          campaigns: {},
        }),
      );
    else if (change.kind === "put")
      problems.push(
        ...findStateProblems({
          version: 1,
          lineage,
          serial: 1,
          target,
          campaigns: { [change.record.key]: change.record },
        }),
      );
    else if (change.kind === "put_destroyed")
      problems.push(
        ...findStateProblems({
          version: 1,
          lineage,
          serial: 1,
          target,
          campaigns: {},
          destroyed: { [change.record.key]: change.record },
        }),
      );
    else if (typeof change.key !== "string" || change.key === "") problems.push(`${change.kind}: no key`);
  }
  return problems;
}

function parseEntry(line: string, where: string): JournalEntry {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw corruptJournal(where, "it is not valid JSON");
  }
  const entry = value as Partial<JournalEntry> | null;
  if (
    entry === null ||
    typeof entry !== "object" ||
    typeof entry.lineage !== "string" ||
    !Number.isInteger(entry.serial) ||
    typeof entry.at !== "string" ||
    typeof entry.command !== "string" ||
    !Array.isArray(entry.changes)
  ) {
    throw corruptJournal(where, "it is not a journal entry (lineage, serial, at, command, changes)");
  }
  return entry as JournalEntry;
}

async function statOf(file: string): Promise<string> {
  try {
    const s = await stat(file, { bigint: true });
    return `${s.ino}:${s.size}:${s.mtimeNs}`;
  } catch (error) {
    if (errorCode(error) === "ENOENT") return "none";
    throw unreadable(file, error);
  }
}

function unreadable(file: string, error: unknown): CampaignctlError {
  return new CampaignctlError({
    code: "STATE_CORRUPT",
    message: `cannot read state file ${file}: ${errorCode(error) ?? String(error)}`,
    hint: "check the file's permissions",
    cause: error,
  });
}

function corruptJournal(where: string, what: string): CampaignctlError {
  return new CampaignctlError({
    code: "STATE_CORRUPT",
    message: `state journal ${where} is corrupt: ${what}`,
    hint: "only a torn last line (a killed write) is expected there; restore the state from a copy, or remove the journal to go back to the snapshot and run 'campaignctl state rebuild'",
  });
}

function invalid(problems: readonly string[]): CampaignctlError {
  return new CampaignctlError({
    code: "STATE_WRITE_FAILED",
    message: `refusing to write an invalid state: ${problems.slice(0, 5).join("; ")}`,
    source: "toolkit",
    hint: "this is a bug in campaignctl; the state file on disk was left as it was",
  });
}

// Records in key order, so the file diffs cleanly between writes.
function sortedRecords<T extends CampaignRecord | DestroyedRecord>(
  records: Readonly<Record<string, T>>,
): Readonly<Record<string, T>> {
  return Object.fromEntries(
    Object.keys(records)
      .sort()
      .map((key) => [key, records[key]!]),
  );
}
