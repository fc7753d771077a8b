/**
 * Lob's campaign flow (CONTRACT.md §6) end to end against the emulator, with plain HTTP only:
 * campaign → creative → upload → file → send → poll → failures export → delete in the window.
 */
import { readFileSync } from "node:fs";
import Papa from "papaparse";
import { beforeAll, describe, expect, it } from "vitest";
import { useEmulator } from "../support/emulator.js";
import { createRecorder, findContractViolations, type Recorder } from "../support/openapi-recorder.js";
import { LOBSTER_REQUIRED_MAPPING } from "../support/lobster.js";

const LOBSTERS = readFileSync(new URL("../fixtures/lob/lobster-family.csv", import.meta.url));
const FRONT_HTML = "<html><body><h1>Thank you, {{name}}!</h1></body></html>";

const emulator = useEmulator({ rateLimit: false, processingRowsPerSecond: 1_000_000 });
let api: Recorder;

beforeAll(() => {
  api = createRecorder(emulator.url, "test_seven_steps");
});

async function ok(
  method: string,
  path: string,
  status: number,
  options: Parameters<Recorder["call"]>[2] = {},
) {
  const ex = await api.call(method, path, options);
  expect(ex.status, `${method} ${path}: ${ex.text}`).toBe(status);
  return ex.body as Record<string, unknown>;
}

