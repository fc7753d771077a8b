import { randomUUID } from "node:crypto";
import type { CampaignRecord, DestroyedRecord, StateFile, StateTarget } from "./types.js";
import { normalizeApiUrl } from "./target.js";

/** A fresh, empty state for a target: new lineage, serial 0 (the first write makes it 1). */
export function newState(target: StateTarget): StateFile {
  return {
    version: 1,
    lineage: randomUUID(),
    serial: 0,
    target: { apiUrl: normalizeApiUrl(target.apiUrl), mode: target.mode },
    campaigns: {},
  };
}

/**
 * A copy of `state` with the record under `key` replaced by what `update` returns; returning
 * undefined removes it. `state` itself is not changed. The returned record's `key` is forced to
 * `key` so the two can never disagree.
 */
export function withCampaign(
  state: StateFile,
  key: string,
  update: (record: CampaignRecord | undefined) => CampaignRecord | undefined,
): StateFile {
  const current = Object.hasOwn(state.campaigns, key) ? state.campaigns[key] : undefined;
  const next = update(current);
  if (next === undefined) {
    if (current === undefined) return state;
    return {
      ...state,
      campaigns: Object.fromEntries(Object.entries(state.campaigns).filter(([k]) => k !== key)),
    };
  }
  const campaigns: Record<string, CampaignRecord> = { ...state.campaigns };
  // defineProperty, not assignment, so no key ("__proto__" included) is special.
  Object.defineProperty(campaigns, key, {
    value: next.key === key ? next : { ...next, key },
    enumerable: true,
    writable: true,
    configurable: true,
  });
  return { ...state, campaigns };
}

/**
 * A copy of `state` where `key` is recorded as destroyed (`entry`), or no longer is (undefined).
 * Like withCampaign, every key is an ordinary own property.
 */
export function withDestroyed(state: StateFile, key: string, entry: DestroyedRecord | undefined): StateFile {
  const rest = Object.entries(state.destroyed ?? {}).filter(([k]) => k !== key);
  if (entry === undefined) {
    if (rest.length === Object.keys(state.destroyed ?? {}).length) return state;
    const { destroyed: _d, ...without } = state;
    return rest.length > 0 ? { ...without, destroyed: Object.fromEntries(rest) } : without;
  }
  return { ...state, destroyed: Object.fromEntries([...rest, [key, { ...entry, key }]]) };
}
