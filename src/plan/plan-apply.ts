import type { Campaign } from "../lob/wire.js";
import type { CampaignRecord } from "../state/types.js";
import {
  CAMPAIGN_CREATE_ONLY,
  CAMPAIGN_FIELDS,
  creativeContentMatches,
  diffCampaignFields,
  diffCreativeFields,
  diffUploadMapping,
} from "./campaign-fields.js";
import { summarizePlan } from "./summary.js";
import type {
  CampaignPlan,
  DesiredCampaign,
  FieldChange,
  Headline,
  Plan,
  PlanInputs,
  PlanScope,
  PlannedAction,
} from "./types.js";
import { addMinutes } from "./values.js";

/** Lob's account default when a campaign sets no cancel window (CONTRACT.md §8.13). */
export const DEFAULT_CANCEL_WINDOW_MINUTES = 240;

/**
 * Diff desired (manifests) against recorded (state) and observed (Lob) and return the ordered
 * actions that converge them. Pure: no I/O, no clock (now is an input), no randomness.
 */
export function planApply(inputs: PlanInputs): Plan {
  const campaigns: CampaignPlan[] = [];
  const desiredKeys = new Set(inputs.desired.map((d) => d.key));
  for (const desired of [...inputs.desired].sort((a, b) => a.key.localeCompare(b.key))) {
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
  return finishPlan("apply", inputs, campaigns);
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
  };
}

function planCampaign(desired: DesiredCampaign, inputs: PlanInputs): CampaignPlan {
  const record = inputs.state.campaigns[desired.key];
  const notes: string[] = [];
  const actions: PlannedAction[] = [];
  const { campaign, adoption } = identifyCampaign(desired.key, record, inputs);
  actions.push(...adoption.actions);
  notes.push(...adoption.notes);

  if (!campaign && record?.sentAt !== undefined) {
    // It was mailed, then cancelled or deleted outside campaignctl (or this key reaches another
    // account). Creating it again would mail it again: never without a person deciding so.
    actions.push({
      kind: "blocked",
      changes: [],
      reason: `campaign ${record.campaignId ?? "(unknown id)"} was sent at ${record.sentAt} and no longer exists in Lob; campaignctl will not create and send it again`,
      hint: `if it should be mailed again, give the manifest a new key; 'campaignctl destroy --key ${desired.key}' forgets the old one`,
    });
    return build(
      desired,
      "blocked",
      actions,
      notes.filter((n) => !n.includes("created anew")),
      inputs,
      record,
      undefined,
    );
  }

  if (!campaign) {
    actions.push(...createEverything(desired, "new campaign"));
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
  const fileUnknown = upload !== undefined && uploadedSha === undefined;

  if (sent) {
    if (record?.sentAt === undefined) {
      actions.push({
        kind: "record_send",
        id: campaign.id,
        sentAt: campaign.send_date ?? inputs.now,
        reason: "Lob reports this campaign as sent; recording it in state",
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
        hint: "revert these fields in the manifest to what was sent; to mail a new version, give the manifest a new key",
      });
      return build(desired, "blocked", actions, notes, inputs, record, campaign);
    }
    if (!desired.send.enabled) notes.push("campaign was already sent; send.enabled no longer matters");
    return build(desired, "noop", actions, notes, inputs, record, campaign);
  }

  const createOnly = campaignChanges.filter((c) => CAMPAIGN_CREATE_ONLY.has(c.path));
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
    });
    actions.push(...createEverything(desired, "replacement"));
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
      drift,
      reason: drift
        ? "changed outside campaignctl; restoring the manifest's values"
        : "campaign fields changed",
    });
  }

  if (!creative) {
    actions.push({
      kind: "create",
      resource: "creative",
      changes: creativeCreateChanges(desired),
      reason: "campaign has no creative",
    });
  } else {
    if (!knownCreative) {
      actions.push({
        kind: "adopt",
        resource: "creative",
        id: creative.id,
        reason: "found on the campaign; recording it",
      });
    }
    if (creativeFieldChanges.length > 0) {
      const drift = creativeFieldChanges.some((c) => c.drift);
      actions.push({
        kind: "update",
        resource: "creative",
        id: creative.id,
        changes: creativeFieldChanges,
        drift,
        reason: drift
          ? "creative changed outside campaignctl; restoring the manifest's values"
          : "creative fields changed",
      });
    }
  }

  if (!upload) {
    actions.push(...createUploadAndFile(desired, "campaign has no audience upload"));
  } else {
    if (!knownUpload) {
      actions.push({
        kind: "adopt",
        resource: "upload",
        id: upload.id,
        reason: "found on the campaign; recording it",
      });
    }
    if (audienceChanged) {
      actions.push({
        kind: "replace",
        resource: "upload",
        id: upload.id,
        changes: [audienceChange(uploadedSha, desired)],
        reason: "audience file changed → new upload (Lob takes one file per upload)",
      });
      actions.push(...createUploadAndFile(desired, "new audience"));
    } else {
      if (mappingChanges.length > 0) {
        actions.push({
          kind: "update",
          resource: "upload",
          id: upload.id,
          changes: mappingChanges,
          drift: false,
          reason: "column mappings changed",
        });
      }
      if (fileUnknown)
        actions.push(uploadFileAction(desired, "no record of the audience file being uploaded"));
    }
  }

  addSend(desired, actions, notes, inputs.now);
  const changed = actions.some((a) => a.kind !== "send" && a.kind !== "blocked" && a.kind !== "adopt");
  return build(desired, changed ? "update" : "noop", actions, notes, inputs, record, campaign);
}

interface Adoption {
  readonly actions: PlannedAction[];
  readonly notes: string[];
  /** True when the campaign was found by its tags rather than by the state's id. */
  readonly adopted: boolean;
}

