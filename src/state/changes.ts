import { CampaignctlError, internalError } from "../core/errors.js";
import type { CommitMeta, StateChange, StateFile, StateVersionRef } from "./types.js";
import { withCampaign, withDestroyed } from "./records.js";
import { normalizeApiUrl } from "./target.js";

/**
 * `state` with `changes` applied in order (serial unchanged: the store sets it). Pure: `state`
 * is not changed. Every backend and the in-memory test store apply changes through here, so they
 * agree on what a change means.
 */
export function applyChanges(state: StateFile | undefined, changes: readonly StateChange[]): StateFile {
  let next = state;
  for (const change of changes) {
    if (change.kind === "init") {
      next = {
        version: 1,
        lineage: change.lineage,
        serial: next?.serial ?? 0,
        target: { apiUrl: normalizeApiUrl(change.target.apiUrl), mode: change.target.mode },
        campaigns: {},
      };
      continue;
    }
    if (change.kind === "replace") {
      next = { ...change.state, serial: next?.serial ?? 0 };
      continue;
    }
    if (next === undefined) throw new Error(`a '${change.kind}' change needs a state: begin with 'init'`);
    switch (change.kind) {
      case "put":
        next = withCampaign(next, change.record.key, () => change.record);
        break;
      case "remove":
        next = withCampaign(next, change.key, () => undefined);
        break;
      case "put_destroyed":
        next = withDestroyed(next, change.record.key, change.record);
        break;
      case "remove_destroyed":
        next = withDestroyed(next, change.key, undefined);
        break;
    }
  }
  if (next === undefined) throw new Error("no changes to apply to an empty state");
  return next;
}

/** The campaign keys `changes` touch, sorted and unique; `*` stands for a whole-state replace. */
export function keysTouched(changes: readonly StateChange[]): string[] {
  const keys = new Set<string>();
  for (const change of changes) {
    if (change.kind === "put" || change.kind === "put_destroyed") keys.add(change.record.key);
    else if (change.kind === "remove" || change.kind === "remove_destroyed") keys.add(change.key);
    else if (change.kind === "replace") keys.add("*");
  }
  return [...keys].sort();
}

/** True when `changes` can start a state from nothing (their first change makes a whole state). */
export function startsAState(changes: readonly StateChange[]): boolean {
  const first = changes[0];
  return first !== undefined && (first.kind === "init" || first.kind === "replace");
}

/**
 * The serial of the version a commit makes: expected.serial + 1, or the one `meta` asks for (a
 * state moved between backends keeps its serial), which must not go back.
 */
export function nextSerial(expected: StateVersionRef, meta: CommitMeta): number {
  if (meta.serial === undefined) return expected.serial + 1;
  if (!Number.isInteger(meta.serial) || meta.serial <= expected.serial) {
    throw internalError(`a commit's serial must go forward: ${meta.serial} after ${expected.serial}`);
  }
  return meta.serial;
}

/** A version as plain data (never the caller's object). */
export function versionOf(state: Pick<StateFile, "lineage" | "serial">): StateVersionRef {
  return { lineage: state.lineage, serial: state.serial };
}

/**
 * Compare-and-set: throws STATE_CONFLICT unless `stored` (undefined: no state yet) is exactly the
 * version `expected` names. A write made from an older copy must never land over a newer one.
 */
export function assertExpectedVersion(
  location: string,
  stored: StateVersionRef | undefined,
  expected: StateVersionRef,
  changes: readonly StateChange[],
): void {
  if (stored === undefined) {
    if (expected.serial === 0 && startsAState(changes)) return;
    throw conflict(
      `the state at ${location} does not exist, but this write was made from serial ${expected.serial} of lineage ${expected.lineage}`,
    );
  }
  if (stored.lineage !== expected.lineage) {
    throw conflict(
      `the state at ${location} is another state (lineage ${stored.lineage}, serial ${stored.serial}) than the one this write was made from (lineage ${expected.lineage}, serial ${expected.serial})`,
    );
  }
  if (stored.serial !== expected.serial) {
    throw conflict(
      `the state at ${location} is at serial ${stored.serial}, but this write was made from serial ${expected.serial}: another run wrote it in between`,
    );
  }
}

function conflict(message: string): CampaignctlError {
  return new CampaignctlError({
    code: "STATE_CONFLICT",
    message: `${message}; nothing was written`,
    hint: "run 'campaignctl plan' to see where things stand now, then run the command again",
  });
}
