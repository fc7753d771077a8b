import { describe, expect, it } from "vitest";
import {
  computeBackoff,
  computeRetryDelay,
  isIdempotentMethod,
  parseRetryAfter,
  serverRequestedDelay,
  shouldRetry,
} from "../../src/lob/retry.js";

const get = { method: "GET", idempotent: true, attempt: 1 } as const;
const post = { method: "POST", idempotent: false, attempt: 1 } as const;

describe("shouldRetry", () => {
  it.each([429, 500, 502, 503, 504])("retries idempotent requests on HTTP %i", (status) => {
    expect(shouldRetry({ ...get, status })).toBe(true);
    expect(shouldRetry({ ...get, method: "PATCH", status })).toBe(true);
    expect(shouldRetry({ ...get, method: "DELETE", status })).toBe(true);
  });

  it.each([400, 401, 403, 404, 409, 422, 501])("does not retry HTTP %i", (status) => {
    expect(shouldRetry({ ...get, status })).toBe(false);
    expect(shouldRetry({ ...post, status })).toBe(false);
  });

  it.each(["ECONNRESET", "ETIMEDOUT", "ECONNABORTED", "EPIPE"])("retries a GET on %s", (errorCode) => {
    expect(shouldRetry({ ...get, status: 0, errorCode })).toBe(true);
  });

  it("never re-sends a create after a failure the server may have processed", () => {
    for (const status of [500, 502, 503, 504]) expect(shouldRetry({ ...post, status })).toBe(false);
    for (const errorCode of ["ECONNRESET", "ETIMEDOUT", "ECONNABORTED", "EPIPE"]) {
      expect(shouldRetry({ ...post, status: 0, errorCode })).toBe(false);
    }
  });

  it("re-sends a create only on 429 or a refused connection", () => {
    expect(shouldRetry({ ...post, status: 429 })).toBe(true);
    expect(shouldRetry({ ...post, status: 0, errorCode: "ECONNREFUSED" })).toBe(true);
  });

  it("stops at maxAttempts (default 5)", () => {
    expect(shouldRetry({ ...get, status: 503, attempt: 4 })).toBe(true);
    expect(shouldRetry({ ...get, status: 503, attempt: 5 })).toBe(false);
    expect(shouldRetry({ ...get, status: 503, attempt: 2, maxAttempts: 2 })).toBe(false);
    expect(shouldRetry({ ...post, status: 429, attempt: 5 })).toBe(false);
  });

  it("does not retry unknown network failures", () => {
    expect(shouldRetry({ ...get, status: 0, errorCode: "ENOTFOUND" })).toBe(false);
    expect(shouldRetry({ ...get, status: 0, errorCode: "CERT_HAS_EXPIRED" })).toBe(false);
  });

  it("classifies methods", () => {
    expect(["GET", "patch", "DELETE"].map(isIdempotentMethod)).toEqual([true, true, true]);
    expect(isIdempotentMethod("POST")).toBe(false);
  });
});

describe("retry delays", () => {
  const now = Date.parse("2026-01-01T00:00:00Z");

  it("uses full jitter below an exponential ceiling", () => {
    expect(computeBackoff(1, () => 0.5)).toBe(250);
    expect(computeBackoff(3, () => 0.5)).toBe(1000);
    expect(computeBackoff(20, () => 0.999)).toBe(29_970);
    expect(computeBackoff(2, () => 0)).toBe(0);
  });

  it("honours Retry-After in seconds and as an HTTP date", () => {
    expect(parseRetryAfter("3", now)).toBe(3000);
    expect(parseRetryAfter(new Date(now + 7000).toUTCString(), now)).toBe(7000);
    expect(parseRetryAfter("soon", now)).toBeUndefined();
    expect(computeRetryDelay({ attempt: 1, headers: { "Retry-After": "2" }, now, random: () => 0 })).toBe(
      2000,
    );
  });

  it("reads X-Rate-Limit-Reset and ratelimit-reset as epoch seconds", () => {
    const reset = String(now / 1000 + 4);
    expect(serverRequestedDelay({ "x-rate-limit-reset": reset }, now)).toBe(4000);
    expect(serverRequestedDelay({ "RateLimit-Reset": reset }, now)).toBe(4000);
    expect(serverRequestedDelay({ "ratelimit-reset": String(now / 1000 - 10) }, now)).toBe(0);
  });

  it("caps what the server asks for and falls back to backoff without headers", () => {
    expect(computeRetryDelay({ attempt: 1, headers: { "retry-after": "3600" }, now, random: () => 0 })).toBe(
      60_000,
    );
    expect(computeRetryDelay({ attempt: 2, headers: {}, now, random: () => 0.5 })).toBe(500);
  });
});
