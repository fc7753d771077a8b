import { describe, expect, it } from "vitest";
import { TAG_KEY, TAG_LINEAGE, TAG_PROJECT } from "../../src/core/tags.js";
import { observeWorld } from "../../src/engine/observe.js";
import type { LobClient } from "../../src/lob/client.js";
import type { Campaign, CampaignList } from "../../src/lob/wire.js";
import { aCampaign, anAppliedRecord, aState, LINEAGE } from "../plan/builders.js";

/**
 * observeWorld's sorting of tagged campaigns (decisions.md §14): ours by lineage (`tagged`), this
 * project's by another lineage (`claimed`), everything else ignored; `complete` only when every
 * page was read.
 */
function fakeClient(campaigns: Campaign[], pageSize = 2): LobClient & { lists: number } {
  const client = {
    lists: 0,
    async listCampaigns(q: { after?: string } = {}): Promise<CampaignList> {
      client.lists += 1;
      const start = q.after === undefined ? 0 : Number(q.after);
      const data = campaigns.slice(start, start + pageSize);
      const next =
        start + pageSize < campaigns.length
          ? `https://lob.test/v1/campaigns?after=${start + pageSize}`
          : null;
      return {
        data,
        object: "list",
        next_url: next,
        previous_url: null,
        count: data.length,
        total_count: campaigns.length,
      } as CampaignList;
    },
  };
  return client as unknown as LobClient & { lists: number };
}

const tagged = (id: string, key: string, lineage: string, project?: string, extra: Partial<Campaign> = {}) =>
  aCampaign({
    id,
    metadata: { [TAG_KEY]: key, [TAG_LINEAGE]: lineage, ...(project ? { [TAG_PROJECT]: project } : {}) },
    ...extra,
  });

describe("observeWorld with a full scan", () => {
  const account = [
    aCampaign({ id: "cmp_untagged", metadata: {} }),
    tagged("cmp_ours_unrecorded", "later", LINEAGE, "default"),
    tagged("cmp_theirs", "spring", "lin-other", "default"),
    tagged("cmp_legacy", "autumn", "lin-old"), // no project tag: counts as 'default'
    tagged("cmp_other_project", "spring", "lin-x", "shop"),
    tagged("cmp_deleted", "winter", "lin-other", "default", { deleted: true }),
    tagged("cmp_1", "spring", LINEAGE, "default"),
  ];

  it("reads every page and sorts what carries our tags", async () => {
    const client = fakeClient(account);
    const observed = await observeWorld(client, aState([anAppliedRecord()]), [], { fullScan: true });
    expect(client.lists).toBe(4);
    expect(observed.complete).toBe(true);
    expect([...observed.campaigns.keys()]).toEqual(["cmp_1"]);
    expect([...observed.tagged.entries()].map(([k, v]) => [k, v.map((c) => c.id)])).toEqual([
      ["later", ["cmp_ours_unrecorded"]],
    ]);
    expect(
      [...(observed.claimed ?? new Map()).entries()]
        .map(([k, v]) => [k, v.map((c: Campaign) => c.id)])
        .sort(),
    ).toEqual([
      ["autumn", ["cmp_legacy"]],
      ["spring", ["cmp_theirs"]],
    ]);
  });

  it("claims for the run's project only", async () => {
    const observed = await observeWorld(fakeClient(account), aState(), [], {
      fullScan: true,
      project: "shop",
    });
    expect([...(observed.claimed ?? new Map()).keys()]).toEqual(["spring"]);
    expect(observed.claimed?.get("spring")?.map((c) => c.id)).toEqual(["cmp_other_project"]);
  });

  it("without a full scan, an empty state makes no request and proves nothing", async () => {
    const client = fakeClient(account);
    const observed = await observeWorld(client, aState(), []);
    expect(client.lists).toBe(0);
    expect(observed.complete).toBe(false);
  });
});
