/**
 * Metadata keys campaignctl puts on every campaign it creates: the manifest key and the state's
 * lineage. Lob has no idempotency keys for campaigns, so after a lost response these tags are how
 * the next run finds (and adopts) what the lost request created instead of creating it again.
 */
export const TAG_KEY = "campaignctl_key";
export const TAG_LINEAGE = "campaignctl_lineage";
