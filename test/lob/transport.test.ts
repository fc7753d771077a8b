import { Readable } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CampaignctlError } from "../../src/core/errors.js";
import { createGate } from "../../src/lob/gate.js";
import type { Gate } from "../../src/lob/gate.js";
import type { RateLimiter } from "../../src/lob/rate-limiter.js";
import { createTransport } from "../../src/lob/transport.js";
import type { TransportEvent, TransportOptions, TransportRequest } from "../../src/lob/transport.js";
import { startFakeServer } from "./fake-server.js";
import type { FakeServer } from "./fake-server.js";

const KEY = "test_TrAnSpOrTkey12345";

let server: FakeServer;
let events: TransportEvent[];
let dates: unknown[];
beforeEach(async () => {
  server = await startFakeServer();
  events = [];
  dates = [];
});
afterEach(() => server.close());

function transport(extra: Partial<TransportOptions> = {}) {
  return createTransport({
    apiKey: KEY,
    userAgent: "campaignctl/test",
    timeoutMs: 5_000,
    gate: createGate(4),
    onEvent: (e) => events.push(e),
    onServerDate: (d) => dates.push(d),
    ...extra,
  });
}

const get = (path: string, extra: Partial<TransportRequest> = {}): TransportRequest => ({
  method: "GET",
  url: `${server.url}${path}`,
  endpoint: "GET /campaigns/{id}",
  credentials: "api-key",
  ...extra,
});

/** A limiter that grants at once and records what it was asked. */
function recordingLimiter(waitedMs = 0) {
  const log: string[] = [];
  const limiter: RateLimiter = {
    async acquire(endpoint) {
      log.push(`acquire ${endpoint}`);
      return { waitedMs, done: () => log.push(`done ${endpoint}`) };
    },
    blockUntil: () => undefined,
  };
  return { limiter, log };
}

