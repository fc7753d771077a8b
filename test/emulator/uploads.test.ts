import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../../src/emulator/index.js";
import type { ApiClient } from "./helpers.js";
import {
  apiClient,
  buildCampaign,
  LOBSTER_MAPPING,
  startTestEmulator,
  uploadCsv,
  waitFor,
  waitForUploadState,
} from "./helpers.js";

let emulator: RunningEmulator;
let api: ApiClient;

beforeEach(async () => {
  emulator = await startTestEmulator({ rateLimit: false });
  api = apiClient(emulator);
});
afterEach(async () => {
  await emulator.close();
});

async function newCampaign(): Promise<string> {
  return (await api.post("/campaigns", { name: "u", schedule_type: "immediate" })).body.id as string;
}

describe("uploads", () => {
  it("creates with 201, camelCase, defaults, mode from the key; lists as a bare array", async () => {
    const cmp = await newCampaign();
    const res = await api.post("/uploads", { campaignId: cmp });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      campaignId: cmp,
      mode: "test",
      state: "Draft",
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
      totalMailpieces: 0,
      validatedMailpieces: 0,
      failedMailpieces: 0,
      bytesProcessed: 0,
    });
    expect(res.body.accountId).toMatch(/^[0-9a-f]{20}$/);
    expect(res.body).not.toHaveProperty("object");
    const list = await api.get(`/uploads?campaignId=${cmp}`);
    expect(list.status).toBe(200);
    expect(Array.isArray(list.body)).toBe(true);
    expect(list.body.map((u: { id: string }) => u.id)).toEqual([res.body.id]);
    expect((await api.get("/uploads?campaignId=cmp_other")).body).toEqual([]);
  });

  it("422s in shape B: missing campaignId, bad mapping, form body, second upload", async () => {
    const missing = await api.post("/uploads", {});
    expect(missing.status).toBe(422);
    expect(missing.body.detail[0]).toEqual({
      loc: ["body", "campaignId"],
      msg: "field required",
      type: "value_error.missing",
    });
    const cmp = await newCampaign();
    const partial = await api.post("/uploads", {
      campaignId: cmp,
      requiredAddressColumnMapping: { name: "n" },
    });
    expect(partial.status).toBe(422);
    expect(partial.body.detail[0].loc).toEqual(["body", "requiredAddressColumnMapping", "address_line1"]);
    const form = await api.call("POST", "/uploads", `campaignId=${cmp}`, { form: true });
    expect(form.status).toBe(422);
    expect(form.body.detail[0].loc).toEqual(["body"]);
    expect((await api.post("/uploads", { campaignId: cmp })).status).toBe(201);
    const second = await api.post("/uploads", { campaignId: cmp });
    expect(second.status).toBe(422);
    expect(second.body.detail[0].msg).toContain("already has an upload");
  });

  it("404s in envelope A", async () => {
    const res = await api.get("/uploads/upl_nothere");
    expect(res.status).toBe(404);
    expect(res.body.error).toEqual({ message: "upload not found", status_code: 404, code: "not_found" });
  });

  it("PATCH replaces mappings; campaignId and state are rejected in shape B", async () => {
    const cmp = await newCampaign();
    const { body } = await api.post("/uploads", { campaignId: cmp });
    const patched = await api.patch(`/uploads/${body.id}`, {
      requiredAddressColumnMapping: LOBSTER_MAPPING,
      originalFilename: "x.csv",
    });
    expect(patched.status).toBe(200);
    expect(patched.body.requiredAddressColumnMapping).toEqual(LOBSTER_MAPPING);
    expect(patched.body.originalFilename).toBe("x.csv");
    for (const field of ["campaignId", "state"]) {
      const res = await api.patch(`/uploads/${body.id}`, {
        [field]: field === "state" ? "Ready for Validation" : cmp,
      });
      expect(res.status).toBe(422);
      expect(res.body.detail[0].loc).toEqual(["body", field]);
    }
    expect((await api.get(`/uploads/${body.id}`)).body.state).toBe("Draft");
  });

  it("DELETE answers 204 with an empty body", async () => {
    const cmp = await newCampaign();
    const { body } = await api.post("/uploads", { campaignId: cmp });
    const res = await api.del(`/uploads/${body.id}`);
    expect(res.status).toBe(204);
    expect(res.text).toBe("");
    expect((await api.get(`/uploads/${body.id}`)).status).toBe(404);
  });

  it("streams a multi-MB file to disk: 202, filename, bytesProcessed and the rows all count", async () => {
    const rows = 60_000;
    const lines = ["recipient,primary line,city,state,zip_code"];
    for (let i = 1; i <= rows; i++) lines.push(`Person ${i},${i} Main Street,Springfield,IL,62701`);
    const csv = Buffer.from(`${lines.join("\n")}\n`);
    expect(csv.length).toBeGreaterThan(2_500_000);
    const { cmp, upl } = await buildCampaign(api);
    const res = await uploadCsv(api, upl, csv, "big.csv");
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ message: "File uploaded successfully", filename: "big.csv" });
    const upload = await api.get(`/uploads/${upl}`);
    expect(upload.body.bytesProcessed).toBe(csv.length);
    expect(upload.body.originalFilename).toBe("big.csv");
    await api.post(`/campaigns/${cmp}/send`);
    const done = await waitForUploadState(api, upl, ["Scheduled", "Errored"]);
    expect(done.body).toMatchObject({
      state: "Scheduled",
      totalMailpieces: rows,
      validatedMailpieces: rows,
      failedMailpieces: 0,
    });
    const last = await api.get(`/uploads/${upl}/report?limit=1&offset=${rows - 1}`);
    expect(last.body.data[0].rowNumber).toBe(rows);
    expect(last.body.next_url).toBeNull();
    // The "all" export carries every row back, cells unchanged.
    const ex = await api.post(`/uploads/${upl}/exports`, { type: "all" });
    const exported = await waitFor(
      () => api.get(`/uploads/${upl}/exports/${ex.body.exportId}`),
      (r) => r.body.state === "succeeded",
    );
    const text = await (await fetch(exported.body.s3Url as string)).text();
    const exportedLines = text.split("\n");
    expect(exportedLines).toHaveLength(rows + 2);
    expect(exportedLines[rows]).toBe(
      `${rows},Validated,,${exportedLines[rows]!.split(",")[3]},${lines[rows]}`,
    );
  });

  it("file upload without multipart or without a file part is 422 shape B", async () => {
    const cmp = await newCampaign();
    const { body } = await api.post("/uploads", { campaignId: cmp });
    const json = await api.post(`/uploads/${body.id}/file`, { file: "x" });
    expect(json.status).toBe(422);
    expect(json.body.detail[0].loc).toEqual(["body", "file"]);
    const form = new FormData();
    form.append("other", new Blob(["a,b\n"]), "a.csv");
    const wrongPart = await api.call("POST", `/uploads/${body.id}/file`, undefined, { multipart: form });
    expect(wrongPart.status).toBe(422);
  });
});

