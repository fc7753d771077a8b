import { afterEach, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../../src/emulator/index.js";
import { apiClient, authHeader, startTestEmulator, TEST_KEY } from "./helpers.js";

let emulator: RunningEmulator | undefined;

afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

async function start(options: Parameters<typeof startTestEmulator>[0] = {}) {
  emulator = await startTestEmulator(options);
  return { emulator, api: apiClient(emulator), admin: emulator.url.replace(/\/v1$/, "/_emulator") };
}

async function adminPost(base: string, path: string, body: unknown) {
  const res = await fetch(`${base}${path}`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe("auth and accounts", () => {
  it("401s missing or malformed keys in envelope A", async () => {
    const { emulator: e } = await start();
    const none = await fetch(`${e.url}/campaigns`);
    expect(none.status).toBe(401);
    expect(((await none.json()) as { error: { code: string; status_code: number } }).error).toMatchObject({
      code: "unauthorized",
      status_code: 401,
    });
    for (const key of ["prod_abc", "test_", "test_bad-key", "live_pub key"]) {
      const res = await fetch(`${e.url}/campaigns`, { headers: { Authorization: authHeader(key) } });
      expect(res.status).toBe(401);
    }
    const bearer = await fetch(`${e.url}/campaigns`, { headers: { Authorization: `Bearer ${TEST_KEY}` } });
    expect(bearer.status).toBe(401);
  });

  it("keeps every key in its own world; mode follows the prefix", async () => {
    const { emulator: e, api } = await start();
    const live = apiClient(e, "live_otherkey1");
    const other = apiClient(e, "test_otherkey2");
    const cmp = (await api.post("/campaigns", { name: "mine", schedule_type: "immediate" })).body
      .id as string;
    expect((await live.get(`/campaigns/${cmp}`)).status).toBe(404);
    expect((await other.get(`/campaigns/${cmp}`)).status).toBe(404);
    expect((await live.get("/campaigns")).body.count).toBe(0);
    const liveCmp = (await live.post("/campaigns", { name: "live", schedule_type: "immediate" })).body
      .id as string;
    const upload = await live.post("/uploads", { campaignId: liveCmp });
    expect(upload.body.mode).toBe("live");
    expect((await api.post("/uploads", { campaignId: liveCmp })).status).toBe(422);
  });

  it("answers unknown routes with 404 unrecognized_endpoint", async () => {
    const { api } = await start();
    for (const [method, path] of [
      ["GET", "/nothing"],
      ["GET", "/creatives"],
      ["DELETE", "/creatives/crv_abc"],
    ] as const) {
      const res = await api.call(method, path);
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe("unrecognized_endpoint");
    }
  });
});

describe("rate limit", () => {
  it("429s after N requests per key per endpoint with both header families and Retry-After", async () => {
    const { emulator: e, api } = await start({ rateLimit: { requests: 5, windowMs: 60_000 } });
    for (let i = 0; i < 5; i++) {
      const ok = await api.get("/campaigns");
      expect(ok.status).toBe(200);
      expect(ok.headers.get("x-rate-limit-remaining")).toBe(String(4 - i));
      expect(ok.headers.get("ratelimit-limit")).toBe("5");
    }
    const limited = await api.get("/campaigns");
    expect(limited.status).toBe(429);
    expect(limited.body.error).toEqual({
      message: "Rate limit exceeded. Please wait 5 seconds and try your request again.",
      status_code: 429,
      code: "rate_limit_exceeded",
    });
    for (const h of [
      "x-rate-limit-limit",
      "x-rate-limit-remaining",
      "x-rate-limit-reset",
      "ratelimit-limit",
      "ratelimit-remaining",
      "ratelimit-reset",
      "retry-after",
    ]) {
      expect(limited.headers.get(h)).not.toBeNull();
    }
    expect(Number(limited.headers.get("x-rate-limit-reset"))).toBeGreaterThan(Date.now() / 1000);
    // Another endpoint and another key have their own budgets.
    expect((await api.get("/campaigns/cmp_abc")).status).toBe(404);
    expect((await apiClient(e, "test_someoneelse").get("/campaigns")).status).toBe(200);
    e.setRateLimit(false);
    expect((await api.get("/campaigns")).status).toBe(200);
  });

  it("is on by default at 150 per 5 s and configurable through the admin route", async () => {
    const { api, admin } = await start();
    const first = await api.get("/campaigns");
    expect(first.headers.get("x-rate-limit-limit")).toBe("150");
    await adminPost(admin, "/rate-limit", { requests: 1, windowMs: 60_000 });
    expect((await api.get("/campaigns")).status).toBe(200);
    expect((await api.get("/campaigns")).status).toBe(429);
    await adminPost(admin, "/rate-limit", { enabled: false });
    expect((await api.get("/campaigns")).status).toBe(200);
  });
});

describe("faults", () => {
  it("500, 503 and 429 answer in envelope A without processing the request", async () => {
    const { emulator: e, api } = await start();
    for (const [kind, status] of [
      ["500", 500],
      ["503", 503],
      ["429", 429],
    ] as const) {
      e.injectNext(kind);
      const res = await api.post("/campaigns", { name: "x", schedule_type: "immediate" });
      expect(res.status).toBe(status);
      expect(res.body.error.status_code).toBe(status);
    }
    expect((await api.get("/campaigns?include[]=total_count")).body.total_count).toBe(0);
  });

  it("reset_before drops the connection and commits nothing", async () => {
    const { emulator: e, api } = await start();
    e.injectNext("reset_before", { endpoint: "POST /campaigns" });
    await expect(api.post("/campaigns", { name: "x", schedule_type: "immediate" })).rejects.toThrow();
    expect((await api.get("/campaigns?include[]=total_count")).body.total_count).toBe(0);
    const log = e.requests().filter((r) => r.endpoint === "POST /campaigns");
    expect(log).toEqual([expect.objectContaining({ status: 0, fault: "reset_before" })]);
  });

  it("commit_then_drop commits, then drops: the object exists although the client saw a socket error", async () => {
    const { emulator: e, api } = await start();
    e.injectNext("commit_then_drop", { endpoint: "POST /campaigns" });
    await expect(
      api.post("/campaigns", {
        name: "ghost",
        schedule_type: "immediate",
        metadata: { campaignctl_key: "k1" },
      }),
    ).rejects.toThrow();
    const list = await api.get("/campaigns");
    expect(list.body.data).toHaveLength(1);
    expect(list.body.data[0].metadata).toEqual({ campaignctl_key: "k1" });
  });

  it("injectNext counts and endpoint filters; the admin route works too", async () => {
    const { emulator: e, api, admin } = await start();
    expect(
      (await adminPost(admin, "/faults/next", { kind: "503", count: 2, endpoint: "GET /campaigns/{id}" }))
        .status,
    ).toBe(200);
    expect((await api.get("/campaigns")).status).toBe(200);
    expect((await api.get("/campaigns/cmp_a")).status).toBe(503);
    expect((await api.get("/campaigns/cmp_b")).status).toBe(503);
    expect((await api.get("/campaigns/cmp_c")).status).toBe(404);
    expect((await adminPost(admin, "/faults/next", { kind: "nope" })).status).toBe(400);
    expect(e.requests().filter((r) => r.fault === "503")).toHaveLength(2);
  });

  it("random faults are reproducible from a seed and never touch admin routes", async () => {
    const run = async () => {
      const { emulator: e, api } = await start({ faults: { rate: 0.5, seed: 42, kinds: ["500", "503"] } });
      const statuses: number[] = [];
      for (let i = 0; i < 20; i++) statuses.push((await api.get("/campaigns")).status);
      const clock = await fetch(`${e.url.replace(/\/v1$/, "")}/_emulator/clock`);
      expect(clock.status).toBe(200);
      await e.close();
      emulator = undefined;
      return statuses;
    };
    const a = await run();
    const b = await run();
    expect(a).toEqual(b);
    expect(a.filter((s) => s !== 200).length).toBeGreaterThan(2);
    expect(a.filter((s) => s === 200).length).toBeGreaterThan(2);
  });
});

describe("controls and log", () => {
  it("latency delays API responses", async () => {
    const { emulator: e, api } = await start({ latencyMs: 150 });
    const t0 = performance.now();
    await api.get("/campaigns");
    expect(performance.now() - t0).toBeGreaterThanOrEqual(140);
    e.setLatency(0);
  });

  it("clock: advanceClock moves now(); admin route reports it", async () => {
    const { emulator: e, admin } = await start();
    const before = e.now().getTime();
    e.advanceClock(3_600_000);
    expect(e.now().getTime() - before).toBeGreaterThanOrEqual(3_600_000);
    const res = await fetch(`${admin}/clock`);
    const body = (await res.json()) as { now: string };
    expect(Date.parse(body.now) - before).toBeGreaterThanOrEqual(3_600_000);
  });

  it("logs method, path, endpoint and status only: never bodies, queries or keys", async () => {
    const lines: string[] = [];
    const { emulator: e, api, admin } = await start({ log: (l) => lines.push(l) });
    await api.post("/campaigns", { name: "Secret Name", schedule_type: "immediate" });
    await api.get("/campaigns?limit=3");
    const entries = e.requests();
    expect(entries.map((r) => [r.method, r.path, r.endpoint, r.status])).toEqual([
      ["POST", "/v1/campaigns", "POST /campaigns", 200],
      ["GET", "/v1/campaigns", "GET /campaigns", 200],
    ]);
    const all = JSON.stringify(entries) + lines.join("\n");
    expect(all).not.toContain("Secret Name");
    expect(all).not.toContain(TEST_KEY);
    expect(all).not.toContain("limit=3");
    const viaAdmin = (await (await fetch(`${admin}/requests`)).json()) as { requests: unknown[] };
    expect(viaAdmin.requests).toHaveLength(2);
    await fetch(`${admin}/requests`, { method: "DELETE" });
    expect(e.requests()).toHaveLength(0);
  });

  it("reset drops all data", async () => {
    const { api, admin } = await start();
    await api.post("/campaigns", { name: "x", schedule_type: "immediate" });
    expect((await adminPost(admin, "/reset", {})).status).toBe(200);
    expect((await api.get("/campaigns")).body.count).toBe(0);
  });
});
