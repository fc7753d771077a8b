/**
 * Our Lob client against Lob's OpenAPI document: the client runs the whole campaign flow against
 * the emulator through a recording proxy, and every request body it put on the wire must validate
 * against the operation's requestBody schema for the content type it chose (and every response
 * it received against the response schema).
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLobClient, type LobClient } from "../../src/lob/client.js";
import { checkRequest, checkResponse, findOperation, loadLobSpec } from "../support/openapi-contract.js";
import { useEmulator } from "../support/emulator.js";
import { startRecordingProxy, type RecordingProxy } from "../support/openapi-proxy.js";
import { LOBSTER_CSV, LOBSTER_REQUIRED_MAPPING, NO_OPTIONAL_MAPPING } from "../support/lobster.js";

const LOBSTERS = LOBSTER_CSV;

const emulator = useEmulator({
  rateLimit: false,
  processingRowsPerSecond: 1_000_000,
  // A stand-in for the proof pipeline (test/proof covers it): here only the wire matters.
  renderResourceProof: { render: async () => ({ pdf: new TextEncoder().encode("%PDF-1.4"), images: [] }) },
});
let proxy: RecordingProxy;
let client: LobClient;
let dir: string;

beforeAll(async () => {
  proxy = await startRecordingProxy(emulator.url);
  client = createLobClient({
    apiKey: "test_client_contract",
    baseUrl: proxy.url,
    maxAttempts: 1,
    rateLimit: false,
  });
  dir = await mkdtemp(join(tmpdir(), "lob-contract-"));
});

afterAll(async () => {
  await proxy?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  for (let i = 0; i < 400; i++) {
    const value = await read();
    if (done(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error("condition not reached within 10 s");
}

describe("our Lob client vs Lob OpenAPI", () => {
  it("runs the whole flow through every client method", async () => {
    const campaign = await client.createCampaign({
      name: "client contract",
      schedule_type: "immediate",
      use_type: "marketing",
      cancel_window_campaign_minutes: 60,
      metadata: { team: "growth" },
      auto_cancel_if_ncoa: false,
    });
    await client.updateCampaign(campaign.id, { description: "updated", cancel_window_campaign_minutes: 30 });
    await client.getCampaign(campaign.id);
    await client.listCampaigns({ limit: 1, includeTotalCount: true });
    await client.listAllCampaigns();

    const front = join(dir, "front.html");
    await writeFile(front, "<html><body>Hello {{name}}</body></html>");
    const creative = await client.createCreative(
      {
        campaign_id: campaign.id,
        resource_type: "postcard",
        back: "tmpl_4aa14648113e45b",
        description: "client creative",
        details: { mail_type: "usps_first_class", size: "4x6" },
        metadata: { team: "growth" },
      },
      { front: { path: front, filename: "front.html", contentType: "text/html" } },
    );
    await client.updateCreative(creative.id, { description: "updated creative" });
    await client.getCreative(creative.id);

    const other = await client.createCampaign({ name: "json creative", schedule_type: "immediate" });
    await client.createCreative({
      campaign_id: other.id,
      resource_type: "postcard",
      front: "tmpl_4aa14648113e45b",
      back: "tmpl_4aa14648113e45b",
      details: {},
      from: {
        name: "Lob",
        address_line1: "210 King St",
        address_city: "San Francisco",
        address_state: "CA",
        address_zip: "94107",
      },
    });

    const upload = await client.createUpload({
      campaignId: campaign.id,
      requiredAddressColumnMapping: LOBSTER_REQUIRED_MAPPING,
      optionalAddressColumnMapping: NO_OPTIONAL_MAPPING,
      mergeVariableColumnMapping: { name: "recipient" },
      metadata: { columns: [] },
    });
    await client.updateUpload(upload.id, { mergeVariableColumnMapping: { name: "recipient" } });
    await client.listUploads(campaign.id);
    await client.uploadFile(upload.id, { path: LOBSTERS, filename: "lobster-family.csv" });
    await client.sendCampaign(campaign.id);
    const done = await until(
      () => client.getUpload(upload.id),
      (u) => u.state === "Scheduled" || u.state === "Errored",
    );
    expect(done.failedMailpieces).toBe(1);
    await client.getReport(upload.id, { status: "Failed", limit: 10, offset: 0 });
    const exp = await client.createExport(upload.id, "failures");
    const finished = await until(
      () => client.getExport(upload.id, exp.exportId),
      (e) => e.state !== "in_progress",
    );
    const dest = join(dir, "failures.csv");
    await client.downloadToFile(String(finished.s3Url), dest);
    expect((await readFile(dest, "utf8")).length).toBeGreaterThan(0);

    const proof = await client.createResourceProof({
      resource_type: "postcard",
      resource_parameters: {
        to: {
          name: "Larry Lobster",
          address_line1: "210 King St",
          address_city: "San Francisco",
          address_state: "CA",
          address_zip: "94107",
        },
        front: "<html><body>Hello {{name}}</body></html>",
        back: "tmpl_4aa14648113e45b",
        size: "4x6",
        merge_variables: { name: "Larry" },
      },
    });
    const rendered = await until(
      () => client.getResourceProof(proof.id),
      (p) => p.status !== "processing",
    );
    expect(rendered.status).toBe("completed");
    await client.downloadToFile(String(rendered.url), join(dir, "proof.pdf"));
    expect(await readFile(join(dir, "proof.pdf"), "utf8")).toBe("%PDF-1.4");
    await client.deleteCampaign(campaign.id);

    const spare = await client.createUpload({ campaignId: other.id });
    await client.deleteUpload(spare.id);
  });

  it("every request body the client sent validates against the operation's requestBody", () => {
    const spec = loadLobSpec();
    const operations = new Set<string>();
    const failures: string[] = [];
    for (const ex of proxy.exchanges) {
      const check = checkRequest(spec, {
        method: ex.method,
        path: ex.path,
        ...(ex.contentType ? { contentType: ex.contentType } : {}),
        body: ex.body,
      });
      operations.add(check.operationId);
      if (!check.ok) {
        failures.push(
          `${ex.method} ${ex.path} (${ex.contentType ?? "no body"}) ${check.operationId}:\n  - ${check.errors.join("\n  - ")}\n  body: ${JSON.stringify(ex.body)}`,
        );
      }
    }
    expect(failures).toEqual([]);
    // Every operation of the Campaigns API (and resource proofs) that the client implements was exercised.
    expect([...operations].sort()).toEqual(
      [
        "campaign_create",
        "campaign_delete",
        "campaign_retrieve",
        "campaign_send",
        "campaign_update",
        "campaigns_list",
        "creative_create",
        "creative_retrieve",
        "creative_update",
        "export_retrieve",
        "report_retrieve",
        "resource_proof_create",
        "resource_proof_retrieve",
        "upload_create",
        "upload_delete",
        "upload_export_create",
        "upload_file",
        "upload_retrieve",
        "upload_update",
        "uploads_list",
      ].sort(),
    );
  });

  it("the client chose a documented content type for every body (JSON only for uploads and exports)", () => {
    const spec = loadLobSpec();
    for (const ex of proxy.exchanges) {
      const op = findOperation(spec, ex.method, ex.path)?.operationId ?? "";
      if (["upload_create", "upload_update", "upload_export_create"].includes(op)) {
        expect(ex.contentType, `${op}`).toMatch(/^application\/json/);
      }
      if (op === "upload_file") expect(ex.contentType).toMatch(/^multipart\/form-data; boundary=/);
      if (["campaign_send", "campaign_delete", "upload_delete"].includes(op) || ex.method === "GET") {
        expect(ex.body, `${ex.method} ${ex.path} must have no body`).toBeUndefined();
      }
    }
  });

  it("every response the client received matches the spec", () => {
    const spec = loadLobSpec();
    const failures = proxy.exchanges
      .map((ex) => ({
        ex,
        check: checkResponse(
          spec,
          { method: ex.method, path: ex.path },
          {
            status: ex.status,
            body: ex.responseBody,
            ...(ex.responseContentType ? { contentType: ex.responseContentType } : {}),
          },
        ),
      }))
      .filter(({ check }) => !check.ok)
      .map(({ ex, check }) => `${ex.method} ${ex.path} -> ${ex.status}: ${check.errors.join("; ")}`);
    expect(failures).toEqual([]);
  });
});
