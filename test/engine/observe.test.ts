import { describe, expect, it } from "vitest";
import { useEmulator } from "../support/emulator.js";
import { listingIsFaster } from "../../src/engine/observe.js";
import { makeWorkspace, runInProcess, TEST_API_KEY } from "../support/workspace.js";

describe("listingIsFaster", () => {
  it("lists a small account (few sequential pages beat hundreds of rate-limited GETs)", () => {
    expect(listingIsFaster(2, 200, 50)).toBe(true);
  });
  it("GETs a few managed campaigns in a huge account (200 sequential pages are slower)", () => {
    expect(listingIsFaster(202, 300, 45)).toBe(false);
  });
  it("prefers listing on a tie (fewer requests)", () => {
    expect(listingIsFaster(0, 0, 30)).toBe(true);
  });
});

describe("observe: requests per no-op plan", () => {
  const emulator = useEmulator({ rateLimit: false });

  async function createUnmanaged(apiKey: string, count: number) {
    const auth = `Basic ${Buffer.from(`${apiKey}:`).toString("base64")}`;
    for (let i = 0; i < count; i += 1) {
      const res = await fetch(`${emulator.url}/campaigns`, {
        method: "POST",
        headers: { authorization: auth, "content-type": "application/json" },
        body: JSON.stringify({ name: `other ${i}`, schedule_type: "immediate", use_type: "marketing" }),
      });
      expect(res.status).toBe(200);
    }
  }

  it("reads three managed campaigns with one list request", async () => {
    const ws = makeWorkspace();
    const env = { LOB_API_KEY: `${TEST_API_KEY}obs1`, LOB_API_URL: emulator.url };
    try {
      for (const key of ["o-a", "o-b", "o-c"]) ws.addCampaign(key);
      expect((await runInProcess(["apply", "--auto-approve", ws.dir], { cwd: ws.dir, env })).code).toBe(0);
      emulator.clearRequests();
      const plan = await runInProcess(["plan", "--detailed-exitcode", ws.dir], { cwd: ws.dir, env });
      expect(plan.code).toBe(0);
      expect(emulator.requests().map((r) => r.endpoint)).toEqual(["GET /campaigns"]);
    } finally {
      ws.cleanup();
    }
  });

  it("switches to per-campaign GETs when the managed ones are deep in a large account", async () => {
    const ws = makeWorkspace();
    const apiKey = `${TEST_API_KEY}obs2`;
    const env = { LOB_API_KEY: apiKey, LOB_API_URL: emulator.url };
    try {
      for (const key of ["deep-a", "deep-b"]) ws.addCampaign(key);
      expect((await runInProcess(["apply", "--auto-approve", ws.dir], { cwd: ws.dir, env })).code).toBe(0);
      await createUnmanaged(apiKey, 250); // pushes ours past the first page of 100
      emulator.clearRequests();
      const plan = await runInProcess(["plan", "--detailed-exitcode", ws.dir], { cwd: ws.dir, env });
      expect(plan.code).toBe(0);
      expect(
        emulator
          .requests()
          .map((r) => r.endpoint)
          .sort(),
      ).toEqual(["GET /campaigns", "GET /campaigns/{id}", "GET /campaigns/{id}"]);
    } finally {
      ws.cleanup();
    }
  });
});
