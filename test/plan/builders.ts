import type { Campaign, Creative, Upload } from "../../src/lob/wire.js";
import { TAG_KEY, TAG_LINEAGE } from "../../src/core/tags.js";
import type { DesiredCampaign, ObservedWorld, PlanInputs } from "../../src/plan/types.js";
import type { CampaignRecord, StateFile } from "../../src/state/types.js";

export const LINEAGE = "lin-1";
export const NOW = "2026-11-28T12:00:00.000Z";

export function aDesiredCampaign(overrides: Partial<DesiredCampaign> = {}): DesiredCampaign {
  return {
    key: "spring",
    source: "spring.yaml:3",
    campaign: {
      name: "Spring",
      schedule_type: "immediate",
      use_type: "marketing",
      cancel_window_campaign_minutes: 120,
    },
    creative: {
      resource_type: "postcard",
      details: { size: "4x6", mail_type: "usps_first_class" },
      artwork: { front: "sha256:aaa", back: "tmpl_back1" },
      artworkSource: { front: "./front.html", back: "tmpl_back1" },
      html: { front: "<p>Hi {{first_name}}</p>" },
      contentHash: "content-1",
      fields: {},
    },
    upload: {
      requiredAddressColumnMapping: {
        name: "n",
        address_line1: "a1",
        address_city: "c",
        address_state: "s",
        address_zip: "z",
      },
      optionalAddressColumnMapping: { address_line2: null, company: null, address_country: null },
      mergeVariableColumnMapping: { first_name: "n" },
      metadata: { columns: [] },
    },
    audience: { file: "./audience.csv", sha256: "aud-1", totalRows: 10, passingRows: 9 },
    send: { enabled: false },
    ...overrides,
  };
}

export function aCreative(overrides: Partial<Creative> = {}): Creative {
  return {
    id: "crv_1",
    description: null,
    from: null,
    resource_type: "postcard",
    details: { size: "4x6", mail_type: "usps_first_class", front_original_url: "http://x/front" },
    metadata: {},
    template_preview_urls: {},
    template_previews: [],
    campaigns: [],
    date_created: NOW,
    date_modified: NOW,
    object: "creative",
    deleted: false,
    ...overrides,
  };
}

export function anUpload(overrides: Partial<Upload> = {}): Upload {
  const desired = aDesiredCampaign();
  return {
    id: "upl_1",
    accountId: "acc",
    campaignId: "cmp_1",
    requiredAddressColumnMapping: desired.upload
      .requiredAddressColumnMapping as Upload["requiredAddressColumnMapping"],
    optionalAddressColumnMapping: desired.upload
      .optionalAddressColumnMapping as Upload["optionalAddressColumnMapping"],
    mergeVariableColumnMapping: desired.upload.mergeVariableColumnMapping,
    metadata: { columns: [] },
    mode: "test",
    state: "Draft",
    totalMailpieces: 0,
    failedMailpieces: 0,
    validatedMailpieces: 0,
    bytesProcessed: 100,
    dateCreated: NOW,
    dateModified: NOW,
    originalFilename: "audience.csv",
    ...overrides,
  };
}

export function aCampaign(overrides: Partial<Campaign> = {}): Campaign {
  return {
    id: "cmp_1",
    name: "Spring",
    description: null,
    schedule_type: "immediate",
    use_type: "marketing",
    is_draft: true,
    creatives: [aCreative()],
    uploads: [anUpload()],
    auto_cancel_if_ncoa: false,
    cancel_window_campaign_minutes: 120,
    metadata: { [TAG_KEY]: "spring", [TAG_LINEAGE]: LINEAGE },
    send_date: null,
    target_delivery_date: null,
    billing_group_id: null,
    print_speed: "core",
    deleted: false,
    date_created: NOW,
    date_modified: NOW,
    object: "campaign",
    ...overrides,
  };
}

/** A record as apply leaves it after converging on aDesiredCampaign(). */
export function anAppliedRecord(overrides: Partial<CampaignRecord> = {}): CampaignRecord {
  const desired = aDesiredCampaign();
  return {
    key: "spring",
    campaignId: "cmp_1",
    creativeId: "crv_1",
    uploadId: "upl_1",
    applied: {
      campaign: desired.campaign,
      creativeContentHash: desired.creative.contentHash,
      creativeFields: {},
      artwork: desired.creative.artwork,
      uploadMapping: desired.upload as unknown as Record<string, unknown>,
      audienceSha256: desired.audience.sha256,
      audienceRows: 10,
    },
    ...overrides,
  };
}

export function aState(records: CampaignRecord[] = []): StateFile {
  return {
    version: 1,
    lineage: LINEAGE,
    serial: 3,
    target: { apiUrl: "http://lob.test/v1", mode: "test" },
    campaigns: Object.fromEntries(records.map((r) => [r.key, r])),
  };
}

export function observedOf(campaigns: Campaign[], extra: Partial<ObservedWorld> = {}): ObservedWorld {
  return {
    campaigns: new Map(campaigns.map((c) => [c.id, c])),
    missing: new Set(),
    tagged: new Map(),
    ...extra,
  };
}

export function inputs(overrides: Partial<PlanInputs> = {}): PlanInputs {
  return {
    desired: [aDesiredCampaign()],
    state: aState([anAppliedRecord()]),
    observed: observedOf([aCampaign()]),
    now: NOW,
    ...overrides,
  };
}
