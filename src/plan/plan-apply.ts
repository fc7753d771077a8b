import { DEFAULT_PROJECT, projectOf } from "../core/tags.js";
import type { Campaign, Upload } from "../lob/wire.js";
import type { CampaignRecord } from "../state/types.js";
import {
  CAMPAIGN_CREATE_ONLY,
  CAMPAIGN_FIELDS,
  campaignTags,
  creativeContentMatches,
  diffCampaignFields,
  diffCreativeFields,
  diffUploadMapping,
} from "./campaign-fields.js";
import { summarizePlan } from "./summary.js";
import type {
  ActionBody,
  CampaignPlan,
  CostEstimate,
  DesiredCampaign,
  FieldChange,
  Headline,
  Plan,
  PlanInputs,
  PlanScope,
  PlannedAction,
  PlanNote,
  ReasonCode,
} from "./types.js";
import { addMinutes } from "./values.js";
import { amountCents, centsToDollars, formatUnitPrice, formatUsd, toCents } from "./money.js";
import { compareText, formatCount } from "../core/en-us.js";

/** How long a create with no answer may still land in Lob before it is judged lost (`--settle`). */
export const DEFAULT_SETTLE_MS = 2 * 60_000;

/** Lob's account default when a campaign sets no cancel window (CONTRACT.md §8.13). */
export const DEFAULT_CANCEL_WINDOW_MINUTES = 240;

/**
 * Diff desired (manifests) against recorded (state) and observed (Lob) and return the ordered
 * actions that converge them. Pure: no I/O, no clock (now is an input), no randomness.
 */
export function planApply(inputs: PlanInputs): Plan {
  const campaigns: CampaignPlan[] = [];
  const desiredKeys = new Set(inputs.desired.map((d) => d.key));
  for (const desired of [...inputs.desired].sort((a, b) => compareText(a.key, b.key))) {
    campaigns.push(planCampaign(desired, inputs));
  }
  // Like Terraform's -target: a run over some paths touches only their campaigns. Only a run over
  // the whole project can tell that a manifest was removed rather than just not named.
  if (scopeOf(inputs) === "project") {
    for (const key of Object.keys(inputs.state.campaigns).sort()) {
      if (desiredKeys.has(key)) continue;
      campaigns.push(planRemoved(inputs.state.campaigns[key]!, inputs));
    }
  }
  const limit = inputs.budget?.maxCostPerRun;
  return finishPlan("apply", inputs, limit === undefined ? campaigns : applyRunBudget(campaigns, limit));
}

function scopeOf(inputs: Pick<PlanInputs, "scope">): PlanScope {
  return inputs.scope ?? "project";
}

export function finishPlan(
  operation: Plan["operation"],
  inputs: Pick<PlanInputs, "state" | "scope">,
  campaigns: CampaignPlan[],
): Plan {
  const summary = summarizePlan(campaigns);
  const hasChanges = campaigns.some((c) => c.actions.some((a) => a.kind !== "blocked"));
  return {
    version: 1,
    operation,
    scope: scopeOf(inputs),
    stateLineage: inputs.state.lineage,
    stateSerial: inputs.state.serial,
    campaigns,
    summary,
    hasChanges,
    warnings: campaigns.flatMap((c) => (c.warnings ?? []).map((w) => `${c.key}: ${w}`)),
  };
}

