import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  CONTRACT_OVERRIDES,
  GLOBAL_ERROR_STATUSES,
  LOB_SPEC_PATH,
  assertMatchesSpec,
  checkComponentSchema,
  checkRequest,
  checkResponse,
  documentedStatuses,
  findOperation,
  loadLobSpec,
} from "../support/openapi-contract.js";
import { LOB_BUNDLE_SHA256 } from "../support/lob-openapi-provenance.js";
import { prepareDocument } from "../support/openapi-transform.js";

const spec = loadLobSpec();

// The spec's own examples (components/mediaTypes and responses), copied so a mutation is visible.
const campaignExample = {
  id: "cmp_e05ee61ff80764b",
  billing_group_id: "bg_fe3079dcdd80e5ae",
  name: "My Campaign",
  description: "My Campaign's description",
  schedule_type: "immediate",
  cancel_window_campaign_minutes: 60,
  metadata: {},
  use_type: "marketing",
  is_draft: true,
  deleted: false,
  creatives: [],
  uploads: [],
  auto_cancel_if_ncoa: false,
  date_created: "2017-09-05T17:47:53.767Z",
  date_modified: "2017-09-05T17:47:53.767Z",
  object: "campaign",
};

const uploadExample = {
  id: "upl_71be866e430b11e9",
  accountId: "fa9ea650fc7b31a89f92",
  campaignId: "cmp_1933ad629bae1408",
  mode: "live",
  failuresUrl: "http://www.example.com",
  originalFilename: "my_audience.csv",
  state: "Draft",
  totalMailpieces: 100,
  failedMailpieces: 5,
  validatedMailpieces: 95,
  bytesProcessed: 17628,
  dateCreated: "2017-09-05T17:47:53.767Z",
  dateModified: "2017-09-05T17:47:53.767Z",
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
};

const creativeExample = {
  id: "crv_2a3b096c409b32c",
  description: "Our 4x6 postcard creative",
  from: "adr_210a8d4b0b76d77b",
  resource_type: "postcard",
  details: {},
  metadata: {},
  template_preview_urls: {},
  template_previews: [],
  campaigns: [],
  date_created: "2017-09-05T17:47:53.767Z",
  date_modified: "2017-09-05T17:47:53.767Z",
  object: "creative",
  deleted: false,
};

const notFound = { error: { message: "campaign not found", status_code: 404, code: "not_found" } };
const exportInProgress = {
  id: "ex_6a94fe68fd151e0f8",
  dateCreated: "2021-07-06T22:51:42.838Z",
  dateModified: "2022-07-06T22:51:42.838Z",
  deleted: false,
  s3Url: null,
  state: "in_progress",
  type: "failures",
  uploadId: "upl_71be866e430b11e9",
};

function snakeCaseKeys(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(value).map(([key, v]) => [key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), v]),
  );
}

describe("loadLobSpec", () => {
  it("loads the vendored copy made from the bundle CONTRACT.md §0 describes", () => {
    // The full bundle's own sha256 is checked by the staleness test when the bundle is present.
    const header = readFileSync(LOB_SPEC_PATH, "utf8").split("\n", 8).join("\n");
    expect(header).toContain(`# Full bundle sha256: ${LOB_BUNDLE_SHA256}\n`);
    expect(loadLobSpec()).toBe(spec);
  });
});

describe("findOperation", () => {
  it.each([
    ["POST", "/v1/campaigns", "campaign_create", "/campaigns"],
    ["GET", "/campaigns/cmp_123", "campaign_retrieve", "/campaigns/{cmp_id}"],
    ["POST", "/v1/campaigns/cmp_123/send", "campaign_send", "/campaigns/{cmp_id}/send"],
    ["GET", "http://127.0.0.1:9/v1/uploads?campaignId=cmp_1", "uploads_list", "/uploads"],
    ["POST", "/v1/uploads/upl_1/exports", "upload_export_create", "/uploads/{upl_id}/exports"],
    ["GET", "/v1/uploads/upl_1/exports/ex_1", "export_retrieve", "/uploads/{upl_id}/exports/{ex_id}"],
    ["delete", "/v1/uploads/upl_1", "upload_delete", "/uploads/{upl_id}"],
  ])("%s %s -> %s", (method, path, operationId, pathTemplate) => {
    expect(findOperation(spec, method, path)).toEqual({ operationId, pathTemplate });
  });

  it("returns undefined for routes and methods the spec does not have", () => {
    expect(findOperation(spec, "GET", "/v1/creatives")).toBeUndefined();
    expect(findOperation(spec, "DELETE", "/v1/creatives/crv_1")).toBeUndefined();
    expect(findOperation(spec, "GET", "/v1/nope")).toBeUndefined();
  });
});

