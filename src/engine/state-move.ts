import { CampaignctlError } from "../core/errors.js";
import type { StateFile, StateStore } from "../state/types.js";

export interface MovedState {
  readonly from: string;
  readonly to: string;
  readonly lineage: string;
  readonly serial: number;
  readonly campaigns: number;
  readonly destroyed: number;
  /** Artwork blobs copied (those the source had for the hashes the state records). */
  readonly blobs: number;
  /** True when the destination already held exactly this version: nothing was written. */
  readonly unchanged: boolean;
}

const SHA256 = /^[0-9a-f]{64}$/;

/**
 * `state push` / `state pull`: copies the whole state from one store to another (file → Postgres,
 * Postgres → file, or between two of either), keeping its lineage and serial, and the artwork
 * blobs it refers to. Both stores are locked for the copy. The destination must be empty, or hold
 * an older version of the same lineage: a different state, or a newer one, is never overwritten.
 */
export async function moveState(
  from: StateStore,
  to: StateStore,
  opts: { readonly command: string; readonly lockTimeoutMs?: number },
): Promise<MovedState> {
  const lockOpts = { timeoutMs: opts.lockTimeoutMs ?? 0 };
  const fromLock = await from.lock(opts.command, lockOpts);
  try {
    const toLock = await to.lock(opts.command, lockOpts);
    try {
      const state = await from.read();
      if (state === undefined) {
        throw new CampaignctlError({
          code: "STATE_CORRUPT",
          message: `there is no state at ${from.location} to copy`,
          hint: "pass the state to copy from with --state (a file path or a postgres:// URL)",
        });
      }
      const existing = await to.read();
      if (existing !== undefined) refuseOverwrite(state, existing, to.location);
      const blobs = await copyBlobs(state, from, to);
      const counts = {
        from: from.location,
        to: to.location,
        lineage: state.lineage,
        campaigns: Object.keys(state.campaigns).length,
        destroyed: Object.keys(state.destroyed ?? {}).length,
        blobs,
      };
      if (existing !== undefined && existing.serial === state.serial) {
        return { ...counts, serial: state.serial, unchanged: true };
      }
      const written = await to.commit(
        [{ kind: "replace", state }],
        existing
          ? { lineage: existing.lineage, serial: existing.serial }
          : { lineage: state.lineage, serial: 0 },
        { command: opts.command, serial: state.serial },
      );
      return { ...counts, serial: written.serial, unchanged: false };
    } finally {
      await toLock.release();
    }
  } finally {
    await fromLock.release();
  }
}

function refuseOverwrite(state: StateFile, existing: StateFile, location: string): void {
  if (existing.lineage !== state.lineage) {
    throw new CampaignctlError({
      code: "STATE_CONFLICT",
      message: `${location} already holds another state (lineage ${existing.lineage}, serial ${existing.serial}); this one is lineage ${state.lineage}: nothing was copied`,
      hint: "copy to an empty place instead, or remove the other state first if it is really not wanted (its campaigns would no longer be managed)",
    });
  }
  if (existing.serial > state.serial) {
    throw new CampaignctlError({
      code: "STATE_CONFLICT",
      message: `${location} holds a newer version of this state (serial ${existing.serial}) than the one being copied (serial ${state.serial}): nothing was copied`,
      hint: "copy the other way round, or plan against the newer state",
    });
  }
  if (existing.serial === state.serial && JSON.stringify(existing) !== JSON.stringify(state)) {
    throw new CampaignctlError({
      code: "STATE_CONFLICT",
      message: `${location} holds serial ${existing.serial} of this state with different records: the two copies diverged; nothing was copied`,
      hint: "decide which copy is right ('campaignctl state list' against each), then rebuild the other with 'campaignctl state rebuild'",
    });
  }
}

async function copyBlobs(state: StateFile, from: StateStore, to: StateStore): Promise<number> {
  const hashes = new Set<string>();
  for (const record of Object.values(state.campaigns)) {
    for (const value of Object.values(record.applied.artwork ?? {})) {
      const hash = value.startsWith("sha256:") ? value.slice(7) : value;
      if (SHA256.test(hash)) hashes.add(hash);
    }
  }
  let copied = 0;
  for (const hash of hashes) {
    const bytes = await from.blobs.get(hash);
    if (bytes === undefined) continue;
    await to.blobs.put(hash, bytes);
    copied += 1;
  }
  return copied;
}
