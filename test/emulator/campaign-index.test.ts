import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { CreativeRecord, Store, StoreData, UploadRecord } from "../../src/emulator/store.js";
import { openStore } from "../../src/emulator/store.js";

let dir: string;
let store: Store | undefined;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "emulator-index-"));
});
afterEach(async () => {
  await store?.close();
  store = undefined;
  await rm(dir, { recursive: true, force: true });
});

function creative(id: string, campaignId: string, seq: number): CreativeRecord {
  return {
    id,
    account: "acct",
    seq,
    campaign_id: campaignId,
    resource_type: "postcard",
    description: null,
    from: null,
    details: {},
    artwork: {},
    mergeVariables: [],
    metadata: {},
    deleted: false,
    date_created: "2026-01-01T00:00:00.000Z",
    date_modified: "2026-01-01T00:00:00.000Z",
  };
}

function upload(id: string, campaignId: string, seq: number): UploadRecord {
  return {
    id,
    account: "acct",
    mode: "test",
    seq,
    campaignId,
    requiredAddressColumnMapping: {
      name: null,
      address_line1: null,
      address_city: null,
      address_state: null,
      address_zip: null,
    },
    optionalAddressColumnMapping: { address_line2: null, company: null, address_country: null },
    mergeVariableColumnMapping: null,
    metadata: { columns: [] },
    state: "Draft",
    totalMailpieces: 0,
    validatedMailpieces: 0,
    failedMailpieces: 0,
    bytesProcessed: 0,
    deleted: false,
    dateCreated: "2026-01-01T00:00:00.000Z",
    dateModified: "2026-01-01T00:00:00.000Z",
  };
}

const ids = (records: readonly { id: string }[]) => records.map((r) => r.id);

describe("the store's per-campaign index", () => {
  it("files each new creative and upload under its campaign, oldest first, and nothing under others", async () => {
    store = await openStore(undefined);
    store.addCreative(creative("crv_a1", "cmp_a", store.nextSeq()));
    store.addUpload(upload("upl_b1", "cmp_b", store.nextSeq()));
    store.addUpload(upload("upl_a1", "cmp_a", store.nextSeq()));
    store.addUpload(upload("upl_a2", "cmp_a", store.nextSeq()));
    expect(ids(store.creativesOf("cmp_a"))).toEqual(["crv_a1"]);
    expect(ids(store.uploadsOf("cmp_a"))).toEqual(["upl_a1", "upl_a2"]);
    expect(ids(store.uploadsOf("cmp_b"))).toEqual(["upl_b1"]);
    expect(store.creativesOf("cmp_b")).toEqual([]);
    expect(store.uploadsOf("cmp_none")).toEqual([]);
    // The records themselves, so flags set later (deleted, state) show through the index.
    store.data.uploads["upl_a1"]!.deleted = true;
    expect(store.uploadsOf("cmp_a")[0]!.deleted).toBe(true);
  });

  it("is rebuilt in creation order from persisted data, and emptied by a reset", async () => {
    const data: StoreData = {
      version: 1,
      clockOffsetMs: 0,
      seq: 4,
      campaigns: {},
      // Stored out of creation order: the index must not depend on the file's key order.
      creatives: { crv_2: creative("crv_2", "cmp_a", 3), crv_1: creative("crv_1", "cmp_a", 1) },
      uploads: { upl_2: upload("upl_2", "cmp_a", 4), upl_1: upload("upl_1", "cmp_b", 2) },
      exports: {},
    };
    await writeFile(join(dir, "state.json"), JSON.stringify(data));
    store = await openStore(dir);
    expect(ids(store.creativesOf("cmp_a"))).toEqual(["crv_1", "crv_2"]);
    expect(ids(store.uploadsOf("cmp_a"))).toEqual(["upl_2"]);
    expect(ids(store.uploadsOf("cmp_b"))).toEqual(["upl_1"]);
    await store.reset();
    expect(store.creativesOf("cmp_a")).toEqual([]);
    expect(store.uploadsOf("cmp_b")).toEqual([]);
  });
});