function planCampaign(desired: DesiredCampaign, inputs: PlanInputs): CampaignPlan {
  const record = inputs.state.campaigns[desired.key];
  const notes: PlanNote[] = [];
  const actions: PlannedAction[] = [];
  const destroyed = Object.hasOwn(inputs.state.destroyed ?? {}, desired.key)
    ? inputs.state.destroyed![desired.key]
    : undefined;
  if (destroyed && !record && !(inputs.recreate ?? []).includes(desired.key)) {
    // Creating it again would mail it again: destroyed stays destroyed until a person says otherwise.
    const what = destroyed.campaignId ? ` (campaign ${destroyed.campaignId} ${destroyed.how})` : "";
    return {
      ...build(desired, "noop", [], [], inputs, record, undefined),
      warnings: [
        `destroyed at ${destroyed.at}${what}; not re-created. Give the manifest a new key, or run 'campaignctl apply --recreate ${desired.key}' to create it again`,
      ],
    };
  }
  const { campaign, adoption } = identifyCampaign(desired.key, record, inputs);
  actions.push(...adoption.actions);
  notes.push(...adoption.notes);
  if (!campaign && adoption.unrecorded) {
    actions.push(refuseUnrecorded(desired.key, adoption.unrecorded, inputs));
    return build(desired, "blocked", actions, notes, inputs, record, undefined);
  }

  if (!campaign && record?.sentAt !== undefined) {
    // It was mailed, then cancelled or deleted outside campaignctl (or this key reaches another
    // account). Creating it again would mail it again: never without a person deciding so.
    actions.push({
      kind: "blocked",
      changes: [],
      reason: `campaign ${record.campaignId ?? "(unknown id)"} was sent at ${record.sentAt} and no longer exists in Lob; campaignctl will not create and send it again`,
      reasonCode: "sent_and_gone",
      hint: `if it should be mailed again, give the manifest a new key; 'campaignctl destroy --key ${desired.key}' forgets the old one`,
    });
    return build(
      desired,
      "blocked",
      actions,
      notes.filter((n) => n.code !== "created_anew"),
      inputs,
      record,
      undefined,
    );
  }

  if (!campaign) {
    const settling = settlingCreate(record, inputs);
    if (settling) {
      actions.push(settling);
      return build(desired, "wait", actions, notes, inputs, record, undefined);
    }
    const claimed = claimedBy(desired.key, inputs);
    if (claimed) {
      actions.push(refuseUnrecorded(desired.key, claimed, inputs));
      return build(desired, "blocked", actions, notes, inputs, record, undefined);
    }
    actions.push(...createEverything(desired, inputs, "new campaign", "new_campaign"));
    addSend(desired, actions, notes, inputs.now);
    return build(desired, "create", actions, notes, inputs, record, undefined);
  }

  const sent = !campaign.is_draft;
  const applied = record?.applied;
  const campaignChanges = diffCampaignFields(
    desired,
    campaign,
    adoption.adopted ? undefined : applied?.campaign,
  );
  const creative = campaign.creatives[0];
  const upload = campaign.uploads[0];
  const knownCreative = record?.creativeId !== undefined && record.creativeId === creative?.id;
  const knownUpload = record?.uploadId !== undefined && record.uploadId === upload?.id;

  const contentChanged =
    creative !== undefined &&
    (knownCreative && applied?.creativeContentHash !== undefined
      ? applied.creativeContentHash !== desired.creative.contentHash
      : !creativeContentMatches(desired, creative));
  const artworkChanges: FieldChange[] = contentChanged ? creativeContentChanges(desired, record) : [];
  const creativeFieldChanges = creative
    ? diffCreativeFields(desired, creative, knownCreative ? applied?.creativeFields : undefined)
    : [];
  const mappingChanges = upload ? diffUploadMapping(desired, upload) : [];
  const uploadedSha = knownUpload ? applied?.audienceSha256 : undefined;
  const audienceChanged =
    upload !== undefined && uploadedSha !== undefined && uploadedSha !== desired.audience.sha256;
  // A record rebuilt from Lob or imported cannot know which file Lob holds: say so, never guess.
  const audienceUnknown =
    knownUpload && applied?.unknown?.includes("audienceSha256") === true && uploadHasFile(upload);
  const fileUnknown = upload !== undefined && uploadedSha === undefined && !audienceUnknown;
  if (audienceUnknown) {
    notes.push({
      code: "audience_hash_unknown",
      text: `cannot compare the audience file Lob holds with ${desired.audience.file}: the state was rebuilt from Lob or imported, so its hash is unknown (left as it is)`,
    });
  }
  if (knownCreative && applied?.unknown?.includes("creativeContentHash") === true) {
    notes.push({
      code: "artwork_hash_unknown",
      text: "cannot compare the artwork Lob holds with the manifest's: the state was rebuilt from Lob or imported, so its hash is unknown (only resource_type and details are compared)",
    });
  }

  if (sent) {
    if (record?.sentAt === undefined) {
      actions.push({
        kind: "record_send",
        id: campaign.id,
        sentAt: campaign.send_date ?? inputs.now,
        cancelWindowMinutes: cancelWindowOf(desired),
        reason: "Lob reports this campaign as sent; recording it in state",
        reasonCode: "sent_outside",
      });
    }
    const changes = [
      ...campaignChanges,
      ...artworkChanges,
      ...creativeFieldChanges,
      ...mappingChanges,
      ...(audienceChanged ? [audienceChange(uploadedSha, desired)] : []),
    ];
    if (changes.length > 0) {
      actions.push({
        kind: "blocked",
        changes,
        reason: `campaign ${campaign.id} was sent${campaign.send_date ? ` at ${campaign.send_date}` : ""}; Lob cannot change a sent campaign`,
        // Never "destroy it and apply again": destroying cancels a mailing that is under way,
        // which a cosmetic edit never justifies.
        reasonCode: "sent_cannot_change",
        hint: "revert these fields in the manifest to what was sent; to mail a new version, give the manifest a new key",
      });
      return build(desired, "blocked", actions, notes, inputs, record, campaign);
    }
    if (!desired.send.enabled) {
      notes.push({
        code: "already_sent_send_ignored",
        text: "campaign was already sent; send.enabled no longer matters",
      });
    }
    return build(desired, "noop", actions, notes, inputs, record, campaign);
  }

  const createOnly = campaignChanges.filter((c) => CAMPAIGN_CREATE_ONLY.has(c.path));
  const claimed = createOnly.length > 0 || contentChanged ? claimedBy(desired.key, inputs) : undefined;
  if (claimed) {
    actions.push(refuseUnrecorded(desired.key, claimed, inputs));
    return build(desired, "blocked", actions, notes, inputs, record, campaign);
  }
  if (createOnly.length > 0 || contentChanged) {
    const what = [
      ...createOnly.map((c) => c.path),
      ...artworkChanges.map((c) => c.path.replace(/^creative\./, "")),
    ];
    actions.push({
      kind: "replace",
      resource: "campaign",
      id: campaign.id,
      changes: [...campaignChanges, ...artworkChanges, ...creativeFieldChanges, ...mappingChanges],
      reason: `${what.join(", ")} changed → replaces the draft campaign: Lob cannot change ${createOnly.length > 0 ? "these fields" : "a creative's artwork or details"} in place`,
      reasonCode: "create_only_changed",
    });
    actions.push(...createEverything(desired, inputs, "replacement", "replacement"));
    addSend(desired, actions, notes, inputs.now);
    return build(desired, "replace", actions, notes, inputs, record, campaign);
  }

  const updateChanges = campaignChanges.filter((c) => !CAMPAIGN_CREATE_ONLY.has(c.path));
  if (updateChanges.length > 0) {
    const drift = updateChanges.some((c) => c.drift);
    actions.push({
      kind: "update",
      resource: "campaign",
      id: campaign.id,
      changes: updateChanges,
      body: campaignUpdateBody(desired, updateChanges, inputs),
      applied: { campaign: desired.campaign },
      drift,
      reason: drift
        ? "changed outside campaignctl; restoring the manifest's values"
        : "campaign fields changed",
      reasonCode: drift ? "drift" : "fields_changed",
    });
  }

  if (!creative) {
    actions.push({
      kind: "create",
      resource: "creative",
      changes: creativeCreateChanges(desired),
      ...creativeCreate(desired),
      reason: "campaign has no creative",
      reasonCode: "no_creative",
    });
  } else {
    if (!knownCreative) {
      actions.push({
        kind: "adopt",
        resource: "creative",
        id: creative.id,
        reason: "found on the campaign; recording it",
        reasonCode: "found_on_campaign",
      });
    }
    if (creativeFieldChanges.length > 0) {
      const drift = creativeFieldChanges.some((c) => c.drift);
      actions.push({
        kind: "update",
        resource: "creative",
        id: creative.id,
        changes: creativeFieldChanges,
        body: creativeUpdateBody(creativeFieldChanges),
        applied: { creativeFields: desired.creative.fields },
        drift,
        reason: drift
          ? "creative changed outside campaignctl; restoring the manifest's values"
          : "creative fields changed",
        reasonCode: drift ? "drift" : "fields_changed",
      });
    }
  }

  if (!upload) {
    actions.push(...createUploadAndFile(desired, "campaign has no audience upload", "no_upload"));
  } else {
    if (!knownUpload) {
      actions.push({
        kind: "adopt",
        resource: "upload",
        id: upload.id,
        reason: "found on the campaign; recording it",
        reasonCode: "found_on_campaign",
      });
    }
    if (audienceChanged) {
      actions.push({
        kind: "replace",
        resource: "upload",
        id: upload.id,
        changes: [audienceChange(uploadedSha, desired)],
        reason: "audience file changed → new upload (Lob takes one file per upload)",
        reasonCode: "audience_changed",
      });
      actions.push(...createUploadAndFile(desired, "new audience", "new_audience"));
    } else {
      if (mappingChanges.length > 0) {
        actions.push({
          kind: "update",
          resource: "upload",
          id: upload.id,
          changes: mappingChanges,
          body: { resource: "upload", fields: { ...desired.upload } },
          applied: { uploadMapping: { ...desired.upload } },
          drift: false,
          reason: "column mappings changed",
          reasonCode: "mapping_changed",
        });
      }
      if (fileUnknown)
        actions.push(
          uploadFileAction(desired, "no record of the audience file being uploaded", "file_not_recorded"),
        );
    }
  }

  if (adoption.sentDuplicate && desired.send.enabled) {
    actions.push({
      kind: "blocked",
      changes: [],
      reason: `send refused: campaign ${adoption.sentDuplicate.id} also carries this key's tags and was sent; sending ${campaign.id} would mail this campaign twice`,
      reasonCode: "sent_duplicate",
      hint: `check both in Lob's dashboard; 'campaignctl state rm ${desired.key}' stops managing the draft, or give the manifest a new key`,
    });
  } else {
    addSend(desired, actions, notes, inputs.now);
  }
  const changed = actions.some((a) => a.kind !== "send" && a.kind !== "blocked" && a.kind !== "adopt");
  return build(desired, changed ? "update" : "noop", actions, notes, inputs, record, campaign);
}

