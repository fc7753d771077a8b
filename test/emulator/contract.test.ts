/**
 * The emulator against Lob's OpenAPI document: every operation, success and error paths, driven
 * with plain fetch. Each test asserts its own status codes and shapes; the last test checks that
 * every response recorded in this file validates against the spec (see test/support).
 */
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { useEmulator } from "../support/emulator.js";
import { documentedStatuses, loadLobSpec } from "../support/openapi-contract.js";
import {
  basicAuth,
  createRecorder,
  findContractViolations,
  type RecordedExchange,
  type Recorder,
} from "../support/openapi-recorder.js";
import { LOBSTER_REQUIRED_MAPPING, NO_OPTIONAL_MAPPING } from "../support/lobster.js";

const KEY = "test_contract_key";
const LOBSTERS = readFileSync(new URL("../fixtures/lob/lobster-family.csv", import.meta.url));
const FRONT_HTML = "<html><body><p>Hello {{name}}</p></body></html>";

/** A stand-in for campaignctl's proof pipeline (tested in test/proof): the contract is the shapes. */
const STUB_PROOF = {
  pdf: new TextEncoder().encode("%PDF-1.4 stub"),
  images: [new Uint8Array([137, 80, 78, 71])],
};
const emulator = useEmulator({
  rateLimit: false,
  processingRowsPerSecond: 1_000_000,
  renderResourceProof: { render: async () => STUB_PROOF },
});
let api: Recorder;

beforeAll(() => {
  api = createRecorder(emulator.url, KEY);
});

function objectBody(ex: RecordedExchange): Record<string, unknown> {
  expect(ex.body, `${ex.method} ${ex.path} -> ${ex.status}: ${ex.text}`).toBeTypeOf("object");
  return ex.body as Record<string, unknown>;
}

function expectStatus(ex: RecordedExchange, status: number): Record<string, unknown> {
  expect(ex.status, `${ex.method} ${ex.path}: ${ex.text}`).toBe(status);
  return ex.text === "" ? {} : objectBody(ex);
}

function expectLobError(ex: RecordedExchange, status: number, code?: string): string {
  const body = expectStatus(ex, status);
  const error = body.error as Record<string, unknown>;
  expect(error, `envelope A expected: ${ex.text}`).toBeTypeOf("object");
  expect(error.status_code).toBe(status);
  if (code) expect(error.code).toBe(code);
  return String(error.message);
}

function expectPydantic(ex: RecordedExchange): Array<{ loc: unknown[]; msg: string; type: string }> {
  const body = expectStatus(ex, 422);
  expect(Object.keys(body)).toEqual(["detail"]);
  expect(Array.isArray(body.detail) && body.detail.length > 0).toBe(true);
  return body.detail as Array<{ loc: unknown[]; msg: string; type: string }>;
}

function isSnakeOrSingleWord(key: string): boolean {
  return /^[a-z0-9]+(_[a-z0-9]+)*$/.test(key);
}

const requiredMapping = LOBSTER_REQUIRED_MAPPING;
const optionalMapping = NO_OPTIONAL_MAPPING;

async function createCampaign(extra: Record<string, unknown> = {}): Promise<string> {
  const ex = await api.call("POST", "/campaigns", {
    body: { json: { name: "contract", schedule_type: "immediate", use_type: "marketing", ...extra } },
  });
  return String(expectStatus(ex, 200).id);
}

function creativeForm(campaignId: string): FormData {
  const form = new FormData();
  form.append("campaign_id", campaignId);
  form.append("resource_type", "postcard");
  form.append("description", "contract creative");
  form.append("details[mail_type]", "usps_first_class");
  form.append("details[size]", "4x6");
  form.append("front", new Blob([FRONT_HTML], { type: "text/html" }), "front.html");
  form.append("back", "tmpl_4aa14648113e45b");
  return form;
}

