import { describe, expect, it } from "vitest";
import type { HeaderBag } from "../../src/lob/retry.js";
import { withRetry } from "../../src/lob/with-retry.js";
import type { RetryableOutcome, RetryEvent, RetryOptions } from "../../src/lob/with-retry.js";

type Outcome = RetryableOutcome & { readonly label: string };

const ok = (label = "ok"): Outcome => ({ status: 200, label });
const http = (status: number, headers: HeaderBag = {}): Outcome => ({
  status,
  headers,
  label: `HTTP ${status}`,
});
const net = (networkCode: string): Outcome => ({ status: 0, networkCode, label: networkCode });

/** Runs withRetry over a script of outcomes; records attempts, waits and events. */
async function run(script: readonly Outcome[], options: Partial<RetryOptions> = {}) {
  const attempts: number[] = [];
  const delays: number[] = [];
  const events: RetryEvent[] = [];
  const rateLimited: Array<{ endpoint: string; headers: HeaderBag }> = [];
  const result = await withRetry(
    async (n) => {
      attempts.push(n);
      const next = script[n - 1];
      if (next === undefined) throw new Error(`attempt ${n} was not scripted`);
      return next;
    },
    {
      method: "GET",
      endpoint: "GET /campaigns/{id}",
      idempotent: true,
      sleep: async (ms) => {
        delays.push(ms);
      },
      random: () => 0.5,
      now: () => Date.parse("2026-03-01T12:00:00Z"),
      onRetry: (e) => events.push(e),
      onRateLimited: (endpoint, headers) => rateLimited.push({ endpoint, headers }),
      ...options,
    },
  );
  return { result, attempts, delays, events, rateLimited };
}

describe("withRetry", () => {
  it("returns the first 2xx without waiting", async () => {
    const r = await run([ok()]);
    expect(r.result.label).toBe("ok");
    expect(r.attempts).toEqual([1]);
    expect(r.delays).toEqual([]);
  });

  it("retries an idempotent request on 5xx and a dropped connection, backing off with full jitter", async () => {
    const r = await run([http(503), net("ECONNRESET"), http(502), ok("third time")]);
    expect(r.result.label).toBe("third time");
    expect(r.attempts).toEqual([1, 2, 3, 4]);
    // random 0.5 of ceilings 500, 1000, 2000.
    expect(r.delays).toEqual([250, 500, 1000]);
    expect(r.events).toEqual([
      { type: "retry", method: "GET", endpoint: "GET /campaigns/{id}", delayMs: 250, reason: "HTTP 503" },
      { type: "retry", method: "GET", endpoint: "GET /campaigns/{id}", delayMs: 500, reason: "ECONNRESET" },
      { type: "retry", method: "GET", endpoint: "GET /campaigns/{id}", delayMs: 1000, reason: "HTTP 502" },
    ]);
  });

  it("resolves with the last failure once the attempts run out", async () => {
    const r = await run([http(500), http(503), http(504)], { maxAttempts: 3 });
    expect(r.result).toMatchObject({ status: 504 });
    expect(r.attempts).toEqual([1, 2, 3]);
    expect(r.delays).toHaveLength(2);
  });

  it("never re-sends a create the server may have processed", async () => {
    const post = { method: "POST", endpoint: "POST /campaigns", idempotent: false };
    for (const failure of [http(500), http(503), net("ECONNRESET"), net("ETIMEDOUT")]) {
      const r = await run([failure, ok()], post);
      expect(r.result).toBe(failure);
      expect(r.attempts).toEqual([1]);
    }
  });

  it("re-sends a create after a 429 or a refused connection: Lob provably did nothing", async () => {
    const post = { method: "POST", endpoint: "POST /campaigns", idempotent: false };
    expect((await run([http(429), ok("after 429")], post)).result.label).toBe("after 429");
    expect((await run([net("ECONNREFUSED"), ok("after refusal")], post)).result.label).toBe("after refusal");
  });

  it("does not retry a 4xx other than 429", async () => {
    const r = await run([http(404), ok()]);
    expect(r.result).toMatchObject({ status: 404 });
    expect(r.attempts).toEqual([1]);
  });

  it("waits what the server asked for, reading HTTP dates against the injected clock", async () => {
    const r = await run([
      http(429, { "retry-after": "3" }),
      http(503, { "Retry-After": "Sun, 01 Mar 2026 12:00:07 GMT" }),
      ok(),
    ]);
    expect(r.delays).toEqual([3000, 7000]);
  });

  it("tells the caller of every 429 with the endpoint and headers", async () => {
    const r = await run([http(429, { "retry-after": "1" }), http(429), ok()]);
    expect(r.rateLimited).toEqual([
      { endpoint: "GET /campaigns/{id}", headers: { "retry-after": "1" } },
      { endpoint: "GET /campaigns/{id}", headers: {} },
    ]);
  });

  it("refuses a nonsensical attempt limit as a bug (INTERNAL), without attempting", async () => {
    const attempts: number[] = [];
    await expect(
      withRetry(
        async (n) => {
          attempts.push(n);
          return ok();
        },
        {
          method: "GET",
          endpoint: "GET /x",
          idempotent: true,
          maxAttempts: 0,
          sleep: async () => undefined,
          random: () => 0,
          now: () => 0,
        },
      ),
    ).rejects.toMatchObject({ code: "INTERNAL", source: "toolkit" });
    expect(attempts).toEqual([]);
  });
});
