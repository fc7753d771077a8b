import { readFile } from "node:fs/promises";
import { CampaignctlError } from "../core/errors.js";
import { errorCode, removeLeftoverTempFiles, writeFileAtomic } from "./atomic-file.js";
import { acquireLock } from "./lock.js";
import { backupPathFor } from "./paths.js";
import type {
  CampaignRecord,
  DestroyedRecord,
  LockOptions,
  StateFile,
  StateLock,
  StateStore,
} from "./types.js";
import { findStateProblems, parseState } from "./validate.js";

export interface StateStoreOptions {
  /**
   * Strings that must never be written to the state (the API key): a write whose text contains
   * one is refused. A guard against a bug elsewhere putting a secret into a record.
   */
  readonly secrets?: readonly string[];
}

/** The local-file state backend: one JSON file, written atomically, guarded by a lock file. */
export function openStateStore(path: string, opts: StateStoreOptions = {}): StateStore {
  const secrets = (opts.secrets ?? []).filter((s) => s.length >= 4);
  let lock: StateLock | undefined;
  // What this store last saw on disk, so a write can neither go backwards nor cross lineages.
  let known: { lineage: string; serial: number } | undefined;

  async function readCurrent(): Promise<StateFile | undefined> {
    let text: string;
    try {
      text = await readFile(path, "utf8");
    } catch (error) {
      if (errorCode(error) === "ENOENT") return undefined;
      throw new CampaignctlError({
        code: "STATE_CORRUPT",
        message: `cannot read state file ${path}: ${errorCode(error) ?? String(error)}`,
        hint: "check the file's permissions",
        cause: error,
      });
    }
    const state = parseState(text, path);
    known = { lineage: state.lineage, serial: state.serial };
    return state;
  }

  return {
    path,
    read: readCurrent,

    async write(state) {
      if (lock === undefined || !(await lock.isHeld())) {
        throw new CampaignctlError({
          code: "STATE_WRITE_FAILED",
          message: `refusing to write ${path} without holding its lock${lock ? " (it was removed, perhaps by force-unlock)" : ""}`,
          source: lock ? "user" : "toolkit",
          hint: lock
            ? "another run may be using this state: run 'campaignctl plan' to see where things stand"
            : "this is a bug in campaignctl: state is written only under the lock",
        });
      }
      if (known === undefined) await readCurrent();
      if (known !== undefined && known.lineage !== state.lineage) {
        throw new CampaignctlError({
          code: "STATE_WRITE_FAILED",
          message: `refusing to overwrite ${path}: it holds a different state (lineage ${known.lineage}, this one ${state.lineage})`,
          hint: "use --state PATH to write to a separate file",
        });
      }
      const next: StateFile = {
        version: 1,
        lineage: state.lineage,
        serial: Math.max(state.serial, known?.serial ?? 0) + 1,
        target: { apiUrl: state.target.apiUrl, mode: state.target.mode },
        campaigns: sortedCampaigns(state.campaigns),
        ...(state.destroyed && Object.keys(state.destroyed).length > 0
          ? { destroyed: sortedCampaigns(state.destroyed) }
          : {}),
      };
      const problems = findStateProblems(next);
      if (problems.length > 0) {
        throw new CampaignctlError({
          code: "STATE_WRITE_FAILED",
          message: `refusing to write an invalid state to ${path}: ${problems.slice(0, 5).join("; ")}`,
          source: "toolkit",
          hint: "this is a bug in campaignctl; the state file on disk was left as it was",
        });
      }
      const text = `${JSON.stringify(next, null, 2)}\n`;
      if (secrets.some((secret) => text.includes(secret))) {
        throw new CampaignctlError({
          code: "STATE_WRITE_FAILED",
          message: `refusing to write ${path}: the state would contain the API key`,
          source: "toolkit",
          hint: "this is a bug in campaignctl; the state file on disk was left as it was",
        });
      }
      try {
        await writeFileAtomic(path, text, { backupPath: backupPathFor(path) });
      } catch (error) {
        throw new CampaignctlError({
          code: "STATE_WRITE_FAILED",
          message: `cannot write state file ${path}: ${errorCode(error) ?? String(error)}`,
          hint: "check free space and permissions; the previous state is unchanged",
          cause: error,
        });
      }
      known = { lineage: next.lineage, serial: next.serial };
      return next;
    },

    async lock(command, lockOpts: LockOptions = {}) {
      const acquired = await acquireLock(
        path,
        { command },
        {
          timeoutMs: lockOpts.timeoutMs ?? 0,
          ...(lockOpts.onStaleLock ? { onStaleLock: lockOpts.onStaleLock } : {}),
        },
      );
      // Holding the lock, no live writer can own a temp file here: these are from killed runs.
      await removeLeftoverTempFiles(path, backupPathFor(path));
      lock = acquired;
      return acquired;
    },
  };
}

// Records in key order, so the file diffs cleanly between writes.
function sortedCampaigns<T extends CampaignRecord | DestroyedRecord>(
  campaigns: Readonly<Record<string, T>>,
): Readonly<Record<string, T>> {
  // fromEntries defines own properties, so even a key like "__proto__" stays an ordinary record.
  return Object.fromEntries(
    Object.keys(campaigns)
      .sort()
      .map((key) => [key, campaigns[key]!]),
  );
}