describe("transport: one attempt", () => {
  it("sends once and returns a failure as an outcome, never retrying or throwing", async () => {
    server.reply({ status: 503, headers: { "retry-after": "1" }, body: "busy" });
    const t = transport();
    const outcome = await t.send(get("/campaigns/cmp_1"), 3);
    expect(outcome).toMatchObject({ status: 503, body: "busy", headers: { "retry-after": "1" } });
    expect(server.requests).toHaveLength(1);
    expect(events).toEqual([
      {
        type: "request",
        method: "GET",
        endpoint: "GET /campaigns/{id}",
        status: 503,
        ms: expect.any(Number),
        attempt: 3,
      },
    ]);
    expect(t.counters()).toEqual({ requests: 1, byEndpoint: { "GET /campaigns/{id}": 1 }, throttledMs: 0 });
  });

  it("reports no response as status 0 with the network code, and no trace of the key", async () => {
    server.reply({ drop: true });
    const outcome = await transport().send(get("/campaigns/cmp_1"), 1);
    expect(outcome).toMatchObject({ status: 0, networkCode: "ECONNRESET" });
    expect(JSON.stringify(outcome)).not.toContain(KEY);
    expect(events[0]).toMatchObject({ type: "request", status: 0 });
  });

  it("authenticates Lob's API, goes through the limiter and reads its Date header", async () => {
    server.reply({ status: 200, headers: { date: "Sun, 01 Mar 2026 12:00:00 GMT" }, body: { id: "cmp_1" } });
    const { limiter, log } = recordingLimiter(40);
    const t = transport({ limiter });
    const outcome = await t.send(
      get("/campaigns", {
        method: "POST",
        endpoint: "POST /campaigns",
        headers: { "Content-Type": "application/json" },
        body: '{"name":"x"}',
      }),
      1,
    );
    expect(outcome).toMatchObject({ status: 200, body: '{"id":"cmp_1"}' });
    expect(server.requests[0]?.headers.authorization).toBe(
      `Basic ${Buffer.from(`${KEY}:`).toString("base64")}`,
    );
    expect(server.requests[0]?.body.toString()).toBe('{"name":"x"}');
    expect(log).toEqual(["acquire POST /campaigns", "done POST /campaigns"]);
    expect(dates).toEqual(["Sun, 01 Mar 2026 12:00:00 GMT"]);
    expect(events[0]).toEqual({ type: "throttle", endpoint: "POST /campaigns", delayMs: 40 });
    expect(t.counters().throttledMs).toBe(40);
  });

  it("keeps the key, the limiter and the Date header out of a signed-URL fetch", async () => {
    server.reply({ status: 200, headers: { date: "Sun, 01 Mar 2026 12:00:00 GMT" }, body: "a,b\n" });
    const { limiter, log } = recordingLimiter();
    const outcome = await transport({ limiter }).send(
      get("/files/x.csv", { endpoint: "GET (download)", credentials: "none" }),
      1,
    );
    expect(outcome).toMatchObject({ status: 200, body: "a,b\n" });
    expect(server.requests[0]?.headers.authorization).toBeUndefined();
    expect(log).toEqual([]);
    expect(dates).toEqual([]);
  });

  it("opens a fresh body stream for each attempt", async () => {
    server.reply({ status: 500 }, { status: 200, body: {} });
    let opened = 0;
    const request = get("/uploads/upl_1/file", {
      method: "POST",
      body: () => {
        opened += 1;
        return Readable.from([Buffer.from(`part ${opened}`)]);
      },
    });
    const t = transport();
    await t.send(request, 1);
    await t.send(request, 2);
    expect(opened).toBe(2);
    expect(server.requests.map((r) => r.body.toString())).toEqual(["part 1", "part 2"]);
  });

  it("holds a gate slot for the whole attempt", async () => {
    const log: string[] = [];
    const inner = createGate(1);
    const gate: Gate = {
      async enter() {
        log.push("enter");
        const release = await inner.enter();
        log.push("granted");
        return () => {
          log.push("release");
          release();
        };
      },
    };
    server.fallback = () => {
      log.push("server");
      return { status: 200, body: {} };
    };
    const t = transport({ gate });
    await Promise.all([t.send(get("/campaigns/a"), 1), t.send(get("/campaigns/b"), 1)]);
    // With one slot, the second request reached the server only after the first was answered.
    expect(log).toEqual(["enter", "enter", "granted", "server", "release", "granted", "server", "release"]);
  });
});

describe("transport: streamed bodies", () => {
  it("hands a 2xx body to the sink and reads an error body as text", async () => {
    server.reply({ status: 200, body: "row,error\n" }, { status: 403, body: "<Error>AccessDenied</Error>" });
    const taken: string[] = [];
    const sink = async (body: NodeJS.ReadableStream) => {
      let text = "";
      for await (const chunk of body as AsyncIterable<Buffer>) text += chunk.toString();
      taken.push(text);
      return text.length;
    };
    const t = transport();
    const request = get("/files/x.csv", { credentials: "none", endpoint: "GET (download)", sink });
    expect(await t.send(request, 1)).toMatchObject({ status: 200, bytes: 10, body: "" });
    expect(await t.send(request, 2)).toMatchObject({ status: 403, body: "<Error>AccessDenied</Error>" });
    expect(taken).toEqual(["row,error\n"]);
  });

  it("lets a sink's CampaignctlError through; any other sink failure is a failed attempt", async () => {
    server.fallback = () => ({ status: 200, body: "data" });
    const t = transport();
    const userError = new CampaignctlError({ code: "FILE_ACCESS", message: "Could not write x: EACCES" });
    await expect(
      t.send(
        get("/f", {
          credentials: "none",
          sink: async () => {
            throw userError;
          },
        }),
        1,
      ),
    ).rejects.toBe(userError);
    const broken = await t.send(
      get("/f", {
        credentials: "none",
        sink: async () => {
          throw Object.assign(new Error("socket hang up"), { code: "ECONNRESET" });
        },
      }),
      1,
    );
    expect(broken).toMatchObject({ status: 0, networkCode: "ECONNRESET" });
  });
});