describe("documentedStatuses", () => {
  it("lists the response keys of an operation", () => {
    expect(documentedStatuses(spec, "POST", "/v1/campaigns")).toEqual(["200", "default"]);
    expect(documentedStatuses(spec, "POST", "/v1/uploads")).toEqual(["201", "422"]);
    expect(documentedStatuses(spec, "DELETE", "/v1/uploads/upl_1")).toEqual(["204"]);
    expect(documentedStatuses(spec, "POST", "/v1/uploads/upl_1/exports")).toEqual(["200", "4XX"]);
    expect(documentedStatuses(spec, "GET", "/v1/nope")).toEqual([]);
  });
});

describe("checkResponse accepts the spec's own examples", () => {
  it.each([
    ["POST", "/v1/campaigns", 200, campaignExample],
    ["GET", "/v1/campaigns/cmp_e05ee61ff80764b", 200, campaignExample],
    ["GET", "/v1/campaigns/cmp_nope", 404, notFound],
    ["POST", "/v1/creatives", 200, creativeExample],
    ["POST", "/v1/uploads", 201, uploadExample],
    ["GET", "/v1/uploads", 200, [uploadExample]],
    ["GET", "/v1/uploads/upl_nope", 404, notFound],
    ["DELETE", "/v1/campaigns/cmp_e05ee61ff80764b", 200, { id: "cmp_e05ee61ff80764b", deleted: true }],
    ["POST", "/v1/uploads/upl_1/file", 202, { message: "File uploaded successfully", filename: "a.csv" }],
    [
      "POST",
      "/v1/uploads/upl_1/exports",
      200,
      { message: "Export is processing.", exportId: "ex_2dafd758ed3da9c43" },
    ],
    [
      "POST",
      "/v1/uploads/upl_1/exports",
      400,
      { code: 400, message: "Invalid body", errors: ["type must be a string"] },
    ],
    ["GET", "/v1/uploads/upl_1/exports/ex_1", 200, exportInProgress],
    [
      "POST",
      "/v1/uploads",
      422,
      { detail: [{ loc: ["body", "campaignId"], msg: "field required", type: "value_error" }] },
    ],
  ])("%s %s %i", (method, path, status, body) => {
    const check = checkResponse(
      spec,
      { method, path },
      { status, body, contentType: "application/json; charset=utf-8" },
    );
    expect(check.errors).toEqual([]);
    expect(check.ok).toBe(true);
  });

  it("accepts a campaign embedding its creative and upload, a campaign list and null-able fields", () => {
    const full = {
      ...campaignExample,
      use_type: null,
      send_date: null,
      creatives: [creativeExample],
      uploads: [uploadExample],
    };
    expect(
      checkResponse(spec, { method: "GET", path: "/v1/campaigns/cmp_1" }, { status: 200, body: full }).errors,
    ).toEqual([]);
    const list = { data: [full], object: "list", next_url: null, previous_url: null, count: 1 };
    expect(
      checkResponse(spec, { method: "GET", path: "/v1/campaigns" }, { status: 200, body: list }).errors,
    ).toEqual([]);
  });

  it("accepts an empty 204 for DELETE /uploads", () => {
    expect(
      checkResponse(spec, { method: "DELETE", path: "/v1/uploads/upl_1" }, { status: 204, body: undefined })
        .ok,
    ).toBe(true);
    expect(
      checkResponse(spec, { method: "DELETE", path: "/v1/uploads/upl_1" }, { status: 204, body: "" }).ok,
    ).toBe(true);
  });
});

