import { describe, expect, it } from "vitest";
import { observeWorld } from "../../src/engine/observe.js";
import type { LobClient } from "../../src/lob/client.js";
import { afterCursorOf } from "../../src/lob/client.js";
import type { CampaignList } from "../../src/lob/wire.js";
import { aCampaign, aState, anAppliedRecord } from "../plan/builders.js";

describe("afterCursorOf", () => {
  it("reads the cursor from absolute and relative next_urls, and ends on an empty one", () => {
    expect(afterCursorOf("https://api.lob.com/v1/campaigns?limit=100&after=abc")).toBe("abc");
    expect(afterCursorOf("/v1/campaigns?after=xyz&limit=100")).toBe("xyz");
    expect(afterCursorOf("")).toBeUndefined();
    expect(afterCursorOf(null)).toBeUndefined();
  });
});

/** A Lob whose list always hands back the same cursor (a server bug we must not loop on). */
function stuckLob(): LobClient {
  let calls = 0;
  const page = (): CampaignList => ({
    data: [aCampaign({ id: `cmp_other${(calls += 1)}`, metadata: {} })],
    object: "list",
    next_url: "/v1/campaigns?limit=100&after=same",
    previous_url: null,
    count: 1,
    total_count: 100_000,
  });
  return { listCampaigns: async () => page() } as unknown as LobClient;
}

describe("observeWorld paging", () => {
  it("stops with a clear error when the server repeats a cursor, instead of looping forever", async () => {
    // A pending create needs the tag search, which lists every page.
    const state = aState([
      { key: "spring", pending: { step: "campaign", since: "2026-11-28T12:00:00.000Z" }, applied: {} },
    ]);
    await expect(observeWorld(stuckLob(), state, [])).rejects.toThrow("same page cursor twice");
  });

  it("still reads a recorded campaign from the first page without paging", async () => {
    const client = {
      listCampaigns: async (): Promise<CampaignList> => ({
        data: [aCampaign()],
        object: "list",
        next_url: null,
        previous_url: null,
        count: 1,
        total_count: 1,
      }),
    } as unknown as LobClient;
    const observed = await observeWorld(client, aState([anAppliedRecord()]), []);
    expect([...observed.campaigns.keys()]).toEqual(["cmp_1"]);
    expect(observed.missing.size).toBe(0);
  });
});
