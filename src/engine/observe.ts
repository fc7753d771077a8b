import type { LobClient } from "../lob/client.js";
import { afterCursorOf, DEFAULT_MAX_IN_FLIGHT } from "../lob/client.js";
import { CampaignctlError } from "../core/errors.js";
import { LOB_RATE_LIMIT } from "../lob/endpoint.js";
import { isLobApiError } from "../lob/errors.js";
import type { Campaign } from "../lob/wire.js";
import { DEFAULT_PROJECT, projectOf, TAG_KEY, TAG_LINEAGE } from "../core/tags.js";
import type { ObservedWorld } from "../plan/types.js";
import type { StateFile } from "../state/types.js";

const PAGE_SIZE = 100;

/**
 * One refresh of the managed campaigns, in as few requests as possible. A campaign embeds its
 * creative and upload, so one campaign read is all we need per key. Listing costs one request
 * per 100 campaigns in the account but pages come one after another; a GET costs one per managed
 * campaign but GETs run in parallel. We pick whichever should finish first (listingIsFaster),
 * except that finding what a lost response created (by tags) needs the list, and so does proving
 * that no campaign carries a key before creating it (`fullScan`, decisions.md §14).
 */
export async function observeWorld(
  client: LobClient,
  state: StateFile,
  keys: readonly string[],
  options: { readonly project?: string; readonly fullScan?: boolean } = {},
): Promise<ObservedWorld> {
  const project = options.project ?? DEFAULT_PROJECT;
  const records = Object.values(state.campaigns);
  const ids = records.map((r) => r.campaignId).filter((id): id is string => id !== undefined);
  const wantKeys = new Set([...keys, ...Object.keys(state.campaigns)]);
  // A pending create, or a record without a campaign id, may have made a campaign we never heard of.
  const needsTagSearch =
    options.fullScan === true ||
    records.some((r) => r.campaignId === undefined || r.pending?.step === "campaign");

  if (ids.length === 0 && !needsTagSearch) {
    return {
      campaigns: new Map(),
      missing: new Set(),
      tagged: new Map(),
      claimed: new Map(),
      complete: false,
    };
  }

  const started = performance.now();
  const first = await client.listCampaigns({ limit: PAGE_SIZE, includeTotalCount: true });
  const roundTripMs = performance.now() - started;
  const total = first.total_count ?? Number.POSITIVE_INFINITY;
  const pagesLeft = first.next_url ? Math.ceil(Math.max(0, total - first.data.length) / PAGE_SIZE) : 0;
  const seen = new Map<string, Campaign>(first.data.map((c) => [c.id, c]));
  const unseenIds = ids.filter((id) => !seen.has(id));

  let listedEverything = !first.next_url;
  if (!listedEverything && (needsTagSearch || listingIsFaster(pagesLeft, unseenIds.length, roundTripMs))) {
    const seenCursors = new Set<string>();
    for (let after = afterCursorOf(first.next_url); after !== undefined;) {
      if (seenCursors.has(after)) {
        throw new CampaignctlError({
          code: "LOB_UNEXPECTED",
          source: "remote",
          message: "listing campaigns returned the same page cursor twice; stopped to avoid an endless loop",
          hint: "run the command again; if it repeats, report it with the time of the run",
        });
      }
      seenCursors.add(after);
      const page = await client.listCampaigns({ limit: PAGE_SIZE, after });
      for (const c of page.data) seen.set(c.id, c);
      after = page.data.length === 0 ? undefined : afterCursorOf(page.next_url);
    }
    listedEverything = true;
  }

  const campaigns = new Map<string, Campaign>();
  const missing = new Set<string>();
  if (listedEverything) {
    for (const id of ids) {
      const found = seen.get(id);
      if (found) campaigns.set(id, found);
      else missing.add(id);
    }
  } else {
    for (const id of ids) {
      const found = seen.get(id);
      if (found) campaigns.set(id, found);
    }
    const fetched = await Promise.all(
      ids
        .filter((id) => !campaigns.has(id))
        .map(async (id) => [id, await getLiveCampaign(client, id)] as const),
    );
    for (const [id, campaign] of fetched) {
      if (campaign) campaigns.set(id, campaign);
      else missing.add(id);
    }
  }

  const tagged = new Map<string, Campaign[]>();
  const claimed = new Map<string, Campaign[]>();
  const known = new Set(ids);
  for (const campaign of seen.values()) {
    const key = campaign.metadata?.[TAG_KEY];
    if (key === undefined || known.has(campaign.id) || campaign.deleted) continue;
    if (campaign.metadata?.[TAG_LINEAGE] === state.lineage) {
      // Ours by lineage. With a complete listing every key counts (an older copy of this state may
      // lack the record); otherwise only the keys asked about, as before.
      if (listedEverything || wantKeys.has(key)) tagged.set(key, [...(tagged.get(key) ?? []), campaign]);
    } else if (projectOf(campaign.metadata) === project) {
      claimed.set(key, [...(claimed.get(key) ?? []), campaign]);
    }
  }
  return { campaigns, missing, tagged, claimed, complete: listedEverything };
}

/**
 * Pages must be fetched one after another (each holds the next cursor); GETs run in parallel, up
 * to the client's in-flight limit. Both are bounded below by the rate limit. Pick the faster;
 * on a tie, listing (it makes fewer requests).
 */
export function listingIsFaster(pages: number, gets: number, roundTripMs: number): boolean {
  const floor = (n: number) =>
    n <= 0 ? 0 : Math.floor((n - 1) / LOB_RATE_LIMIT.requests) * LOB_RATE_LIMIT.windowMs;
  const listMs = Math.max(pages * roundTripMs, floor(pages + 1));
  const getMs = Math.max(Math.ceil(gets / DEFAULT_MAX_IN_FLIGHT) * roundTripMs, floor(gets));
  return listMs <= getMs;
}

/** The campaign as Lob holds it now, or undefined when it is gone (404 or deleted). */
export async function getLiveCampaign(client: LobClient, id: string): Promise<Campaign | undefined> {
  try {
    const campaign = await client.getCampaign(id);
    return campaign.deleted ? undefined : campaign;
  } catch (error) {
    if (isLobApiError(error) && error.status === 404) return undefined;
    throw error;
  }
}

/** Campaigns carrying this key's tags, newest first (to reconcile a create whose response was lost). */
export async function findTaggedCampaigns(
  client: LobClient,
  key: string,
  lineage: string,
): Promise<Campaign[]> {
  const all = await client.listAllCampaigns();
  return all.filter(
    (c) => c.metadata?.[TAG_KEY] === key && c.metadata?.[TAG_LINEAGE] === lineage && !c.deleted,
  );
}