describe("checkResponse rejects mutated bodies (the harness can fail)", () => {
  const campaignCreate = { method: "POST", path: "/v1/campaigns" };

  it("rejects a campaign without id", () => {
    const { id: _id, ...withoutId } = campaignExample;
    const check = checkResponse(spec, campaignCreate, { status: 200, body: withoutId });
    expect(check.ok).toBe(false);
    expect(check.operationId).toBe("campaign_create");
    expect(check.errors.join("\n")).toMatch(/missingProperty="id"/);
  });

  it("rejects is_draft of the wrong type", () => {
    const check = checkResponse(spec, campaignCreate, {
      status: 200,
      body: { ...campaignExample, is_draft: "true" },
    });
    expect(check.ok).toBe(false);
    expect(check.errors.join("\n")).toMatch(/\/is_draft must be boolean/);
  });

  it("rejects a campaign with camelCase keys and an upload with snake_case keys", () => {
    const camel = { ...campaignExample, isDraft: true } as Record<string, unknown>;
    delete camel.is_draft;
    expect(checkResponse(spec, campaignCreate, { status: 200, body: camel }).errors.join("\n")).toMatch(
      /is_draft/,
    );
    const snake = snakeCaseKeys(uploadExample);
    const check = checkResponse(spec, { method: "POST", path: "/v1/uploads" }, { status: 201, body: snake });
    expect(check.ok).toBe(false);
    expect(check.errors.join("\n")).toMatch(/missingProperty="campaignId"/);
  });

  it("rejects error bodies in another operation's shape", () => {
    const pydantic = { detail: [{ loc: ["body", "name"], msg: "required", type: "missing" }] };
    expect(checkResponse(spec, campaignCreate, { status: 422, body: pydantic }).ok).toBe(false);
    const upload422 = checkResponse(
      spec,
      { method: "POST", path: "/v1/uploads" },
      { status: 422, body: notFound },
    );
    expect(upload422.ok).toBe(false);
    const exportErr = checkResponse(
      spec,
      { method: "POST", path: "/v1/uploads/upl_1/exports" },
      { status: 404, body: notFound },
    );
    expect(exportErr.ok).toBe(false);
    const badStatusCode = { error: { ...notFound.error, status_code: "404" } };
    expect(checkResponse(spec, campaignCreate, { status: 404, body: badStatusCode }).ok).toBe(false);
  });

  it("rejects statuses the operation does not document", () => {
    const check = checkResponse(
      spec,
      { method: "GET", path: "/v1/uploads" },
      { status: 404, body: notFound },
    );
    expect(check.ok).toBe(false);
    expect(check.errors).toEqual(["undocumented status 404 for uploads_list (documented: 200)"]);
    const teapot = checkResponse(
      spec,
      { method: "POST", path: "/v1/uploads" },
      { status: 418, body: notFound },
    );
    expect(teapot.errors[0]).toMatch(/^undocumented status 418 for upload_create/);
    // 2XX/4XX ranges: export create documents 4XX but no 3XX.
    const redirect = checkResponse(
      spec,
      { method: "POST", path: "/v1/uploads/upl_1/exports" },
      { status: 302, body: {} },
    );
    expect(redirect.errors[0]).toMatch(/undocumented status 302/);
  });

  it("rejects a body on a 204, a missing body where one is documented, and a non-JSON content type", () => {
    const del = { method: "DELETE", path: "/v1/uploads/upl_1" };
    expect(checkResponse(spec, del, { status: 204, body: {} }).ok).toBe(false);
    expect(checkResponse(spec, campaignCreate, { status: 200, body: undefined }).ok).toBe(false);
    expect(
      checkResponse(spec, campaignCreate, { status: 200, body: campaignExample, contentType: "text/html" })
        .ok,
    ).toBe(false);
  });

  it("rejects wrong enum casing and one-value enums", () => {
    const upload = { method: "GET", path: "/v1/uploads/upl_1" };
    expect(
      checkResponse(spec, upload, { status: 200, body: { ...uploadExample, state: "scheduled" } }).ok,
    ).toBe(false);
    const file = { method: "POST", path: "/v1/uploads/upl_1/file" };
    expect(checkResponse(spec, file, { status: 202, body: { message: "ok", filename: "a.csv" } }).ok).toBe(
      false,
    );
    const exp = { method: "GET", path: "/v1/uploads/upl_1/exports/ex_1" };
    expect(
      checkResponse(spec, exp, { status: 200, body: { ...exportInProgress, state: "IN_PROGRESS" } }).ok,
    ).toBe(false);
  });

  it("rejects null where the spec does not allow it even with nullable translated elsewhere", () => {
    const check = checkResponse(spec, campaignCreate, {
      status: 200,
      body: { ...campaignExample, is_draft: null },
    });
    expect(check.ok).toBe(false);
    const mapping = { ...uploadExample, requiredAddressColumnMapping: null };
    expect(
      checkResponse(spec, { method: "GET", path: "/v1/uploads/upl_1" }, { status: 200, body: mapping }).ok,
    ).toBe(false);
  });

  it("reports an unknown operation", () => {
    const check = checkResponse(spec, { method: "GET", path: "/v1/nope" }, { status: 404, body: notFound });
    expect(check).toEqual({
      ok: false,
      operationId: "",
      errors: ["no operation in the spec for GET /v1/nope"],
    });
  });

  it("assertMatchesSpec throws a readable message", () => {
    expect(() =>
      assertMatchesSpec(campaignCreate, { status: 200, body: { ...campaignExample, is_draft: 1 } }),
    ).toThrow(
      /POST \/v1\/campaigns -> 200 does not match Lob's OpenAPI \(campaign_create\):\n {2}- \/is_draft must be boolean/,
    );
    expect(() => assertMatchesSpec(campaignCreate, { status: 200, body: campaignExample })).not.toThrow();
  });
});

