import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../../src/emulator/index.js";
import {
  apiClient,
  buildCampaign,
  LOBSTER_CSV,
  startTestEmulator,
  TEST_KEY,
  waitForUploadState,
} from "./helpers.js";

let dir: string;
let emulator: RunningEmulator | undefined;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "emulator-persist-"));
});
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
  await rm(dir, { recursive: true, force: true });
});

describe("persistence with dataDir", () => {
  it("keeps campaigns, creatives, uploads, files, results and the clock across a restart", async () => {
    emulator = await startTestEmulator({ dataDir: dir });
    let api = apiClient(emulator);
    const csv = readFileSync(LOBSTER_CSV);
    const { cmp, crv, upl } = await buildCampaign(api, { csv, cancelWindowMinutes: 60 });
    await api.patch(`/campaigns/${cmp}`, { metadata: { campaignctl_key: "lobsters" } });
    await api.post(`/campaigns/${cmp}/send`);
    await waitForUploadState(api, upl, ["Scheduled"]);
    emulator.advanceClock(30 * 60_000);
    const before = {
      campaign: (await api.get(`/campaigns/${cmp}`)).body,
      creative: (await api.get(`/creatives/${crv}`)).body,
      report: (await api.get(`/uploads/${upl}/report`)).body,
      now: emulator.now().getTime(),
    };
    await emulator.close();

    emulator = await startTestEmulator({ dataDir: dir });
    api = apiClient(emulator);
    const campaign = (await api.get(`/campaigns/${cmp}`)).body;
    expect(campaign.metadata).toEqual({ campaignctl_key: "lobsters" });
    expect(campaign.uploads[0]).toMatchObject({
      state: "Scheduled",
      validatedMailpieces: 9,
      failedMailpieces: 1,
    });
    expect({ ...campaign, creatives: [], uploads: [] }).toEqual({
      ...before.campaign,
      creatives: [],
      uploads: [],
    });
    expect((await api.get(`/creatives/${crv}`)).body.id).toBe(before.creative.id);
    expect((await api.get(`/uploads/${upl}/report`)).body.data).toEqual(before.report.data);
    expect(emulator.now().getTime()).toBeGreaterThanOrEqual(before.now);
    // The restored clock still counts toward the cancel window: 31 more minutes close it.
    emulator.advanceClock(31 * 60_000);
    expect((await api.del(`/campaigns/${cmp}`)).body.error.code).toBe("not_deletable");
  });

  it("never writes the API key or audience cells into state.json", async () => {
    emulator = await startTestEmulator({ dataDir: dir });
    const api = apiClient(emulator);
    await buildCampaign(api, { csv: readFileSync(LOBSTER_CSV) });
    await emulator.close();
    emulator = undefined;
    const state = await readFile(join(dir, "state.json"), "utf8");
    expect(state).not.toContain(TEST_KEY);
    expect(state).not.toContain("Larry Lobster");
    expect(await readdir(dir)).toEqual(expect.arrayContaining(["state.json", "files"]));
  });

  it("finishes an upload that was Validating when the emulator stopped", async () => {
    emulator = await startTestEmulator({ dataDir: dir, processingRowsPerSecond: 4 });
    let api = apiClient(emulator);
    const { cmp, upl } = await buildCampaign(api, { csv: readFileSync(LOBSTER_CSV) });
    await api.post(`/campaigns/${cmp}/send`);
    await waitForUploadState(api, upl, ["Validating"]);
    await emulator.close();

    emulator = await startTestEmulator({ dataDir: dir });
    api = apiClient(emulator);
    const done = await waitForUploadState(api, upl, ["Scheduled", "Errored"]);
    expect(done.body).toMatchObject({
      state: "Scheduled",
      totalMailpieces: 10,
      validatedMailpieces: 9,
      failedMailpieces: 1,
    });
    expect((await api.get(`/uploads/${upl}/report`)).body.total_count).toBe(10);
  });
});
