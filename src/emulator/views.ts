import type { Campaign, Creative, Upload } from "../lob/wire.js";
import type { Env } from "./context.js";
import type { ArtworkRecord, CampaignRecord, CreativeRecord, UploadRecord } from "./store.js";

/** Records → wire objects, with exactly Lob's casing and the fields Lob always returns. */

/** The campaign's live creatives, oldest first: from the store's per-campaign index, never a scan. */
export function liveCreativesOf(env: Env, campaign: CampaignRecord): CreativeRecord[] {
  return env.store.creativesOf(campaign.id).filter((c) => c.account === campaign.account && !c.deleted);
}

/** The campaign's live uploads, oldest first: from the store's per-campaign index, never a scan. */
export function liveUploadsOf(env: Env, campaign: CampaignRecord): UploadRecord[] {
  return env.store.uploadsOf(campaign.id).filter((u) => u.account === campaign.account && !u.deleted);
}

function campaignFields(c: CampaignRecord) {
  return {
    id: c.id,
    billing_group_id: c.billing_group_id,
    name: c.name,
    description: c.description,
    schedule_type: c.schedule_type,
    target_delivery_date: c.target_delivery_date,
    send_date: c.send_date,
    cancel_window_campaign_minutes: c.cancel_window_campaign_minutes,
    metadata: { ...c.metadata },
    use_type: c.use_type,
    is_draft: c.is_draft,
    deleted: c.deleted,
    auto_cancel_if_ncoa: c.auto_cancel_if_ncoa,
    print_speed: c.print_speed,
  };
}

export function viewCampaign(env: Env, c: CampaignRecord, origin: string): Campaign {
  return {
    ...campaignFields(c),
    creatives: liveCreativesOf(env, c).map((cr) => viewCreative(env, cr, origin)),
    uploads: liveUploadsOf(env, c).map((u) => viewUpload(u)),
    date_created: c.date_created,
    date_modified: c.date_modified,
    object: "campaign",
  } as Campaign;
}

/** The campaign items inside a creative (`campaign_item`): nested arrays left empty to avoid a cycle. */
function viewCampaignItem(c: CampaignRecord) {
  return {
    ...campaignFields(c),
    creatives: [],
    uploads: [],
    date_created: c.date_created,
    date_modified: c.date_modified,
    object: "campaign",
  };
}

export function artworkUrl(art: ArtworkRecord, origin: string): string {
  if (art.kind === "url") return art.value;
  if (art.kind === "template") return `${origin}/_emulator/files/templates/${art.value}`;
  return `${origin}/_emulator/files/artwork/${art.sha256}/${encodeURIComponent(art.filename)}`;
}

export function viewCreative(env: Env, cr: CreativeRecord, origin: string): Creative {
  const details: Record<string, unknown> = { ...cr.details };
  for (const [field, art] of Object.entries(cr.artwork)) {
    if (art) details[`${field}_original_url`] = artworkUrl(art, origin);
  }
  const campaign = env.store.data.campaigns[cr.campaign_id];
  return {
    id: cr.id,
    description: cr.description,
    from: cr.from,
    resource_type: cr.resource_type,
    details,
    metadata: { ...cr.metadata },
    template_preview_urls: {},
    template_previews: [],
    campaigns: campaign && !campaign.deleted ? [viewCampaignItem(campaign)] : [],
    date_created: cr.date_created,
    date_modified: cr.date_modified,
    object: "creative",
    deleted: cr.deleted,
  };
}

export function viewUpload(u: UploadRecord): Upload {
  return {
    id: u.id,
    accountId: u.account,
    campaignId: u.campaignId,
    requiredAddressColumnMapping: { ...u.requiredAddressColumnMapping },
    optionalAddressColumnMapping: { ...u.optionalAddressColumnMapping },
    metadata: { columns: [...u.metadata.columns] },
    mergeVariableColumnMapping: u.mergeVariableColumnMapping ? { ...u.mergeVariableColumnMapping } : null,
    mode: u.mode,
    state: u.state,
    totalMailpieces: u.totalMailpieces,
    failedMailpieces: u.failedMailpieces,
    validatedMailpieces: u.validatedMailpieces,
    bytesProcessed: u.bytesProcessed,
    ...(u.originalFilename !== undefined ? { originalFilename: u.originalFilename } : {}),
    dateCreated: u.dateCreated,
    dateModified: u.dateModified,
  };
}