describe("overrides (CONTRACT.md §8)", () => {
  it("every override still applies to the current spec", () => {
    expect(() => prepareDocument(spec.raw, "response")).not.toThrow();
    expect(() => prepareDocument(spec.raw, "request")).not.toThrow();
    expect(CONTRACT_OVERRIDES.map((o) => o.id)).toEqual([
      "export-s3url-nullable",
      "report-offset-not-required",
      "creative-from-optional",
      "upload-422-requires-detail",
      "campaign-deleted-requires-fields",
      "creative-details-color-optional",
      "export-message-with-period",
      "campaign-use-type-optional",
      "resource-proof-thumbnails-any-host",
    ]);
  });

  it('export create answers "Export is processing." with the period, as every Lob SDK expects', () => {
    const create = { method: "POST", path: "/v1/uploads/upl_1/exports" };
    const answer = (message: string) => ({ status: 200, body: { message, exportId: "ex_1" } });
    expect(checkResponse(spec, create, answer("Export is processing.")).errors).toEqual([]);
    expect(checkResponse(spec, create, answer("Export is processing")).ok).toBe(false);
  });

  it("§8.17 export s3Url may be null, but must still be a string when present", () => {
    const exp = { method: "GET", path: "/v1/uploads/upl_1/exports/ex_1" };
    expect(checkResponse(spec, exp, { status: 200, body: exportInProgress }).ok).toBe(true);
    expect(checkResponse(spec, exp, { status: 200, body: { ...exportInProgress, s3Url: 7 } }).ok).toBe(false);
  });

  it("§8.16 report needs no offset but still needs data/count/total_count", () => {
    const report = { method: "GET", path: "/v1/uploads/upl_1/report" };
    const row = { rowNumber: 1, status: "Failed", errorMessage: "x", mailpieceId: null, originalData: {} };
    const body = { data: [row], next_url: null, prev_url: null, count: 1, total_count: 1 };
    expect(checkResponse(spec, report, { status: 200, body }).errors).toEqual([]);
    expect(checkResponse(spec, report, { status: 200, body: { ...body, count: undefined } }).ok).toBe(false);
  });

  it("§8.10 a postcard creative may lack `from` (absent or null), a letter creative may not", () => {
    const create = { method: "POST", path: "/v1/creatives" };
    const { from: _from, ...noFrom } = creativeExample;
    expect(checkResponse(spec, create, { status: 200, body: noFrom }).errors).toEqual([]);
    expect(
      checkResponse(spec, create, { status: 200, body: { ...creativeExample, from: null } }).errors,
    ).toEqual([]);
    expect(
      checkResponse(spec, create, { status: 200, body: { ...noFrom, resource_type: "letter" } }).ok,
    ).toBe(false);
  });
});

describe("global error statuses (auth §1.1, rate limit §1.8)", () => {
  const unauthorized = { error: { message: "bad key", status_code: 401, code: "unauthorized" } };
  const limited = { error: { message: "slow down", status_code: 429, code: "rate_limit_exceeded" } };

  it("accepts envelope A 401/429 on operations that document neither", () => {
    expect(GLOBAL_ERROR_STATUSES).toEqual([401, 429, 500, 503]);
    const list = { method: "GET", path: "/v1/uploads" };
    expect(checkResponse(spec, list, { status: 401, body: unauthorized })).toEqual({
      ok: true,
      operationId: "uploads_list",
      errors: [],
    });
    expect(checkResponse(spec, list, { status: 429, body: limited }).ok).toBe(true);
  });

  it("wins over a range key whose schema cannot express it (export create 4XX is shape C, codes 400|404)", () => {
    const create = { method: "POST", path: "/v1/uploads/upl_1/exports" };
    expect(checkResponse(spec, create, { status: 401, body: unauthorized }).errors).toEqual([]);
    const shapeC = { code: 400, message: "Invalid body", errors: ["type must be a string"] };
    expect(checkResponse(spec, create, { status: 429, body: shapeC }).ok).toBe(false);
    expect(checkResponse(spec, create, { status: 400, body: shapeC }).ok).toBe(true);
    expect(checkResponse(spec, create, { status: 400, body: notFound }).ok).toBe(false);
  });

  it("still rejects other shapes and other undocumented statuses", () => {
    const list = { method: "GET", path: "/v1/campaigns" };
    expect(checkResponse(spec, list, { status: 401, body: { detail: [] } }).ok).toBe(false);
    expect(checkResponse(spec, list, { status: 403, body: unauthorized }).errors[0]).toMatch(
      /undocumented status 403 for campaigns_list/,
    );
  });
});

