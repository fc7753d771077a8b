import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { CampaignctlError, LOB_ERROR_CODES } from "../../src/core/errors.js";
import {
  codeForStatus,
  LobApiError,
  MAX_SERVER_TEXT_LENGTH,
  parseLobErrorBody,
  scrubServerText,
  sourceOfStatus,
} from "../../src/lob/errors.js";

const KEY = "test_SeCrEtKeY0123456789zz";

describe("parseLobErrorBody", () => {
  it("reads shape A (Lob envelope)", () => {
    const body = JSON.stringify({
      error: { message: "campaign not found", status_code: 404, code: "not_found" },
    });
    expect(parseLobErrorBody(body)).toEqual({ message: "campaign not found", lobCode: "not_found" });
  });

  it("reads shape B (pydantic detail) as field: message", () => {
    const body = JSON.stringify({
      detail: [
        { loc: ["body", "campaignId"], msg: "field required", type: "value_error.missing" },
        {
          loc: ["body", "requiredAddressColumnMapping", "address_zip"],
          msg: "none is not allowed",
          type: "type_error",
        },
      ],
    });
    expect(parseLobErrorBody(body)).toEqual({
      message: "campaignId: field required; requiredAddressColumnMapping.address_zip: none is not allowed",
      lobCode: "value_error.missing",
    });
  });

  it("reads shape C (export errors)", () => {
    const body = JSON.stringify({
      code: 400,
      message: "Invalid body, check 'errors' property for more info.",
      errors: ["type must be a string"],
    });
    expect(parseLobErrorBody(body)).toEqual({
      message: "Invalid body, check 'errors' property for more info.: type must be a string",
      lobCode: "400",
    });
  });

  it("reads non-JSON and empty bodies", () => {
    expect(parseLobErrorBody("<html><body><h1>502 Bad Gateway</h1></body></html>").message).toBe(
      "502 Bad Gateway",
    );
    expect(parseLobErrorBody("")).toEqual({ message: undefined, lobCode: undefined });
    expect(parseLobErrorBody("[1,2]").message).toBe("[1,2]");
  });
});

describe("codeForStatus", () => {
  it("maps statuses to stable codes", () => {
    expect([401, 403, 404, 429, 422, 400, 500, 503, 0, 302].map(codeForStatus)).toEqual([
      "LOB_AUTH",
      "LOB_AUTH",
      "LOB_NOT_FOUND",
      "LOB_RATE_LIMITED",
      "LOB_VALIDATION",
      "LOB_VALIDATION",
      "LOB_SERVER",
      "LOB_SERVER",
      "LOB_NETWORK",
      "LOB_UNEXPECTED",
    ]);
  });
});

describe("whose move a failure is", () => {
  it("puts no response, a 5xx and a 429 (Lob's limit) on Lob's side; other 4xx on the user's", () => {
    expect([0, 429, 500, 503, 400, 401, 404, 422, 302].map(sourceOfStatus)).toEqual([
      "remote",
      "remote",
      "remote",
      "remote",
      "user",
      "user",
      "user",
      "user",
      "user",
    ]);
    const limited = new LobApiError({
      code: "LOB_RATE_LIMITED",
      status: 429,
      lobCode: "rate_limit_exceeded",
      message: "Rate limit exceeded",
      method: "GET",
      path: "/campaigns",
      endpoint: "GET /campaigns",
      retryable: true,
      ambiguous: false,
    });
    expect(limited.source).toBe("remote");
  });

  it("has one list of LOB_* codes, and codeForStatus stays inside it", () => {
    expect(LOB_ERROR_CODES).toEqual([
      "LOB_AUTH",
      "LOB_NOT_FOUND",
      "LOB_RATE_LIMITED",
      "LOB_VALIDATION",
      "LOB_SERVER",
      "LOB_NETWORK",
      "LOB_UNEXPECTED",
    ]);
    for (const status of [0, 200, 302, 400, 401, 403, 404, 409, 422, 429, 500, 599]) {
      expect(LOB_ERROR_CODES).toContain(codeForStatus(status));
    }
  });
});