/** Which Lob campaign is this key's: the recorded id, or one a lost response created (by tags). */
function identifyCampaign(
  key: string,
  record: CampaignRecord | undefined,
  inputs: PlanInputs,
): { campaign: Campaign | undefined; adoption: Adoption } {
  const actions: PlannedAction[] = [];
  const notes: string[] = [];
  const recordedId = record?.campaignId;
  if (recordedId !== undefined) {
    const found = inputs.observed.campaigns.get(recordedId);
    if (found) return { campaign: found, adoption: { actions, notes, adopted: false } };
    notes.push(
      `campaign ${recordedId} no longer exists in Lob (deleted outside campaignctl); it will be created anew`,
    );
  }
  // A sent one comes first: adopting a draft beside it would plan a second mailing.
  const tagged = [...(inputs.observed.tagged.get(key) ?? [])].sort(
    (a, b) =>
      Number(a.is_draft) - Number(b.is_draft) ||
      a.date_created.localeCompare(b.date_created) ||
      a.id.localeCompare(b.id),
  );
  const [chosen, ...extras] = tagged;
  if (!chosen) return { campaign: undefined, adoption: { actions, notes, adopted: false } };
  actions.push({
    kind: "adopt",
    resource: "campaign",
    id: chosen.id,
    reason: "created by an earlier run whose response was lost; found by its tags",
  });
  for (const extra of extras) {
    if (extra.is_draft) {
      actions.push({
        kind: "delete",
        resource: "campaign",
        id: extra.id,
        reason: `duplicate draft for the same key; keeping ${chosen.is_draft ? "the oldest" : `${chosen.id}, which was sent`}`,
      });
    } else {
      notes.push(`campaign ${extra.id} carries this key's tags and was sent; it is left alone`);
    }
  }
  return { campaign: chosen, adoption: { actions, notes, adopted: true } };
}

function createEverything(desired: DesiredCampaign, why: string): PlannedAction[] {
  const campaignChanges: FieldChange[] = CAMPAIGN_FIELDS.filter((f) => desired.campaign[f] !== undefined).map(
    (f) => ({ path: f, before: null, after: desired.campaign[f] }),
  );
  return [
    { kind: "create", resource: "campaign", changes: campaignChanges, reason: why },
    { kind: "create", resource: "creative", changes: creativeCreateChanges(desired), reason: why },
    ...createUploadAndFile(desired, why),
  ];
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

function createUploadAndFile(desired: DesiredCampaign, why: string): PlannedAction[] {
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
      reason: why,
    },
    uploadFileAction(desired, why),
  ];
}

function uploadFileAction(desired: DesiredCampaign, why: string): PlannedAction {
  return {
    kind: "upload_file",
    file: desired.audience.file,
    sha256: desired.audience.sha256,
    rows: desired.audience.totalRows,
    reason: why,
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

function addSend(desired: DesiredCampaign, actions: PlannedAction[], notes: string[], now: string): void {
  if (!desired.send.enabled) {
    notes.push("send.enabled is false: the campaign stays a draft");
    return;
  }
  const pieces = desired.audience.passingRows;
  const max = desired.send.maxPieces;
  if (pieces === 0) {
    actions.push({
      kind: "blocked",
      changes: [],
      reason: "send refused: no audience row passes Lob's rules, so nothing would be mailed",
      hint: "run 'campaignctl validate' to see why the rows fail",
    });
    return;
  }
  if (max !== undefined && pieces > max) {
    actions.push({
      kind: "blocked",
      changes: [],
      reason: `send refused: preflight counts ${formatCount(pieces)} pieces, more than send.max_pieces (${formatCount(max)})`,
      hint: "raise send.max_pieces if this audience size is intended, or fix the audience file",
    });
    return;
  }
  const window = desired.campaign.cancel_window_campaign_minutes;
  const minutes = typeof window === "number" ? window : DEFAULT_CANCEL_WINDOW_MINUTES;
  actions.push({
    kind: "send",
    pieces,
    totalRows: desired.audience.totalRows,
    cancelWindowMinutes: minutes,
    cancelDeadlineIfSentNow: addMinutes(now, minutes),
    reason: "send.enabled is true and the campaign is still a draft",
  });
}

/** Removed from the manifests: drafts are deleted; a sent campaign is never cancelled implicitly. */
function planRemoved(record: CampaignRecord, inputs: PlanInputs): CampaignPlan {
  const actions: PlannedAction[] = [];
  const notes: string[] = [];
  const id = record.campaignId;
  const campaign = id ? inputs.observed.campaigns.get(id) : undefined;
  let headline: Headline = "delete";
  if (campaign && !campaign.is_draft) {
    const deadline = cancelDeadline(campaign, record);
    actions.push({
      kind: "blocked",
      changes: [],
      reason: `'${record.key}' is gone from the manifests but campaign ${campaign.id} was sent; campaignctl never cancels a sent campaign implicitly`,
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
    });
  } else {
    actions.push(...cleanUpVanished(record, inputs, "removed from the manifests (draft found by its tags)"));
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
): PlannedAction[] {
  const actions: PlannedAction[] = [];
  for (const orphan of inputs.observed.tagged.get(record.key) ?? []) {
    if (orphan.is_draft)
      actions.push({ kind: "delete", resource: "campaign", id: orphan.id, reason: orphanReason });
  }
  const id = record.campaignId;
  actions.push({
    kind: "forget",
    reason: id ? `campaign ${id} no longer exists in Lob` : "never finished creating",
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
  notes: string[],
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

export function formatCount(n: number): string {
  return n.toLocaleString("en-US");
}