interface Adoption {
  readonly actions: PlannedAction[];
  readonly notes: PlanNote[];
  /** True when the campaign was found by its tags rather than by the state's id. */
  readonly adopted: boolean;
  /** Our-lineage campaigns for this key that the state has no record or intent for: refuse. */
  readonly unrecorded?: readonly Campaign[];
  /** A sent campaign with this key's tags beside the recorded one: never send the recorded one too. */
  readonly sentDuplicate?: Campaign;
}

/**
 * Which Lob campaign is this key's: the recorded id, or one a lost response created (by tags).
 * Drafts beside it that carry the same tags (a create that completed after the client gave up)
 * are deleted as duplicates; a sent one is never touched.
 */
function identifyCampaign(
  key: string,
  record: CampaignRecord | undefined,
  inputs: PlanInputs,
): { campaign: Campaign | undefined; adoption: Adoption } {
  const actions: PlannedAction[] = [];
  const notes: PlanNote[] = [];
  // A sent one comes first: adopting a draft beside it would plan a second mailing.
  const tagged = [...(inputs.observed.tagged.get(key) ?? [])].sort(
    (a, b) =>
      Number(a.is_draft) - Number(b.is_draft) ||
      compareText(a.date_created, b.date_created) ||
      compareText(a.id, b.id),
  );
  const recordedId = record?.campaignId;
  if (recordedId !== undefined) {
    const found = inputs.observed.campaigns.get(recordedId);
    if (found) {
      const sentDuplicate = deleteDuplicateDrafts(tagged, found, actions, notes, inputs);
      return {
        campaign: found,
        adoption: { actions, notes, adopted: false, ...(sentDuplicate ? { sentDuplicate } : {}) },
      };
    }
    notes.push({
      code: "created_anew",
      text: `campaign ${recordedId} no longer exists in Lob (deleted outside campaignctl); it will be created anew`,
    });
  }
  const [chosen] = tagged;
  if (!chosen) return { campaign: undefined, adoption: { actions, notes, adopted: false } };
  if (!record) {
    // Our lineage, but no record and no intent: an older copy of this state. Adopting would be a
    // guess about what was applied; creating would mail twice. Refuse, and say how to go on.
    return { campaign: undefined, adoption: { actions, notes, adopted: false, unrecorded: tagged } };
  }
  actions.push({
    kind: "adopt",
    resource: "campaign",
    id: chosen.id,
    reason: "created by an earlier run whose response was lost; found by its tags",
    reasonCode: "found_by_tags",
  });
  const sentDuplicate = deleteDuplicateDrafts(tagged.slice(1), chosen, actions, notes, inputs);
  return {
    campaign: chosen,
    adoption: { actions, notes, adopted: true, ...(sentDuplicate ? { sentDuplicate } : {}) },
  };
}