describe("LobApiError", () => {
  const err = new LobApiError({
    code: "LOB_AUTH",
    status: 401,
    lobCode: "unauthorized",
    message: `key ${KEY} is not valid`,
    method: "GET",
    path: `/campaigns?token=${KEY}`,
    endpoint: "GET /campaigns",
    retryable: false,
    ambiguous: false,
    secrets: [KEY],
  });

  it("is a CampaignctlError with a hint", () => {
    expect(err).toBeInstanceOf(CampaignctlError);
    expect(err.code).toBe("LOB_AUTH");
    expect(err.hint).toContain("LOB_API_KEY");
    expect(err.path).toBe("/campaigns");
  });

  it("never shows the key in message, JSON, inspect or stack", () => {
    for (const text of [err.message, JSON.stringify(err), inspect(err), String(err.stack), `${err}`]) {
      expect(text).not.toContain(KEY);
      expect(text).not.toContain("SeCrEtKeY");
    }
    expect(err.message).toContain("[REDACTED]");
  });
});

describe("server text shown to users (scrubServerText via parseLobErrorBody)", () => {
  const ROW = "Jane Doe,1 Main St,Springfield,IL,62701";

  it("drops reflected Authorization headers, Basic tokens and audience rows", () => {
    const body = [
      "Bad gateway. Request was:",
      "POST /v1/uploads/upl_1/file HTTP/1.1",
      "Authorization: Basic dGVzdF9zZWNyZXQ6",
      'X-Debug: {"authorization": "Bearer abc.def.ghi"}',
      "",
      "name,address_line1,city,state,zip",
      ROW,
      "John Roe\t2 Oak Ave\tPortland\tOR\t97201",
    ].join("\n");
    const { message } = parseLobErrorBody(body);
    expect(message).toBeDefined();
    for (const secret of [
      "dGVzdF9zZWNyZXQ6",
      "abc.def.ghi",
      "Jane Doe",
      "Springfield",
      "Portland",
      "address_line1",
    ]) {
      expect(message).not.toContain(secret);
    }
    expect(message).toContain("Bad gateway");
    expect(message).toContain("[row-like text removed]");
    expect(message).not.toMatch(/[\r\n]/);
  });

  it("removes a row quoted inside a JSON error message, keeping the rest", () => {
    const { message } = parseLobErrorBody(
      JSON.stringify({ error: { message: `invalid row: ${ROW}`, status_code: 422, code: "bad_row" } }),
    );
    expect(message).not.toContain("Jane");
    expect(message).toContain("invalid row");
  });

  it("keeps ordinary prose with commas", () => {
    const text = "name, address_line1, and zip are required; see https://docs.lob.com";
    expect(parseLobErrorBody(JSON.stringify({ error: { message: text } })).message).toBe(text);
  });

  it("bounds any server text to one line of MAX_SERVER_TEXT_LENGTH characters", () => {
    const long = `${"word ".repeat(2000)}\n${"more ".repeat(100)}`;
    const { message } = parseLobErrorBody(long);
    expect(message!.length).toBeLessThanOrEqual(MAX_SERVER_TEXT_LENGTH);
    expect(message).not.toContain("\n");
    expect(scrubServerText("a\u0000b\u001b[31mc")).toBe("a b [31mc");
  });

  it("LobApiError redacts the key in base64 too", () => {
    const err = new LobApiError({
      code: "LOB_SERVER",
      status: 500,
      lobCode: undefined,
      message: `echo ${Buffer.from(`${KEY}:`).toString("base64")}`,
      method: "POST",
      path: "/campaigns",
      endpoint: "POST /campaigns",
      retryable: true,
      ambiguous: true,
      secrets: [KEY],
    });
    expect(err.message).toBe("echo [REDACTED]");
  });
});
