import { randomUUID } from "node:crypto";
import type {
  AppliedRecord,
  CampaignRecord,
  DestroyedRecord,
  PendingIntent,
  StateFile,
  StateTarget,
  UnknownApplied,
} from "./types.js";
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

// ─── record transitions: each step of apply/destroy/import as a pure function of the record ──
// No caller writes `{ pending: _p, ...rest }` by hand: a forgotten field there is a record that
// lies about what Lob holds.

type Resource = "campaign" | "creative" | "upload";

/** The record without its pending intent: the step it named is known to have finished. */
export function clearPending(record: CampaignRecord): CampaignRecord {
  if (record.pending === undefined) return record;
  const { pending: _pending, ...rest } = record;
  return rest;
}

/** Before a create or send: the intent, so a lost response is reconciled before anything is retried. */
export function withPending(
  record: CampaignRecord,
  step: PendingIntent["step"],
  since: string,
): CampaignRecord {
  return { ...record, pending: { step, since } };
}

/**
 * An object found in Lob (a lost response's result, or one on the campaign): recorded by id. A
 * campaign starts its record afresh: nothing of another campaign's applied values carries over.
 */
export function adopt(record: CampaignRecord, resource: Resource, id: string): CampaignRecord {
  if (resource === "campaign") return { key: record.key, campaignId: id, applied: {} };
  const rest = clearPending(record);
  return resource === "creative" ? { ...rest, creativeId: id } : { ...rest, uploadId: id };
}

/** A campaign just created: a new record holding only it and the fields it was created with. */
export function campaignCreated(
  key: string,
  campaignId: string,
  campaign: Readonly<Record<string, unknown>>,
): CampaignRecord {
  return { key, campaignId, applied: { campaign } };
}

/** A draft deleted so the following creates make it anew: nothing of it is left but the key. */
export function campaignReset(record: CampaignRecord): CampaignRecord {
  return { key: record.key, applied: {} };
}

/** A creative just created, with what it was created from. */
export function creativeCreated(
  record: CampaignRecord,
  creativeId: string,
  applied: Pick<AppliedRecord, "creativeContentHash" | "creativeFields" | "artwork">,
): CampaignRecord {
  return {
    ...clearPending(record),
    creativeId,
    applied: { ...knownNow(record.applied, "creativeContentHash"), ...applied },
  };
}

/** An upload just created: its mappings are applied, no file is in it yet. */
export function uploadCreated(
  record: CampaignRecord,
  uploadId: string,
  uploadMapping: Readonly<Record<string, unknown>>,
): CampaignRecord {
  return {
    ...clearPending(record),
    uploadId,
    applied: { ...record.applied, uploadMapping, audienceSha256: undefined },
  };
}

/** The audience file is in Lob's upload: these bytes, this many rows. */
export function fileUploaded(
  record: CampaignRecord,
  audienceSha256: string,
  audienceRows: number,
): CampaignRecord {
  return {
    ...clearPending(record),
    applied: { ...knownNow(record.applied, "audienceSha256"), audienceSha256, audienceRows },
  };
}

/** An upload deleted so a new one can take a changed file: the record forgets it and its file. */
export function uploadDropped(record: CampaignRecord): CampaignRecord {
  const { uploadId: _uploadId, ...rest } = record;
  return {
    ...rest,
    applied: {
      ...record.applied,
      audienceSha256: undefined,
      audienceRows: undefined,
      uploadMapping: undefined,
    },
  };
}

/** An update Lob accepted: these applied values are now what Lob holds. */
export function updatedWith(record: CampaignRecord, applied: Partial<AppliedRecord>): CampaignRecord {
  return { ...record, applied: { ...record.applied, ...applied } };
}

/** Sent (by us or seen sent in Lob): the send time and the cancel deadline it opens. */
export function sendRecorded(record: CampaignRecord, sentAt: string, cancelDeadline: string): CampaignRecord {
  return { ...clearPending(record), sentAt, cancelDeadline };
}

/** `applied` without `field` among the unknowns: campaignctl has just applied it itself. */
function knownNow(applied: AppliedRecord, field: UnknownApplied): AppliedRecord {
  const unknown = applied.unknown?.filter((u) => u !== field);
  const { unknown: _unknown, ...rest } = applied;
  return unknown && unknown.length > 0 ? { ...rest, unknown } : rest;
}