/**
 * Plans the deletion of draft duplicates of `kept` (same lineage and same project: only this
 * state's own leftovers are ever deleted); returns a sent one, which is left alone.
 */
function deleteDuplicateDrafts(
  extras: readonly Campaign[],
  kept: Campaign,
  actions: PlannedAction[],
  notes: PlanNote[],
  inputs: PlanInputs,
): Campaign | undefined {
  let sent: Campaign | undefined;
  const project = inputs.project ?? DEFAULT_PROJECT;
  for (const extra of extras) {
    if (extra.id === kept.id) continue;
    if (extra.is_draft && projectOf(extra.metadata) !== project) {
      notes.push({
        code: "other_project_draft",
        text: `draft ${extra.id} carries this key's tags under project '${projectOf(extra.metadata)}'; it is left alone`,
      });
    } else if (extra.is_draft) {
      actions.push({
        kind: "delete",
        resource: "campaign",
        id: extra.id,
        reason: `duplicate draft for the same key; keeping ${kept.is_draft ? kept.id : `${kept.id}, which was sent`}`,
        reasonCode: "duplicate_draft",
      });
    } else {
      notes.push({
        code: "sent_duplicate_left",
        text: `campaign ${extra.id} carries this key's tags and was sent; it is left alone`,
      });
      sent ??= extra;
    }
  }
  return sent;
}

/** Campaigns of another lineage tagged with this project and key, if any (only a complete listing says none). */
function claimedBy(key: string, inputs: PlanInputs): readonly Campaign[] | undefined {
  const claimed = inputs.observed.claimed?.get(key);
  return claimed && claimed.length > 0 ? claimed : undefined;
}