describe("checkRequest", () => {
  it("accepts documented bodies and content types", () => {
    const campaign = {
      name: "x",
      schedule_type: "immediate",
      use_type: "marketing",
      cancel_window_campaign_minutes: 60,
    };
    expect(
      checkRequest(spec, {
        method: "POST",
        path: "/v1/campaigns",
        contentType: "application/json",
        body: campaign,
      }).errors,
    ).toEqual([]);
    const form = {
      name: "x",
      schedule_type: "immediate",
      cancel_window_campaign_minutes: "60",
      metadata: { k: "v" },
    };
    const formCheck = checkRequest(spec, {
      method: "POST",
      path: "/v1/campaigns",
      contentType: "application/x-www-form-urlencoded",
      body: form,
    });
    expect(formCheck.errors).toEqual([]);
    expect(form.cancel_window_campaign_minutes).toBe("60");
    const upload = { campaignId: "cmp_1", mergeVariableColumnMapping: null, metadata: { columns: [] } };
    expect(
      checkRequest(spec, {
        method: "POST",
        path: "/v1/uploads",
        contentType: "application/json",
        body: upload,
      }).ok,
    ).toBe(true);
    expect(checkRequest(spec, { method: "POST", path: "/v1/campaigns/cmp_1/send", body: undefined }).ok).toBe(
      true,
    );
    const creative = {
      campaign_id: "cmp_1",
      resource_type: "postcard",
      front: "front.html",
      back: "tmpl_abc",
      details: {},
    };
    const creativeCheck = checkRequest(spec, {
      method: "POST",
      path: "/v1/creatives",
      contentType: "multipart/form-data; boundary=x",
      body: creative,
    });
    expect(creativeCheck.errors).toEqual([]);
  });

  it("rejects wrong casing, wrong content types, unknown enum values and bodies on body-less operations", () => {
    const snake = { campaign_id: "cmp_1" };
    expect(
      checkRequest(spec, {
        method: "POST",
        path: "/v1/uploads",
        contentType: "application/json",
        body: snake,
      }).ok,
    ).toBe(false);
    const formUpload = checkRequest(spec, {
      method: "POST",
      path: "/v1/uploads",
      contentType: "application/x-www-form-urlencoded",
      body: { campaignId: "cmp_1" },
    });
    expect(formUpload.errors[0]).toMatch(/not accepted by upload_create/);
    const badEnum = { name: "x", schedule_type: "whenever" };
    expect(
      checkRequest(spec, {
        method: "POST",
        path: "/v1/campaigns",
        contentType: "application/json",
        body: badEnum,
      }).ok,
    ).toBe(false);
    const send = checkRequest(spec, {
      method: "POST",
      path: "/v1/campaigns/cmp_1/send",
      contentType: "application/json",
      body: { is_draft: false },
    });
    expect(send.errors).toEqual(['campaign_send documents no request body, got {"is_draft":false}']);
    const jsonString = { name: "x", schedule_type: "immediate", cancel_window_campaign_minutes: "60" };
    expect(
      checkRequest(spec, {
        method: "POST",
        path: "/v1/campaigns",
        contentType: "application/json",
        body: jsonString,
      }).ok,
    ).toBe(false);
    expect(
      checkRequest(spec, {
        method: "PATCH",
        path: "/v1/uploads/upl_1",
        contentType: "application/json",
        body: undefined,
      }).ok,
    ).toBe(false);
  });
});

describe("checkComponentSchema", () => {
  it("validates an unrecognized_endpoint error against the shared error schema", () => {
    const body = {
      error: { message: "unrecognized endpoint", status_code: 404, code: "unrecognized_endpoint" },
    };
    expect(checkComponentSchema(spec, "error", body).ok).toBe(true);
    expect(checkComponentSchema(spec, "error", { error: { ...body.error, code: "nope" } }).ok).toBe(false);
  });
});
