import type { CreativeRecord, StoreData, UploadRecord } from "./store.js";

/**
 * The creatives and uploads of each campaign, so a campaign's view costs the same however many
 * campaigns the store holds (a list page embeds every campaign's creatives and uploads). It holds
 * every record ever made for a campaign, oldest first, deleted ones included: records are never
 * removed from the store, only flagged, so the index changes only when one is added, and is rebuilt
 * whenever the whole data set is replaced (load, reset).
 */
export interface CampaignIndex {
  rebuild(data: StoreData): void;
  addCreative(record: CreativeRecord): void;
  addUpload(record: UploadRecord): void;
  creativesOf(campaignId: string): readonly CreativeRecord[];
  uploadsOf(campaignId: string): readonly UploadRecord[];
}

interface Children {
  readonly creatives: CreativeRecord[];
  readonly uploads: UploadRecord[];
}

const NONE: Children = Object.freeze({ creatives: [], uploads: [] });

export function createCampaignIndex(): CampaignIndex {
  const byCampaign = new Map<string, Children>();
  const childrenOf = (campaignId: string): Children => {
    let children = byCampaign.get(campaignId);
    if (!children) {
      children = { creatives: [], uploads: [] };
      byCampaign.set(campaignId, children);
    }
    return children;
  };
  return {
    rebuild(data) {
      byCampaign.clear();
      const bySeq = (a: { seq: number }, b: { seq: number }) => a.seq - b.seq;
      for (const creative of Object.values(data.creatives).sort(bySeq)) {
        childrenOf(creative.campaign_id).creatives.push(creative);
      }
      for (const upload of Object.values(data.uploads).sort(bySeq)) {
        childrenOf(upload.campaignId).uploads.push(upload);
      }
    },
    // New records carry the store's next sequence number, so appending keeps seq order.
    addCreative(record) {
      childrenOf(record.campaign_id).creatives.push(record);
    },
    addUpload(record) {
      childrenOf(record.campaignId).uploads.push(record);
    },
    creativesOf: (campaignId) => (byCampaign.get(campaignId) ?? NONE).creatives,
    uploadsOf: (campaignId) => (byCampaign.get(campaignId) ?? NONE).uploads,
  };
}