/**
 * Lob holds a campaign for this key that the state does not record: creating one would risk a
 * second mailing, so refuse and name the ways on (decisions.md §14).
 */
function refuseUnrecorded(key: string, found: readonly Campaign[], inputs: PlanInputs): PlannedAction {
  const project = inputs.project ?? DEFAULT_PROJECT;
  const first = [...found].sort((a, b) => Number(a.is_draft) - Number(b.is_draft))[0]!;
  const describe = (c: Campaign) =>
    `${c.id} (${c.is_draft ? "a draft, not sent" : `SENT${c.send_date ? ` at ${c.send_date}` : ""}`})`;
  const others = found.filter((c) => c.id !== first.id);
  const shared =
    project === DEFAULT_PROJECT
      ? `; without a project file every repository is project '${DEFAULT_PROJECT}', so two unrelated ones share keys in one account: add campaignctl.yaml with 'project: NAME'`
      : "";
  return {
    kind: "blocked",
    changes: [],
    reasonCode: "unrecorded_in_lob",
    reason: `Lob already holds campaign ${describe(first)}${others.length > 0 ? ` and ${others.map(describe).join(", ")}` : ""} tagged with key '${key}' in project '${project}', and this state does not record it; campaignctl will not create a second one`,
    hint: `adopt it with 'campaignctl import ${key} ${first.id}', or rebuild the state from Lob with 'campaignctl state rebuild'${shared}`,
  };
}

/**
 * A create of this key whose outcome is unknown (its intent is pending and nothing was found by
 * its tags) may still land in Lob: until the settle time has passed by Lob's clock, wait.
 */
function settlingCreate(record: CampaignRecord | undefined, inputs: PlanInputs): PlannedAction | undefined {
  const pending = record?.pending;
  if (!record || record.campaignId !== undefined || pending?.step !== "campaign") return undefined;
  const until = Date.parse(pending.since) + (inputs.settleMs ?? DEFAULT_SETTLE_MS);
  if (!(until > Date.parse(inputs.now))) return undefined;
  return {
    kind: "wait",
    until: new Date(until).toISOString(),
    reasonCode: "settling_create",
    reason: `a create started at ${pending.since} got no answer and may still land in Lob; nothing is decided for this key until ${new Date(until).toISOString()} (settle time)`,
  };
}

function uploadHasFile(upload: Upload | undefined): boolean {
  return upload !== undefined && ((upload.originalFilename ?? null) !== null || upload.bytesProcessed > 0);
}

function createEverything(
  desired: DesiredCampaign,
  inputs: PlanInputs,
  why: string,
  reasonCode: ReasonCode,
): PlannedAction[] {
  const campaignChanges: FieldChange[] = CAMPAIGN_FIELDS.filter((f) => desired.campaign[f] !== undefined).map(
    (f) => ({ path: f, before: null, after: desired.campaign[f] }),
  );
  return [
    {
      kind: "create",
      resource: "campaign",
      changes: campaignChanges,
      body: {
        resource: "campaign",
        fields: { ...desired.campaign, metadata: taggedMetadata(desired, inputs) },
      },
      applied: { campaign: desired.campaign },
      reason: why,
      reasonCode,
    },
    {
      kind: "create",
      resource: "creative",
      changes: creativeCreateChanges(desired),
      ...creativeCreate(desired),
      reason: why,
      reasonCode,
    },
    ...createUploadAndFile(desired, why, reasonCode),
  ];
}

/** The manifest's campaign metadata plus campaignctl's tags (key, lineage, project). */
function taggedMetadata(desired: DesiredCampaign, inputs: PlanInputs): Record<string, unknown> {
  return {
    ...((desired.campaign.metadata as Record<string, unknown> | undefined) ?? {}),
    ...campaignTags(desired.key, inputs.state.lineage, inputs.project ?? DEFAULT_PROJECT),
  };
}

/** A PATCH of the changed top-level fields; metadata is sent whole, tags included. */
function campaignUpdateBody(
  desired: DesiredCampaign,
  changes: readonly FieldChange[],
  inputs: PlanInputs,
): ActionBody {
  const fields: Record<string, unknown> = {};
  for (const change of changes) {
    const field = change.path.split(".")[0]!;
    fields[field] = field === "metadata" ? taggedMetadata(desired, inputs) : change.after;
  }
  return { resource: "campaign", fields };
}

function creativeUpdateBody(changes: readonly FieldChange[]): ActionBody {
  const fields: Record<string, unknown> = {};
  for (const change of changes) fields[change.path.replace(/^creative\./, "")] = change.after;
  return { resource: "creative", fields };
}