describe("exports and report", () => {
  it("export errors use shape C", async () => {
    const cmp = await newCampaign();
    const { body } = await api.post("/uploads", { campaignId: cmp });
    const bad = await api.post(`/uploads/${body.id}/exports`, { type: 3 });
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({
      code: 400,
      message: "Invalid body, check 'errors' property for more info.",
      errors: ["type must be a string"],
    });
    const unknown = await api.post("/uploads/upl_missing/exports", { type: "all" });
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe(404);
    expect(Array.isArray(unknown.body.errors)).toBe(true);
  });

  it("an export is in_progress first and its file needs no auth", async () => {
    emulator.setProcessingSpeed(10);
    const csv = "recipient,primary line,city,state,zip_code\nA,1 Main St,X,CA,94107\nB,2 Main St,X,CA,bad\n";
    const { cmp, upl } = await buildCampaign(api, { csv });
    await api.post(`/campaigns/${cmp}/send`);
    const ex = await api.post(`/uploads/${upl}/exports`, { type: "successes" });
    const first = await api.get(`/uploads/${upl}/exports/${ex.body.exportId}`);
    expect(first.body).toMatchObject({ state: "in_progress", s3Url: null, type: "successes" });
    const done = await waitFor(
      () => api.get(`/uploads/${upl}/exports/${ex.body.exportId}`),
      (r) => r.body.state === "succeeded",
    );
    const file = await fetch(done.body.s3Url as string);
    const lines = (await file.text()).trimEnd().split("\n");
    expect(lines[0]).toBe("rowNumber,mailpieceId,recipient,primary line,city,state,zip_code");
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/^1,psc_/);
  });

  it("report validates its query in shape B and 404s unknown uploads in envelope A", async () => {
    const cmp = await newCampaign();
    const { body } = await api.post("/uploads", { campaignId: cmp });
    expect((await api.get(`/uploads/${body.id}/report?limit=101`)).status).toBe(422);
    expect((await api.get(`/uploads/${body.id}/report?status=Nope`)).body.detail[0].loc).toEqual([
      "query",
      "status",
    ]);
    const empty = await api.get(`/uploads/${body.id}/report`);
    expect(empty.body).toEqual({
      data: [],
      next_url: null,
      prev_url: null,
      count: 0,
      total_count: 0,
      offset: 0,
    });
    expect((await api.get("/uploads/upl_nope/report")).body.error.code).toBe("not_found");
  });
});
