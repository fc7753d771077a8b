import { readFileSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../../src/emulator/index.js";
import type { ApiClient } from "./helpers.js";
import {
  apiClient,
  buildCampaign,
  LOBSTER_CSV,
  startTestEmulator,
  waitFor,
  waitForUploadState,
} from "./helpers.js";

let emulator: RunningEmulator;
let api: ApiClient;

beforeEach(async () => {
  emulator = await startTestEmulator();
  api = apiClient(emulator);
});
afterEach(async () => {
  await emulator.close();
});

describe("the seven steps against the lobster fixture", () => {
  it("validates 10 rows: 9 validated, row 10 failed, with report and failures export", async () => {
    const csv = readFileSync(LOBSTER_CSV);
    const { cmp, upl, campaign, creative, upload } = await buildCampaign(api, { csv });
    expect(campaign.status).toBe(200);
    expect(creative.status).toBe(200);
    expect(upload.status).toBe(201);
    expect(upload.body.state).toBe("Draft");

    const sent = await api.post(`/campaigns/${cmp}/send`);
    expect(sent.status).toBe(200);
    expect(sent.body.is_draft).toBe(false);
    expect(Math.abs(Date.parse(sent.body.send_date) - emulator.now().getTime())).toBeLessThan(5_000);

    const done = await waitForUploadState(api, upl, ["Scheduled", "Errored"]);
    expect(done.body).toMatchObject({
      state: "Scheduled",
      totalMailpieces: 10,
      validatedMailpieces: 9,
      failedMailpieces: 1,
      bytesProcessed: csv.length,
      originalFilename: "audience.csv",
    });

    const failed = await api.get(`/uploads/${upl}/report?status=Failed`);
    expect(failed.status).toBe(200);
    expect(failed.body.total_count).toBe(1);
    expect(failed.body.data).toHaveLength(1);
    expect(failed.body.data[0].rowNumber).toBe(10);
    expect(failed.body.data[0].status).toBe("Failed");
    expect(failed.body.data[0].errorMessage).toMatch(/city|zip/);
    expect(failed.body.data[0].mailpieceId).toBeNull();
    expect(failed.body.data[0].originalData.recipient).toBe("Lost Lobster");

    const all = await api.get(`/uploads/${upl}/report?limit=4&offset=4`);
    expect(all.body.count).toBe(4);
    expect(all.body.total_count).toBe(10);
    expect(all.body.data.map((r: { rowNumber: number }) => r.rowNumber)).toEqual([5, 6, 7, 8]);
    expect(all.body.next_url).toContain("offset=8");
    expect(all.body.prev_url).toContain("offset=0");
    expect(all.body.data[0].mailpieceId).toMatch(/^psc_[0-9a-f]+$/);

    const ex = await api.post(`/uploads/${upl}/exports`, { type: "failures" });
    expect(ex.status).toBe(200);
    expect(ex.body.message).toBe("Export is processing.");
    expect(ex.body.exportId).toMatch(/^ex_[a-zA-Z0-9]+$/);
    const exported = await waitFor(
      () => api.get(`/uploads/${upl}/exports/${ex.body.exportId}`),
      (r) => r.body.state !== "in_progress",
    );
    expect(exported.body).toMatchObject({
      state: "succeeded",
      type: "failures",
      uploadId: upl,
      deleted: false,
    });
    const file = await fetch(exported.body.s3Url as string);
    expect(file.status).toBe(200);
    const lines = (await file.text()).trimEnd().split("\n");
    expect(lines[0]).toBe("rowNumber,errorMessage,recipient,primary line,city,state,zip_code");
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/^10,/);
  });
});