/**
 * A creative's create body (template ids and URLs inline; local files as file references) and
 * what the state records once it exists.
 */
function creativeCreate(desired: DesiredCampaign): {
  body: ActionBody;
  applied: {
    creativeContentHash: string;
    creativeFields: Readonly<Record<string, unknown>>;
    artwork: Readonly<Record<string, string>>;
  };
} {
  const c = desired.creative;
  const fields: Record<string, unknown> = { resource_type: c.resource_type, details: c.details, ...c.fields };
  for (const [field, identity] of Object.entries(c.artwork)) {
    if (!identity.startsWith("sha256:")) fields[field] = c.artworkSource[field] ?? identity;
  }
  return {
    body: { resource: "creative", fields, ...(c.files ? { files: c.files } : {}) },
    applied: { creativeContentHash: c.contentHash, creativeFields: c.fields, artwork: c.artwork },
  };
}

function creativeCreateChanges(desired: DesiredCampaign): FieldChange[] {
  const changes: FieldChange[] = [
    { path: "creative.resource_type", before: null, after: desired.creative.resource_type },
  ];
  for (const [field, source] of Object.entries(desired.creative.artworkSource)) {
    changes.push({ path: `creative.${field}`, before: null, after: source });
  }
  changes.push({ path: "creative.details", before: null, after: desired.creative.details });
  for (const [field, value] of Object.entries(desired.creative.fields)) {
    if (value !== undefined) changes.push({ path: `creative.${field}`, before: null, after: value });
  }
  return changes;
}

function createUploadAndFile(desired: DesiredCampaign, why: string, reasonCode: ReasonCode): PlannedAction[] {
  const mapping = desired.upload;
  return [
    {
      kind: "create",
      resource: "upload",
      changes: [
        {
          path: "upload.requiredAddressColumnMapping",
          before: null,
          after: mapping.requiredAddressColumnMapping,
        },
        {
          path: "upload.optionalAddressColumnMapping",
          before: null,
          after: mapping.optionalAddressColumnMapping,
        },
        {
          path: "upload.mergeVariableColumnMapping",
          before: null,
          after: mapping.mergeVariableColumnMapping,
        },
        { path: "upload.metadata", before: null, after: mapping.metadata },
      ],
      body: { resource: "upload", fields: { ...mapping } },
      applied: { uploadMapping: { ...mapping } },
      reason: why,
      reasonCode,
    },
    uploadFileAction(desired, why, reasonCode),
  ];
}

function uploadFileAction(desired: DesiredCampaign, why: string, reasonCode: ReasonCode): PlannedAction {
  return {
    kind: "upload_file",
    file: desired.audience.file,
    sha256: desired.audience.sha256,
    rows: desired.audience.totalRows,
    ...(desired.audience.local ? { local: desired.audience.local } : {}),
    reason: why,
    reasonCode,
  };
}

function audienceChange(before: string | undefined, desired: DesiredCampaign): FieldChange {
  return { path: "audience.sha256", before: before ?? null, after: desired.audience.sha256 };
}

/** Artwork/details/resource_type changes, as far as the state lets us name them. */
function creativeContentChanges(desired: DesiredCampaign, record: CampaignRecord | undefined): FieldChange[] {
  const before = record?.applied.artwork ?? {};
  const changes: FieldChange[] = [];
  for (const [field, identity] of Object.entries(desired.creative.artwork)) {
    if (before[field] !== identity) {
      changes.push({ path: `creative.${field}`, before: before[field] ?? null, after: identity });
    }
  }
  if (changes.length === 0) {
    changes.push({ path: "creative.details", before: "(as applied)", after: desired.creative.details });
  }
  return changes;
}