function csvForm(bytes: Uint8Array, filename = "lobster-family.csv"): FormData {
  const form = new FormData();
  form.append("file", new Blob([bytes], { type: "text/csv" }), filename);
  return form;
}

async function createReadyUpload(campaignId: string): Promise<string> {
  const ex = await api.call("POST", "/uploads", {
    body: {
      json: {
        campaignId,
        requiredAddressColumnMapping: requiredMapping,
        optionalAddressColumnMapping: optionalMapping,
        mergeVariableColumnMapping: { name: "recipient" },
        metadata: { columns: [] },
      },
    },
  });
  const id = String(expectStatus(ex, 201).id);
  expectStatus(
    await api.call("POST", `/uploads/${id}/file`, { body: { multipart: csvForm(LOBSTERS) } }),
    202,
  );
  return id;
}

async function pollUpload(id: string, until: (state: string) => boolean): Promise<Record<string, unknown>> {
  for (let i = 0; i < 200; i++) {
    const body = expectStatus(await api.call("GET", `/uploads/${id}`), 200);
    if (until(String(body.state))) return body;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`upload ${id} never reached the expected state`);
}

describe("emulator vs Lob OpenAPI", () => {
  describe("auth and routing", () => {
    it("401 envelope A without a key, with a malformed key, a non-Basic scheme and an empty key", async () => {
      expectLobError(await api.call("GET", "/campaigns", { key: null }), 401);
      expectLobError(await api.call("POST", "/campaigns", { key: "nope", body: { json: {} } }), 401);
      expectLobError(await api.call("GET", "/uploads/upl_1", { authorization: "Bearer test_abc" }), 401);
      expectLobError(await api.call("GET", "/campaigns/cmp_1", { authorization: basicAuth("") }), 401);
    });

    it("404 unrecognized_endpoint for routes Lob does not have (no creative list, no creative delete)", async () => {
      for (const [method, path] of [
        ["GET", "/nope"],
        ["GET", "/creatives"],
        ["DELETE", "/creatives/crv_1"],
      ] as const) {
        const ex = await api.call(method, path, { expectComponent: "error" });
        expectLobError(ex, 404, "unrecognized_endpoint");
      }
    });

    it("keys are separate worlds: another key cannot see this key's campaign", async () => {
      const id = await createCampaign();
      expectLobError(
        await api.call("GET", `/campaigns/${id}`, { key: "test_someone_else" }),
        404,
        "not_found",
      );
    });
  });

  describe("campaigns", () => {
    it("create (JSON) returns a snake_case draft campaign with empty creatives and uploads", async () => {
      const ex = await api.call("POST", "/campaigns", {
        body: {
          json: {
            name: "json",
            schedule_type: "immediate",
            use_type: "marketing",
            cancel_window_campaign_minutes: 60,
            metadata: { team: "growth" },
          },
        },
      });
      const body = expectStatus(ex, 200);
      expect(body.object).toBe("campaign");
      expect(body.is_draft).toBe(true);
      expect(body.creatives).toEqual([]);
      expect(body.uploads).toEqual([]);
      expect(body.cancel_window_campaign_minutes).toBe(60);
      expect(body.metadata).toEqual({ team: "growth" });
      expect(String(body.id)).toMatch(/^cmp_[a-zA-Z0-9]+$/);
      expect(Object.keys(body).filter((key) => !isSnakeOrSingleWord(key))).toEqual([]);
      expect(ex.contentType).toMatch(/^application\/json/);
    });

    it("create accepts form encoding with bracket metadata and multipart text fields", async () => {
      const form = await api.call("POST", "/campaigns", {
        body: {
          form: {
            name: "form",
            schedule_type: "immediate",
            cancel_window_campaign_minutes: "30",
            metadata: { a: "b" },
          },
        },
      });
      const body = expectStatus(form, 200);
      expect(body.cancel_window_campaign_minutes).toBe(30);
      expect(body.metadata).toEqual({ a: "b" });
      const multipart = new FormData();
      multipart.append("name", "multipart");
      multipart.append("schedule_type", "immediate");
      expectStatus(await api.call("POST", "/campaigns", { body: { multipart } }), 200);
    });

    it("create without schedule_type -> 422 envelope A naming the field", async () => {
      const ex = await api.call("POST", "/campaigns", { body: { json: { name: "x" } } });
      expect(expectLobError(ex, 422)).toMatch(/schedule_type/);
    });

    it("retrieve, update, unknown id, create-only field rejection", async () => {
      const id = await createCampaign();
      expect(expectStatus(await api.call("GET", `/campaigns/${id}`), 200).id).toBe(id);
      const patched = await api.call("PATCH", `/campaigns/${id}`, {
        body: { json: { description: "changed" } },
      });
      expect(expectStatus(patched, 200).description).toBe("changed");
      const formPatch = await api.call("PATCH", `/campaigns/${id}`, { body: { form: { name: "renamed" } } });
      expect(expectStatus(formPatch, 200).name).toBe("renamed");
      for (const field of ["billing_group_id", "print_speed"]) {
        const value = field === "print_speed" ? "core" : "bg_fe3079dcdd80e5ae";
        const ex = await api.call("PATCH", `/campaigns/${id}`, { body: { json: { [field]: value } } });
        expect(expectLobError(ex, 422)).toContain(field);
      }
      expectLobError(await api.call("GET", "/campaigns/cmp_doesnotexist"), 404, "not_found");
      expectLobError(
        await api.call("PATCH", "/campaigns/cmp_doesnotexist", { body: { json: { name: "x" } } }),
        404,
      );
      expectLobError(await api.call("DELETE", "/campaigns/cmp_doesnotexist"), 404, "not_found");
      expectLobError(await api.call("POST", "/campaigns/cmp_doesnotexist/send"), 404, "not_found");
    });

    it("list is a newest-first envelope with cursors and total_count on request", async () => {
      const older = await createCampaign({ name: "older" });
      const newer = await createCampaign({ name: "newer" });
      const first = expectStatus(await api.call("GET", "/campaigns?limit=1&include[]=total_count"), 200);
      expect(first.object).toBe("list");
      expect((first.data as Array<{ id: string }>).map((c) => c.id)).toEqual([newer]);
      expect(first.count).toBe(1);
      expect(Number(first.total_count)).toBeGreaterThanOrEqual(2);
      expect(first).toHaveProperty("previous_url");
      const next = new URL(String(first.next_url));
      expect(next.searchParams.get("after")).toBeTruthy();
      const second = expectStatus(await api.call("GET", `/campaigns${next.search}`), 200);
      expect((second.data as Array<{ id: string }>).map((c) => c.id)).toEqual([older]);
      const plain = expectStatus(await api.call("GET", "/campaigns"), 200);
      expect(plain).not.toHaveProperty("total_count");
    });

    it("deleting a never-sent draft returns {id, deleted:true} and it is gone afterwards", async () => {
      const id = await createCampaign();
      expect(expectStatus(await api.call("DELETE", `/campaigns/${id}`), 200)).toEqual({ id, deleted: true });
      expectLobError(await api.call("GET", `/campaigns/${id}`), 404, "not_found");
    });

    it("send without a creative or upload -> 422 envelope A", async () => {
      const id = await createCampaign();
      expectLobError(await api.call("POST", `/campaigns/${id}/send`), 422);
    });
  });

  describe("creatives", () => {
    it("create (multipart HTML front + tmpl_ back), retrieve, update, create-only rejection, one per campaign", async () => {
      const campaignId = await createCampaign();
      const created = expectStatus(
        await api.call("POST", "/creatives", { body: { multipart: creativeForm(campaignId) } }),
        200,
      );
      expect(created.object).toBe("creative");
      expect(created.resource_type).toBe("postcard");
      expect(String(created.id)).toMatch(/^crv_/);
      const details = created.details as Record<string, unknown>;
      expect(details.front_original_url).toEqual(expect.any(String));
      expect(details.back_original_url).toEqual(expect.any(String));
      const id = String(created.id);
      expect(expectStatus(await api.call("GET", `/creatives/${id}`), 200).id).toBe(id);
      const patched = await api.call("PATCH", `/creatives/${id}`, {
        body: { json: { description: "new words" } },
      });
      expect(expectStatus(patched, 200).description).toBe("new words");
      const createOnly = await api.call("PATCH", `/creatives/${id}`, {
        body: { json: { details: { size: "6x9" } } },
      });
      expect(expectLobError(createOnly, 422)).toMatch(/details/);
      const second = await api.call("POST", "/creatives", { body: { multipart: creativeForm(campaignId) } });
      expectLobError(second, 422);
      const campaign = expectStatus(await api.call("GET", `/campaigns/${campaignId}`), 200);
      expect((campaign.creatives as Array<{ id: string }>).map((c) => c.id)).toEqual([id]);
    });

    it("create via form encoding with template ids; missing details -> 422 naming details; unknown -> 404", async () => {
      const campaignId = await createCampaign();
      const missing = await api.call("POST", "/creatives", {
        body: {
          form: { campaign_id: campaignId, resource_type: "postcard", front: "tmpl_a1", back: "tmpl_b2" },
        },
      });
      expect(expectLobError(missing, 422)).toMatch(/details/);
      const ok = await api.call("POST", "/creatives", {
        body: {
          form: {
            campaign_id: campaignId,
            resource_type: "postcard",
            front: "tmpl_a1",
            back: "tmpl_b2",
            details: { mail_type: "usps_first_class" },
          },
        },
      });
      expect(expectStatus(ok, 200).campaigns).toEqual([
        expect.objectContaining({ id: campaignId, object: "campaign" }),
      ]);
      expectLobError(await api.call("GET", "/creatives/crv_doesnotexist"), 404, "not_found");
      expectLobError(
        await api.call("POST", "/creatives", { body: { json: { resource_type: "postcard" } } }),
        422,
      );
    });
  });

  describe("uploads", () => {
    it("create is 201 with camelCase keys, snake_case mapping keys, Draft and zero counters", async () => {
      const campaignId = await createCampaign();
      const ex = await api.call("POST", "/uploads", { body: { json: { campaignId } } });
      const body = expectStatus(ex, 201);
      expect(String(body.id)).toMatch(/^upl_/);
      expect(body.state).toBe("Draft");
      expect(body.mode).toBe("test");
      expect(body).not.toHaveProperty("object");
      expect(Object.keys(body).filter((key) => key.includes("_"))).toEqual([]);
      expect(body.requiredAddressColumnMapping).toEqual({
        name: null,
        address_line1: null,
        address_city: null,
        address_state: null,
        address_zip: null,
      });
      expect(body.optionalAddressColumnMapping).toEqual(optionalMapping);
      expect(body.mergeVariableColumnMapping).toBeNull();
      expect(body.metadata).toEqual({ columns: [] });
      expect([body.totalMailpieces, body.validatedMailpieces, body.failedMailpieces]).toEqual([0, 0, 0]);
    });

    it("validation errors are pydantic shape B: snake_case body, missing campaignId, form body, bad mapping", async () => {
      const snake = expectPydantic(
        await api.call("POST", "/uploads", { body: { json: { campaign_id: "cmp_1" } } }),
      );
      expect(snake.some((d) => d.loc.includes("campaignId"))).toBe(true);
      expectPydantic(await api.call("POST", "/uploads", { body: { json: {} } }));
      const campaignId = await createCampaign();
      const form = await api.call("POST", "/uploads", { body: { form: { campaignId } } });
      expect(documentedStatuses(loadLobSpec(), "POST", "/uploads")).toContain(String(form.status));
      expectPydantic(form);
      const badMapping = await api.call("POST", "/uploads", {
        body: { json: { campaignId, requiredAddressColumnMapping: { name: "recipient" } } },
      });
      expectPydantic(badMapping);
    });

    it("list is a bare array filtered by campaignId; retrieve; update; unknown id -> 404 envelope A", async () => {
      const campaignId = await createCampaign();
      const id = String(
        expectStatus(await api.call("POST", "/uploads", { body: { json: { campaignId } } }), 201).id,
      );
      const list = await api.call("GET", `/uploads?campaignId=${campaignId}`);
      expect(list.status).toBe(200);
      expect(Array.isArray(list.body)).toBe(true);
      expect((list.body as Array<{ id: string }>).map((u) => u.id)).toEqual([id]);
      expect(Array.isArray((await api.call("GET", "/uploads")).body)).toBe(true);
      expect(expectStatus(await api.call("GET", `/uploads/${id}`), 200).id).toBe(id);
      const patched = await api.call("PATCH", `/uploads/${id}`, {
        body: { json: { requiredAddressColumnMapping: requiredMapping, originalFilename: "renamed.csv" } },
      });
      const body = expectStatus(patched, 200);
      expect(body.requiredAddressColumnMapping).toEqual(requiredMapping);
      expectLobError(await api.call("GET", "/uploads/upl_doesnotexist"), 404, "not_found");
      expectLobError(
        await api.call("PATCH", "/uploads/upl_doesnotexist", { body: { json: {} } }),
        404,
        "not_found",
      );
      const stateEdit = await api.call("PATCH", `/uploads/${id}`, {
        body: { json: { campaignId: "cmp_other" } },
      });
      expectPydantic(stateEdit);
    });

    it("file upload is 202 with the one-value message; a missing file part is 422 shape B", async () => {
      const campaignId = await createCampaign();
      const id = String(
        expectStatus(await api.call("POST", "/uploads", { body: { json: { campaignId } } }), 201).id,
      );
      const ok = expectStatus(
        await api.call("POST", `/uploads/${id}/file`, { body: { multipart: csvForm(LOBSTERS) } }),
        202,
      );
      expect(ok).toEqual({ message: "File uploaded successfully", filename: expect.any(String) });
      const after = expectStatus(await api.call("GET", `/uploads/${id}`), 200);
      expect(after.originalFilename).toBe("lobster-family.csv");
      const empty = new FormData();
      empty.append("other", "x");
      expectPydantic(await api.call("POST", `/uploads/${id}/file`, { body: { multipart: empty } }));
      expectPydantic(await api.call("POST", `/uploads/${id}/file`, { body: { json: { file: "x" } } }));
    });

    it("DELETE is 204 with an empty body", async () => {
      const campaignId = await createCampaign();
      const id = String(
        expectStatus(await api.call("POST", "/uploads", { body: { json: { campaignId } } }), 201).id,
      );
      const del = await api.call("DELETE", `/uploads/${id}`);
      expect(del.status).toBe(204);
      expect(del.text).toBe("");
      expect(del.body).toBeUndefined();
      expectLobError(await api.call("GET", `/uploads/${id}`), 404, "not_found");
    });
  });

  describe("send, report, exports, delete window", () => {
    let campaignId = "";
    let uploadId = "";

    it("send returns the campaign (is_draft false) and the upload reaches Scheduled with counters", async () => {
      campaignId = await createCampaign({ cancel_window_campaign_minutes: 60 });
      expectStatus(
        await api.call("POST", "/creatives", { body: { multipart: creativeForm(campaignId) } }),
        200,
      );
      uploadId = await createReadyUpload(campaignId);
      const sent = expectStatus(await api.call("POST", `/campaigns/${campaignId}/send`), 200);
      expect(sent.is_draft).toBe(false);
      expect(sent.object).toBe("campaign");
      const upload = await pollUpload(uploadId, (s) => ["Scheduled", "Errored", "Cancelled"].includes(s));
      expect(upload.state).toBe("Scheduled");
      expect([upload.totalMailpieces, upload.validatedMailpieces, upload.failedMailpieces]).toEqual([
        10, 9, 1,
      ]);
    });

    it("report lists line items", async () => {
      const report = expectStatus(await api.call("GET", `/uploads/${uploadId}/report?status=Failed`), 200);
      const rows = report.data as Array<{ rowNumber: number; status: string }>;
      expect(rows.map((row) => [row.rowNumber, row.status])).toEqual([[10, "Failed"]]);
      expectLobError(await api.call("GET", "/uploads/upl_doesnotexist/report"), 404, "not_found");
    });

    it("export create: 200 with exportId; bad type 400 and unknown upload 404 in shape C; retrieve until done", async () => {
      const created = expectStatus(
        await api.call("POST", `/uploads/${uploadId}/exports`, { body: { json: { type: "failures" } } }),
        200,
      );
      expect(created).toEqual({ message: "Export is processing.", exportId: expect.stringMatching(/^ex_/) });
      const badType = expectStatus(
        await api.call("POST", `/uploads/${uploadId}/exports`, { body: { json: { type: 7 } } }),
        400,
      );
      expect(badType).toEqual({ code: 400, message: expect.any(String), errors: [expect.any(String)] });
      const unknown = await api.call("POST", "/uploads/upl_doesnotexist/exports", {
        body: { json: { type: "all" } },
      });
      expect(expectStatus(unknown, 404).code).toBe(404);
      let state = "in_progress";
      for (let i = 0; i < 200 && state === "in_progress"; i++) {
        const ex = expectStatus(
          await api.call("GET", `/uploads/${uploadId}/exports/${String(created.exportId)}`),
          200,
        );
        state = String(ex.state);
        if (state === "succeeded") expect(ex.s3Url).toEqual(expect.any(String));
        else await new Promise((resolve) => setTimeout(resolve, 25));
      }
      expect(state).toBe("succeeded");
    });

    it("delete inside the window is 200 and cancels the upload; after the window -> 422 not_deletable", async () => {
      const deleted = expectStatus(await api.call("DELETE", `/campaigns/${campaignId}`), 200);
      expect(deleted).toEqual({ id: campaignId, deleted: true });
      const late = await createCampaign({ cancel_window_campaign_minutes: 5 });
      expectStatus(await api.call("POST", "/creatives", { body: { multipart: creativeForm(late) } }), 200);
      const lateUpload = await createReadyUpload(late);
      expectStatus(await api.call("POST", `/campaigns/${late}/send`), 200);
      await pollUpload(lateUpload, (s) => s === "Scheduled");
      emulator.advanceClock(6 * 60_000);
      expectLobError(await api.call("DELETE", `/campaigns/${late}`), 422, "not_deletable");
      expect(expectStatus(await api.call("GET", `/campaigns/${late}`), 200).id).toBe(late);
    });
  });

  describe("resource proofs", () => {
    const to = {
      name: "Lobster",
      address_line1: "210 King St",
      address_city: "San Francisco",
      address_state: "CA",
      address_zip: "94107",
    };
    it("create is 201 and processing; retrieve until completed with a PDF url and thumbnails; bad bodies are 422", async () => {
      const created = expectStatus(
        await api.call("POST", "/resource_proofs", {
          body: {
            json: {
              resource_type: "postcard",
              resource_parameters: {
                to,
                front: FRONT_HTML,
                back: "tmpl_4aa14648113e45b",
                merge_variables: { name: "Larry" },
              },
            },
          },
        }),
        201,
      );
      expect(created.status).toBe("processing");
      expect(String(created.id)).toMatch(/^res_prf_[a-z0-9]+$/);
      let proof: Record<string, unknown> = created;
      for (let i = 0; i < 100 && proof.status === "processing"; i++) {
        await new Promise((resolve) => setTimeout(resolve, 10));
        proof = expectStatus(await api.call("GET", `/resource_proofs/${String(created.id)}`), 200);
      }
      expect(proof.status).toBe("completed");
      const pdf = await fetch(String(proof.url));
      expect(new TextDecoder().decode(await pdf.arrayBuffer())).toBe("%PDF-1.4 stub");
      expect((proof.thumbnails as unknown[]).length).toBe(1);

      const tooLong = `<html>${"x".repeat(10_001)}</html>`;
      const cases: Array<[Record<string, unknown>, RegExp]> = [
        [
          { resource_type: "postcard", resource_parameters: { to, front: tooLong, back: FRONT_HTML } },
          /front must be at most 10000/,
        ],
        [{ resource_type: "letter", resource_parameters: { to, file: FRONT_HTML } }, /from is required/],
        [{ resource_type: "check", resource_parameters: { to } }, /resource_type must be one of/],
      ];
      for (const [json, message] of cases) {
        expect(
          expectLobError(await api.call("POST", "/resource_proofs", { body: { json } }), 422, "invalid"),
        ).toMatch(message);
      }
      expectLobError(await api.call("GET", "/resource_proofs/res_prf_doesnotexist"), 404, "not_found");
    });
  });

  describe("statuses the spec leaves undocumented (CONTRACT.md §1.6: no error responses documented)", () => {
    // The spec cannot be wrong-footed here, only silent: these operations document no 404/422 at
    // all. The emulator answers with Lob's envelope A, so we hold those bodies to the shared
    // `error` schema instead of the operation's responses.
    it("unknown ids and bad queries answer envelope A 404/422", async () => {
      const campaignId = await createCampaign();
      const id = String(
        expectStatus(await api.call("POST", "/uploads", { body: { json: { campaignId } } }), 201).id,
      );
      const cases: Array<[string, string, number, string]> = [
        ["DELETE", "/uploads/upl_doesnotexist", 404, "not_found"],
        ["GET", `/uploads/${id}/exports/ex_doesnotexist`, 404, "not_found"],
        ["POST", "/uploads/upl_doesnotexist/file", 404, "not_found"],
        ["GET", "/campaigns?limit=0", 422, "invalid"],
      ];
      for (const [method, path, status, code] of cases) {
        const body = method === "POST" ? { multipart: csvForm(LOBSTERS) } : undefined;
        const ex = await api.call(method, path, { expectComponent: "error", ...(body ? { body } : {}) });
        expect(documentedStatuses(loadLobSpec(), method, path)).not.toContain(String(status));
        expectLobError(ex, status, code);
      }
    });

    it("401 on export create is envelope A, not the export shape C", async () => {
      const ex = await api.call("POST", "/uploads/upl_1/exports", {
        key: "nope",
        body: { json: { type: "all" } },
      });
      expectLobError(ex, 401);
    });
  });

  describe("rate limit", () => {
    it("429 envelope A rate_limit_exceeded once the per-endpoint budget is spent", async () => {
      emulator.setRateLimit({ requests: 2, windowMs: 60_000 });
      try {
        const key = "test_rate_limited";
        const statuses: number[] = [];
        let last: RecordedExchange | undefined;
        for (let i = 0; i < 3; i++) {
          last = await api.call("GET", "/campaigns", { key });
          statuses.push(last.status);
        }
        expect(statuses).toEqual([200, 200, 429]);
        expectLobError(last as RecordedExchange, 429, "rate_limit_exceeded");
        // Another endpoint has its own budget.
        expect((await api.call("GET", "/uploads", { key })).status).toBe(200);
      } finally {
        emulator.setRateLimit(false);
      }
    });
  });

  it("every recorded response matches Lob's OpenAPI document", () => {
    expect(api.exchanges.length).toBeGreaterThan(60);
    const statuses = new Set(api.exchanges.map((ex) => ex.status));
    for (const status of [200, 201, 202, 204, 400, 401, 404, 422, 429]) expect(statuses).toContain(status);
    expect(findContractViolations(api.exchanges)).toEqual([]);
  });
});