async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  for (let i = 0; i < 400; i++) {
    const value = await read();
    if (done(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error("condition not reached within 10 s");
}

const requiredAddressColumnMapping = LOBSTER_REQUIRED_MAPPING;

async function createUploadWithFile(campaignId: string): Promise<string> {
  const upload = await ok("POST", "/uploads", 201, {
    body: {
      json: {
        campaignId,
        requiredAddressColumnMapping,
        optionalAddressColumnMapping: { address_line2: null, company: null, address_country: null },
        mergeVariableColumnMapping: { name: "recipient" },
        metadata: { columns: [] },
      },
    },
  });
  const file = new FormData();
  file.append("file", new Blob([LOBSTERS], { type: "text/csv" }), "lobster-family.csv");
  const accepted = await ok("POST", `/uploads/${String(upload.id)}/file`, 202, { body: { multipart: file } });
  expect(accepted.message).toBe("File uploaded successfully");
  return String(upload.id);
}

describe("the seven steps of a Lob campaign, over plain HTTP", () => {
  it("create → creative → upload → file → send → Scheduled → failures export → delete in window", async () => {
    // 1. Campaign (JSON).
    const campaign = await ok("POST", "/campaigns", 200, {
      body: {
        json: {
          name: "Lobster thank-you",
          schedule_type: "immediate",
          use_type: "marketing",
          cancel_window_campaign_minutes: 60,
        },
      },
    });
    const campaignId = String(campaign.id);
    expect(campaign.is_draft).toBe(true);

    // 2. Creative (multipart: HTML front with a {{name}} merge variable, template back).
    const creativeForm = new FormData();
    creativeForm.append("campaign_id", campaignId);
    creativeForm.append("resource_type", "postcard");
    creativeForm.append("details[mail_type]", "usps_first_class");
    creativeForm.append("details[size]", "4x6");
    creativeForm.append("front", new Blob([FRONT_HTML], { type: "text/html" }), "front.html");
    creativeForm.append("back", "tmpl_4aa14648113e45b");
    const creative = await ok("POST", "/creatives", 200, { body: { multipart: creativeForm } });
    expect(String(creative.id)).toMatch(/^crv_/);

    // 3 + 4. Upload (JSON) and its audience file (multipart).
    const uploadId = await createUploadWithFile(campaignId);
    const beforeSend = await ok("GET", `/uploads/${uploadId}`, 200);
    expect(beforeSend.originalFilename).toBe("lobster-family.csv");

    // 5. Send, then poll the upload until processing settles.
    const sent = await ok("POST", `/campaigns/${campaignId}/send`, 200);
    expect(sent.is_draft).toBe(false);
    const upload = await waitFor(
      () => ok("GET", `/uploads/${uploadId}`, 200),
      (u) => ["Scheduled", "Errored", "Cancelled"].includes(String(u.state)),
    );
    expect(upload.state).toBe("Scheduled");
    expect({
      total: upload.totalMailpieces,
      validated: upload.validatedMailpieces,
      failed: upload.failedMailpieces,
    }).toEqual({ total: 10, validated: 9, failed: 1 });

    // 6 + 7. Failures export: create, poll, download.
    const created = await ok("POST", `/uploads/${uploadId}/exports`, 200, {
      body: { json: { type: "failures" } },
    });
    const exportId = String(created.exportId);
    const finished = await waitFor(
      () => ok("GET", `/uploads/${uploadId}/exports/${exportId}`, 200),
      (e) => e.state !== "in_progress",
    );
    expect(finished).toMatchObject({ id: exportId, state: "succeeded", type: "failures", uploadId });
    const download = await fetch(String(finished.s3Url));
    expect(download.status).toBe(200);
    const csv = Papa.parse<Record<string, string>>(await download.text(), {
      header: true,
      skipEmptyLines: true,
    });
    expect(csv.data).toHaveLength(1);
    const failedRow = csv.data[0] ?? {};
    // The column layout is unspecified (CONTRACT.md §5.7); we require a row number and a reason.
    const cells = Object.entries(failedRow);
    const rowNumberCell = cells.find(([header]) => /row/i.test(header));
    expect(rowNumberCell?.[1], `row-number column in ${Object.keys(failedRow).join(",")}`).toBe("10");
    const reasonCell = cells.find(([header]) => /error|reason/i.test(header));
    expect(reasonCell?.[1], `reason column in ${Object.keys(failedRow).join(",")}`).toMatch(/city|zip/i);

    // 8. Delete inside the cancel window: the upload is cancelled with the campaign.
    expect(await ok("DELETE", `/campaigns/${campaignId}`, 200)).toEqual({ id: campaignId, deleted: true });
    const cancelled = await ok("GET", `/uploads/${uploadId}`, 200);
    expect(cancelled.state).toBe("Cancelled");
  });

  it("a creative sent as form encoding works too, and a campaign past its window cannot be deleted", async () => {
    const campaign = await ok("POST", "/campaigns", 200, {
      body: {
        form: {
          name: "Form variant",
          schedule_type: "immediate",
          use_type: "marketing",
          cancel_window_campaign_minutes: "5",
        },
      },
    });
    const campaignId = String(campaign.id);
    const creative = await ok("POST", "/creatives", 200, {
      body: {
        form: {
          campaign_id: campaignId,
          resource_type: "postcard",
          front: "tmpl_4aa14648113e45b",
          back: "tmpl_4aa14648113e45b",
          details: { mail_type: "usps_first_class", size: "4x6" },
        },
      },
    });
    expect(creative.resource_type).toBe("postcard");
    const uploadId = await createUploadWithFile(campaignId);
    await ok("POST", `/campaigns/${campaignId}/send`, 200);
    await waitFor(
      () => ok("GET", `/uploads/${uploadId}`, 200),
      (u) => u.state === "Scheduled",
    );

    emulator.advanceClock(5 * 60_000 + 1_000);
    const late = await api.call("DELETE", `/campaigns/${campaignId}`);
    expect(late.status).toBe(422);
    expect((late.body as { error: { code: string } }).error.code).toBe("not_deletable");
    const still = await ok("GET", `/uploads/${uploadId}`, 200);
    expect(still.state).toBe("Scheduled");
  });

  it("every response in the flow matches Lob's OpenAPI document", () => {
    expect(api.exchanges.length).toBeGreaterThan(12);
    expect(findContractViolations(api.exchanges)).toEqual([]);
  });
});