function addSend(desired: DesiredCampaign, actions: PlannedAction[], notes: PlanNote[], now: string): void {
  if (!desired.send.enabled) {
    notes.push({ code: "send_disabled", text: "send.enabled is false: the campaign stays a draft" });
    return;
  }
  const pieces = desired.audience.passingRows;
  const max = desired.send.maxPieces;
  if (pieces === 0) {
    actions.push({
      kind: "blocked",
      changes: [],
      reason: "send refused: no audience row passes Lob's rules, so nothing would be mailed",
      reasonCode: "no_passing_rows",
      hint: "run 'campaignctl validate' to see why the rows fail",
    });
    return;
  }
  if (max !== undefined && pieces > max) {
    actions.push({
      kind: "blocked",
      changes: [],
      reason: `send refused: preflight counts ${formatCount(pieces)} pieces, more than send.max_pieces (${formatCount(max)})`,
      reasonCode: "max_pieces_exceeded",
      hint: "raise send.max_pieces if this audience size is intended, or fix the audience file",
    });
    return;
  }
  const cost = costOf(desired, pieces);
  const maxCost = desired.send.maxCost;
  if (maxCost !== undefined) {
    if (cost?.amount === null || cost?.amount === undefined) {
      actions.push(costUnknown(cost, `send.max_cost (${formatUsd(maxCost)})`));
      return;
    }
    if (toCents(cost.amount) > toCents(maxCost)) {
      actions.push({
        kind: "blocked",
        changes: [],
        reason: `send refused: estimated ${describeCost(cost)}, more than send.max_cost (${formatUsd(maxCost)})`,
        reasonCode: "max_cost_exceeded",
        hint: "raise send.max_cost if this spend is intended, or mail fewer pieces (fix the audience file)",
      });
      return;
    }
  }
  const minutes = cancelWindowOf(desired);
  actions.push({
    kind: "send",
    pieces,
    totalRows: desired.audience.totalRows,
    cancelWindowMinutes: minutes,
    cancelDeadlineIfSentNow: addMinutes(now, minutes),
    ...(cost ? { cost } : {}),
    ...(desired.send.maxFailedRatio !== undefined ? { maxFailedRatio: desired.send.maxFailedRatio } : {}),
    reason: "send.enabled is true and the campaign is still a draft",
    reasonCode: "send_enabled",
  });
}

/** pieces × the unit price the engine found in the price table; undefined when none was given. */
function costOf(desired: DesiredCampaign, pieces: number): CostEstimate | undefined {
  const unit = desired.unitCost;
  if (!unit) return undefined;
  return {
    pieces,
    unitPrice: unit.unitPrice,
    amount: unit.unitPrice === null ? null : centsToDollars(amountCents(pieces, unit.unitPrice)),
    currency: "USD",
    asOf: unit.asOf,
    tier: unit.tier,
    basis: unit.basis,
    ...(unit.unknownReason !== undefined ? { unknownReason: unit.unknownReason } : {}),
  };
}

/** `$909.00 (1,000 × $0.909, developer prices as of 2026-11)`: both numbers a budget compares, and where they come from. */
function describeCost(cost: CostEstimate): string {
  return `${formatUsd(cost.amount ?? 0)} (${formatCount(cost.pieces)} × ${formatUnitPrice(cost.unitPrice ?? 0)}, ${cost.tier} prices as of ${cost.asOf})`;
}

/** A money limit applies but the estimate is unknown: a guard that cannot check must refuse. */
function costUnknown(cost: CostEstimate | undefined, limit: string): PlannedAction {
  return {
    kind: "blocked",
    changes: [],
    reason: `send refused: its cost cannot be estimated (${cost?.unknownReason ?? "no price table"}), so ${limit} cannot be checked`,
    reasonCode: "cost_unknown",
    hint: "give the missing price with pricing.overrides in campaignctl.yaml (a letter's pages are counted only from a local PDF), or remove the limit",
  };
}

/**
 * `budget.max_cost_per_run`: when this run's sends are estimated at more than the budget in total,
 * every one of them is blocked (which to drop is a person's choice, not campaignctl's). A send whose
 * cost is unknown is blocked on its own: the budget cannot be checked with it in.
 */
function applyRunBudget(campaigns: readonly CampaignPlan[], limit: number): CampaignPlan[] {
  let totalCents = 0;
  for (const campaign of campaigns) {
    for (const action of campaign.actions) {
      if (action.kind === "send" && action.cost?.amount != null) totalCents += toCents(action.cost.amount);
    }
  }
  const over = totalCents > toCents(limit);
  const budget = `budget.max_cost_per_run (${formatUsd(limit)})`;
  return campaigns.map((campaign) => {
    if (!campaign.actions.some((a) => a.kind === "send")) return campaign;
    const actions = campaign.actions.map((action): PlannedAction => {
      if (action.kind !== "send") return action;
      const cost = action.cost;
      if (cost?.amount === null || cost?.amount === undefined) return costUnknown(cost, budget);
      if (!over) return action;
      return {
        kind: "blocked",
        changes: [],
        reason: `send refused: this run's sends are estimated at ${formatUsd(centsToDollars(totalCents))} in total (this one ${describeCost(cost)}), more than ${budget}`,
        reasonCode: "run_budget_exceeded",
        hint: "raise budget.max_cost_per_run in campaignctl.yaml if this spend is intended, or send fewer campaigns in this run (apply PATH limits a run to some manifests)",
      };
    });
    return { ...campaign, actions };
  });
}

function cancelWindowOf(desired: DesiredCampaign): number {
  const window = desired.campaign.cancel_window_campaign_minutes;
  return typeof window === "number" ? window : DEFAULT_CANCEL_WINDOW_MINUTES;
}

