import type { Campaign, Creative, Upload } from "../lob/wire.js";
import { OUR_TAGS, TAG_KEY, TAG_LINEAGE, TAG_PROJECT } from "../core/tags.js";
import type { DesiredCampaign, FieldChange } from "./types.js";
import { isPlainObject, isSubsetOf, sameValue } from "./values.js";

/** Campaign fields campaignctl manages, in display order. */
export const CAMPAIGN_FIELDS = [
  "name",
  "description",
  "schedule_type",
  "use_type",
  "cancel_window_campaign_minutes",
  "auto_cancel_if_ncoa",
  "send_date",
  "target_delivery_date",
  "billing_group_id",
  "print_speed",
  "metadata",
] as const;

/** Lob cannot change these on an existing campaign: a change replaces the (draft) campaign. */
export const CAMPAIGN_CREATE_ONLY: ReadonlySet<string> = new Set(["billing_group_id", "print_speed"]);

/** What a field goes back to when the manifest stops setting it. */
const CLEARED: Readonly<Record<string, unknown>> = { description: null, metadata: {} };

/** The campaign's metadata as the user sees it: our tags are ours, not theirs. */
export function userMetadata(metadata: Readonly<Record<string, string>> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(metadata ?? {})) {
    if (!OUR_TAGS.has(key)) out[key] = value;
  }
  return out;
}

export function campaignTags(key: string, lineage: string, project: string): Record<string, string> {
  return { [TAG_KEY]: key, [TAG_LINEAGE]: lineage, [TAG_PROJECT]: project };
}

/**
 * Field changes between the manifest and Lob's campaign. A change is `drift` when the manifest
 * still says what campaignctl last applied but Lob holds something else (edited in the dashboard).
 */
export function diffCampaignFields(
  desired: DesiredCampaign,
  observed: Campaign,
  applied: Readonly<Record<string, unknown>> | undefined,
): FieldChange[] {
  const changes: FieldChange[] = [];
  for (const field of CAMPAIGN_FIELDS) {
    const hasDesired = desired.campaign[field] !== undefined;
    const wasApplied = applied !== undefined && applied[field] !== undefined;
    if (!hasDesired && !(wasApplied && field in CLEARED)) continue;
    const want = hasDesired ? desired.campaign[field] : CLEARED[field];
    if (field === "metadata") {
      changes.push(
        ...diffRecord(
          "metadata",
          (want ?? {}) as Record<string, unknown>,
          userMetadata(observed.metadata),
          applied?.metadata as Record<string, unknown> | undefined,
        ),
      );
      continue;
    }
    const have = (observed as unknown as Record<string, unknown>)[field] ?? null;
    if (!sameValue(want, have)) {
      const drift = wasApplied && sameValue(applied[field], want) && !sameValue(applied[field], have);
      changes.push({ path: field, before: have, after: want, ...(drift ? { drift } : {}) });
    }
  }
  return changes;
}

/** Per-key changes of a flat string map (metadata), so the diff shows exactly which key moved. */
function diffRecord(
  prefix: string,
  want: Record<string, unknown>,
  have: Record<string, unknown>,
  applied: Record<string, unknown> | undefined,
): FieldChange[] {
  const changes: FieldChange[] = [];
  const keys = [...new Set([...Object.keys(want), ...Object.keys(have)])].sort();
  for (const key of keys) {
    const after = want[key] ?? null;
    const before = have[key] ?? null;
    if (sameValue(after, before)) continue;
    const appliedValue = applied?.[key] ?? null;
    const drift = applied !== undefined && sameValue(appliedValue, after) && !sameValue(appliedValue, before);
    changes.push({ path: `${prefix}.${key}`, before, after, ...(drift ? { drift } : {}) });
  }
  return changes;
}

export function diffCreativeFields(
  desired: DesiredCampaign,
  observed: Creative,
  applied: Readonly<Record<string, unknown>> | undefined,
): FieldChange[] {
  const changes: FieldChange[] = [];
  const want = desired.creative.fields;
  for (const field of ["from", "description", "metadata"] as const) {
    const hasDesired = want[field] !== undefined;
    const wasApplied = applied !== undefined && applied[field] !== undefined;
    if (!hasDesired && !wasApplied) continue;
    const after = hasDesired ? want[field] : field === "metadata" ? {} : null;
    const before = observed[field] ?? null;
    // Lob may expand an inline `from` address (ids, defaults): compare what we set.
    const same =
      isPlainObject(after) && field === "from" ? isSubsetOf(after, before) : sameValue(after, before);
    if (!same) {
      const drift = wasApplied && sameValue(applied[field], after);
      changes.push({ path: `creative.${field}`, before, after, ...(drift ? { drift } : {}) });
    }
  }
  return changes;
}

const MAPPING_FIELDS = [
  "requiredAddressColumnMapping",
  "optionalAddressColumnMapping",
  "mergeVariableColumnMapping",
  "metadata",
] as const;

export function diffUploadMapping(desired: DesiredCampaign, observed: Upload): FieldChange[] {
  const changes: FieldChange[] = [];
  for (const field of MAPPING_FIELDS) {
    const after: unknown = desired.upload[field] ?? null;
    const before: unknown = observed[field] ?? null;
    if (sameValue(after, before)) continue;
    if (isPlainObject(after) && isPlainObject(before) && field !== "metadata") {
      const keys = [...new Set([...Object.keys(after), ...Object.keys(before)])].sort();
      for (const key of keys) {
        if (!sameValue(after[key] ?? null, before[key] ?? null)) {
          changes.push({
            path: `upload.${field}.${key}`,
            before: before[key] ?? null,
            after: after[key] ?? null,
          });
        }
      }
    } else {
      changes.push({ path: `upload.${field}`, before, after });
    }
  }
  return changes;
}

/** The creative's create-only content as Lob shows it, for campaigns we adopt without a hash. */
export function creativeContentMatches(desired: DesiredCampaign, observed: Creative): boolean {
  if (observed.resource_type !== desired.creative.resource_type) return false;
  return isSubsetOf(desired.creative.details, observed.details);
}
