import { readFileSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../../src/emulator/index.js";
import type { ApiClient } from "./helpers.js";
import {
  apiClient,
  buildCampaign,
  LOBSTER_CSV,
  LOBSTER_MAPPING,
  startTestEmulator,
  uploadCsv,
  waitForUploadState,
} from "./helpers.js";

let emulator: RunningEmulator;
let api: ApiClient;
const csv = readFileSync(LOBSTER_CSV);

beforeEach(async () => {
  emulator = await startTestEmulator({ rateLimit: false });
  api = apiClient(emulator);
});
afterEach(async () => {
  await emulator.close();
});

async function expectBlocked(cmp: string, fragment: string) {
  const res = await api.post(`/campaigns/${cmp}/send`);
  expect(res.status).toBe(422);
  expect(res.body.error.status_code).toBe(422);
  expect(res.body.error.message).toContain(fragment);
  expect((await api.get(`/campaigns/${cmp}`)).body.is_draft).toBe(true);
}

describe("send preconditions", () => {
  it("needs a creative", async () => {
    const { body } = await api.post("/campaigns", { name: "x", schedule_type: "immediate" });
    await expectBlocked(body.id, "no creative");
  });

  it("needs an upload, and the upload needs a file", async () => {
    const { cmp } = await buildCampaign(api);
    await expectBlocked(cmp, "has no file");
    const { body } = await api.post("/campaigns", { name: "y", schedule_type: "immediate" });
    await api.post("/creatives", {
      campaign_id: body.id,
      resource_type: "postcard",
      front: "tmpl_a",
      back: "tmpl_b",
      details: {},
    });
    await expectBlocked(body.id, "no upload");
  });

  it("needs all five required mappings", async () => {
    const { cmp, upl } = await buildCampaign(api, { csv });
    await api.patch(`/uploads/${upl}`, {
      requiredAddressColumnMapping: { ...LOBSTER_MAPPING, address_zip: null },
    });
    await expectBlocked(cmp, "requiredAddressColumnMapping.address_zip");
  });

  it("needs every merge variable of HTML artwork mapped (address mapping keys count)", async () => {
    const html = "<html><body>Hi {{name}}, code {{gift_code}} in {{ address_city }}</body></html>";
    const { cmp, upl } = await buildCampaign(api, { csv, front: html });
    await expectBlocked(cmp, "'gift_code'");
    const patched = await api.patch(`/uploads/${upl}`, {
      mergeVariableColumnMapping: { gift_code: "zip_code" },
    });
    expect(patched.status).toBe(200);
    const sent = await api.post(`/campaigns/${cmp}/send`);
    expect(sent.status).toBe(200);
  });

  it("checks merge variables of an uploaded .html file part", async () => {
    const { body } = await api.post("/campaigns", { name: "z", schedule_type: "immediate" });
    const form = new FormData();
    form.append("campaign_id", body.id);
    form.append("resource_type", "postcard");
    form.append("back", "tmpl_back");
    form.append("front", new Blob(["<p>{{promo}}</p>"], { type: "text/html" }), "front.html");
    const creative = await api.call("POST", "/creatives", undefined, { multipart: form });
    expect(creative.status).toBe(422); // details missing
    form.append("details[size]", "4x6");
    const ok = await api.call("POST", "/creatives", undefined, { multipart: form });
    expect(ok.status).toBe(200);
    const upload = await api.post("/uploads", {
      campaignId: body.id,
      requiredAddressColumnMapping: LOBSTER_MAPPING,
    });
    await uploadCsv(api, upload.body.id, csv);
    await expectBlocked(body.id, "'promo'");
  });
});

describe("send", () => {
  it("moves the campaign out of draft, runs the upload to Scheduled and never sends twice", async () => {
    emulator.setProcessingSpeed(20); // 10 rows take about half a second: Validating is observable
    const { cmp, upl } = await buildCampaign(api, { csv });
    const sent = await api.post(`/campaigns/${cmp}/send`);
    expect(sent.status).toBe(200);
    expect(sent.body.is_draft).toBe(false);
    expect(sent.body.uploads[0].state).toBe("Ready for Validation");
    const validating = await waitForUploadState(api, upl, ["Validating"]);
    expect(validating.body.state).toBe("Validating");
    const again = await api.post(`/campaigns/${cmp}/send`);
    expect(again.status).toBe(422);
    expect(again.body.error.message).toContain("already been sent");
    const done = await waitForUploadState(api, upl, ["Scheduled", "Errored"]);
    expect(done.body).toMatchObject({
      state: "Scheduled",
      totalMailpieces: 10,
      validatedMailpieces: 9,
      failedMailpieces: 1,
    });
    // After send the audience and the creative are frozen.
    expect((await api.patch(`/uploads/${upl}`, { metadata: { columns: [] } })).status).toBe(422);
    expect((await uploadCsv(api, upl, csv)).status).toBe(422);
    expect((await api.patch(`/campaigns/${cmp}`, { cancel_window_campaign_minutes: 5 })).status).toBe(422);
    expect((await api.patch(`/campaigns/${cmp}`, { name: "renamed" })).status).toBe(200);
  });

  it("errors the upload when a mapped column is missing from the file", async () => {
    const { cmp, upl } = await buildCampaign(api, {
      csv: "recipient,street,city,state,zip_code\nA,1 Main St,X,CA,94107\n",
    });
    expect((await api.post(`/campaigns/${cmp}/send`)).status).toBe(200);
    const done = await waitForUploadState(api, upl, ["Scheduled", "Errored"]);
    expect(done.body.state).toBe("Errored");
    expect(done.body.totalMailpieces).toBe(0);
  });

  it("errors the upload for a file that is not UTF-8", async () => {
    const latin1 = Buffer.concat([
      Buffer.from("recipient,primary line,city,state,zip_code\n"),
      Buffer.from([0x4a, 0xf6, 0x72, 0x67]),
      Buffer.from(",1 Main St,X,CA,94107\n"),
    ]);
    const { cmp, upl } = await buildCampaign(api, { csv: latin1 });
    await api.post(`/campaigns/${cmp}/send`);
    expect((await waitForUploadState(api, upl, ["Scheduled", "Errored"])).body.state).toBe("Errored");
  });
});

describe("cancel window", () => {
  it("cancels inside the window (upload Cancelled), refuses after it with not_deletable naming the deadline", async () => {
    const a = await buildCampaign(api, { csv, cancelWindowMinutes: 30 });
    const b = await buildCampaign(api, { csv, cancelWindowMinutes: 30 });
    await api.post(`/campaigns/${a.cmp}/send`);
    await api.post(`/campaigns/${b.cmp}/send`);
    await waitForUploadState(api, a.upl, ["Scheduled"]);

    emulator.advanceClock(29 * 60_000);
    const inside = await api.del(`/campaigns/${a.cmp}`);
    expect(inside.status).toBe(200);
    expect(inside.body).toEqual({ id: a.cmp, deleted: true });
    expect((await api.get(`/campaigns/${a.cmp}`)).status).toBe(404);
    expect((await api.get(`/uploads/${a.upl}`)).body.state).toBe("Cancelled");

    emulator.advanceClock(2 * 60_000);
    const after = await api.del(`/campaigns/${b.cmp}`);
    expect(after.status).toBe(422);
    expect(after.body.error.code).toBe("not_deletable");
    const sendDate = (await api.get(`/campaigns/${b.cmp}`)).body.send_date as string;
    const deadline = new Date(Date.parse(sendDate) + 30 * 60_000).toISOString();
    expect(after.body.error.message).toContain(deadline);
    expect((await api.get(`/campaigns/${b.cmp}`)).status).toBe(200);
  });

  it("uses the account default window (240 minutes) when the campaign has none, via the admin clock route", async () => {
    const a = await buildCampaign(api, { csv });
    await api.post(`/campaigns/${a.cmp}/send`);
    const base = emulator.url.replace(/\/v1$/, "");
    const moved = await fetch(`${base}/_emulator/clock`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ advanceMinutes: 241 }),
    });
    expect(moved.status).toBe(200);
    const res = await api.del(`/campaigns/${a.cmp}`);
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe("not_deletable");
  });

  it("always deletes a draft, whatever the clock says", async () => {
    const a = await buildCampaign(api, { csv, cancelWindowMinutes: 1 });
    emulator.advanceClock(10 * 24 * 3600_000);
    expect((await api.del(`/campaigns/${a.cmp}`)).status).toBe(200);
    expect((await api.get(`/uploads/${a.upl}`)).status).toBe(404);
    expect((await api.get(`/creatives/${a.crv}`)).status).toBe(404);
  });
});