/** Removed from the manifests: drafts are deleted; a sent campaign is never cancelled implicitly. */
function planRemoved(record: CampaignRecord, inputs: PlanInputs): CampaignPlan {
  const actions: PlannedAction[] = [];
  const notes: PlanNote[] = [];
  const id = record.campaignId;
  const campaign = id ? inputs.observed.campaigns.get(id) : undefined;
  let headline: Headline = "delete";
  if (campaign && !campaign.is_draft) {
    const deadline = cancelDeadline(campaign, record);
    actions.push({
      kind: "blocked",
      changes: [],
      reason: `'${record.key}' is gone from the manifests but campaign ${campaign.id} was sent; campaignctl never cancels a sent campaign implicitly`,
      reasonCode: "removed_but_sent",
      hint:
        deadline === undefined || Date.parse(deadline) > Date.parse(inputs.now)
          ? `restore its manifest; or run 'campaignctl destroy --key ${record.key}'${deadline ? ` before ${deadline}` : ""} to cancel the mailing, or 'campaignctl state rm ${record.key}' to stop managing it`
          : `restore its manifest, or run 'campaignctl state rm ${record.key}' to stop managing it (its cancel window closed at ${deadline})`,
    });
    headline = "blocked";
  } else if (campaign) {
    actions.push({
      kind: "delete",
      resource: "campaign",
      id: campaign.id,
      reason: "removed from the manifests (draft)",
      reasonCode: "removed_draft",
    });
  } else {
    actions.push(
      ...cleanUpVanished(
        record,
        inputs,
        "removed from the manifests (draft found by its tags)",
        "removed_draft",
      ),
    );
  }
  return {
    key: record.key,
    source: "removed from the manifests",
    headline,
    ...(id ? { campaignId: id } : {}),
    actions,
    artworkDiffs: {},
    notes,
  };
}

/**
 * A record whose campaign is gone from Lob (or was never confirmed): delete draft orphans a lost
 * create may have left (found by tags), then drop the record.
 */
export function cleanUpVanished(
  record: CampaignRecord,
  inputs: Pick<PlanInputs, "observed">,
  orphanReason: string,
  orphanCode: ReasonCode = "orphan_draft",
): PlannedAction[] {
  const actions: PlannedAction[] = [];
  for (const orphan of inputs.observed.tagged.get(record.key) ?? []) {
    if (orphan.is_draft)
      actions.push({
        kind: "delete",
        resource: "campaign",
        id: orphan.id,
        reason: orphanReason,
        reasonCode: orphanCode,
      });
  }
  const id = record.campaignId;
  actions.push({
    kind: "forget",
    reason: id ? `campaign ${id} no longer exists in Lob` : "never finished creating",
    reasonCode: id ? "campaign_gone" : "never_created",
  });
  return actions;
}

export function cancelDeadline(
  campaign: Campaign | undefined,
  record: CampaignRecord | undefined,
): string | undefined {
  const sentAt = campaign?.send_date ?? record?.sentAt;
  if (sentAt) {
    const window = campaign?.cancel_window_campaign_minutes ?? DEFAULT_CANCEL_WINDOW_MINUTES;
    return addMinutes(sentAt, window);
  }
  return record?.cancelDeadline;
}

function build(
  desired: DesiredCampaign,
  headline: Headline,
  actions: PlannedAction[],
  notes: PlanNote[],
  inputs: PlanInputs,
  record: CampaignRecord | undefined,
  campaign: Campaign | undefined,
): CampaignPlan {
  const artworkDiffs: Record<string, string> = {};
  const artworkTouched = actions.some((a) => a.kind === "replace" && a.resource === "campaign");
  if (artworkTouched && inputs.diffText) {
    for (const [field, html] of Object.entries(desired.creative.html)) {
      const beforeIdentity = record?.applied.artwork?.[field];
      const beforeSha = beforeIdentity?.startsWith("sha256:") ? beforeIdentity.slice(7) : undefined;
      const before = beforeSha ? inputs.previousHtml?.get(beforeSha) : undefined;
      if (before !== undefined && before !== html) artworkDiffs[field] = inputs.diffText(field, before, html);
      // Say why there is no diff, rather than leave two hashes to compare by eye.
      if (
        beforeSha !== undefined &&
        before === undefined &&
        desired.creative.artwork[field] !== beforeIdentity
      ) {
        notes.push({
          code: "previous_artwork_unavailable",
          text: `previous artwork ${field} sha256:${beforeSha.slice(0, 12)}… not available: HTML diff not shown (the state's blobs do not have it)`,
        });
      }
    }
  }
  const id = campaign?.id ?? record?.campaignId;
  return {
    key: desired.key,
    source: desired.source,
    headline,
    ...(id ? { campaignId: id } : {}),
    actions,
    artworkDiffs,
    notes,
  };
}
