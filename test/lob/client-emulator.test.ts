import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLobClient } from "../../src/lob/client.js";
import type { LobClient, LobClientOptions } from "../../src/lob/client.js";
import { LobApiError } from "../../src/lob/errors.js";
import type { Upload } from "../../src/lob/wire.js";
import { useEmulator } from "../support/emulator.js";
import { LOBSTER_MAPPING } from "../support/lobster.js";

const emu = useEmulator();
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "lob-emu-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

let keySeq = 0;
/** Each test gets its own key, so its own emulator account and rate-limit budget. */
function client(extra: Partial<LobClientOptions> = {}): LobClient {
  keySeq += 1;
  return createLobClient({ apiKey: `test_emuclient${keySeq}x${Date.now()}`, baseUrl: emu.url, ...extra });
}

async function failure(promise: Promise<unknown>): Promise<LobApiError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof LobApiError) return err;
    throw err;
  }
  throw new Error("expected the call to fail");
}

async function poll<T>(read: () => Promise<T>, done: (v: T) => boolean): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const value = await read();
    if (done(value)) return value;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error("poll timed out");
}

const MAPPING = LOBSTER_MAPPING;

describe("client against the emulator", () => {
  it("runs the whole campaign flow", async () => {
    const c = client();
    expect(c.mode).toBe("test");
    const campaign = await c.createCampaign({
      name: "Spring",
      schedule_type: "immediate",
      use_type: "marketing",
      cancel_window_campaign_minutes: 60,
      metadata: { campaignctl_key: "spring" },
    });
    expect(campaign.id).toMatch(/^cmp_/);
    expect(campaign.is_draft).toBe(true);

    const creative = await c.createCreative({
      campaign_id: campaign.id,
      resource_type: "postcard",
      front: "tmpl_front01",
      back: "tmpl_back01",
      details: { size: "4x6" },
    });
    expect(creative.id).toMatch(/^crv_/);
    expect((await c.getCreative(creative.id)).resource_type).toBe("postcard");
    expect((await c.updateCreative(creative.id, { description: "v2" })).description).toBe("v2");

    const upload = await c.createUpload({ campaignId: campaign.id, ...MAPPING });
    expect(upload.id).toMatch(/^upl_/);
    expect(upload.state).toBe("Draft");
    expect((await c.listUploads(campaign.id)).map((u) => u.id)).toEqual([upload.id]);

    const csv = join(dir, "audience.csv");
    const rows = [
      "recipient,primary line,city,state,zip_code",
      "Ada Lovelace,1 Main St,Springfield,IL,62701",
      "Alan Turing,2 Main St,Springfield,IL,62701",
      "Bad Row,3 Main St,Springfield,IL,nozip",
    ];
    await writeFile(csv, `${rows.join("\n")}\n`);
    let lastProgress: [number, number] = [0, 0];
    const accepted = await c.uploadFile(upload.id, {
      path: csv,
      onProgress: (s, t) => (lastProgress = [s, t]),
    });
    expect(accepted.message).toBe("File uploaded successfully");
    expect(lastProgress[0]).toBe(lastProgress[1]);
    expect(lastProgress[1]).toBeGreaterThan(0);

    const sent = await c.sendCampaign(campaign.id);
    expect(sent.is_draft).toBe(false);
    const processed: Upload = await poll(
      () => c.getUpload(upload.id),
      (u) => u.state === "Scheduled" || u.state === "Errored",
    );
    expect(processed.state).toBe("Scheduled");
    expect(processed.totalMailpieces).toBe(3);
    expect(processed.failedMailpieces).toBe(1);

    const report = await c.getReport(upload.id, { status: "Failed" });
    expect(report.data.map((r) => r.rowNumber)).toEqual([3]);

    const { exportId } = await c.createExport(upload.id, "failures");
    const done = await poll(
      () => c.getExport(upload.id, exportId),
      (e) => e.state !== "in_progress",
    );
    expect(done.state).toBe("succeeded");
    const dest = join(dir, "failures.csv");
    const { bytes } = await c.downloadToFile(done.s3Url ?? "", dest);
    const text = await readFile(dest, "utf8");
    expect(bytes).toBe(Buffer.byteLength(text));
    expect(text.split(/\r?\n/).filter((l) => l !== "")).toHaveLength(2); // header + the failed row

    expect(await c.deleteCampaign(campaign.id)).toEqual({ id: campaign.id, deleted: true });
    expect((await failure(c.getCampaign(campaign.id))).code).toBe("LOB_NOT_FOUND");
    const stats = c.stats();
    expect(stats.rateLimited429).toBe(0);
    expect(stats.byEndpoint["POST /uploads/{id}/file"]).toBe(1);
  });

  it("maps the emulator's three error shapes and a bad key", async () => {
    const c = client();
    const notFound = await failure(c.getCampaign("cmp_doesnotexist1"));
    expect(notFound).toMatchObject({ code: "LOB_NOT_FOUND", status: 404, lobCode: "not_found" });

    const shapeB = await failure(c.createUpload({} as never));
    expect(shapeB).toMatchObject({ code: "LOB_VALIDATION", status: 422 });
    expect(shapeB.message).toContain("campaignId");

    const shapeC = await failure(c.createExport("upl_doesnotexist1", "failures"));
    expect(shapeC).toMatchObject({ code: "LOB_NOT_FOUND", status: 404, lobCode: "404" });

    const bad = createLobClient({ apiKey: "nope_key", baseUrl: emu.url });
    const auth = await failure(bad.listCampaigns());
    expect(auth).toMatchObject({ code: "LOB_AUTH", status: 401 });
  });

  it("follows pagination across pages of 100", async () => {
    const c = client({ rateLimit: false });
    const ids = new Set<string>();
    for (let i = 0; i < 105; i++) {
      ids.add((await c.createCampaign({ name: `c${i}`, schedule_type: "immediate" })).id);
    }
    const before = c.stats().byEndpoint["GET /campaigns"] ?? 0;
    const all = await c.listAllCampaigns();
    expect(new Set(all.map((x) => x.id))).toEqual(ids);
    expect(all).toHaveLength(105);
    expect((c.stats().byEndpoint["GET /campaigns"] ?? 0) - before).toBe(2);
  });

  it("retries a GET through an injected 503 and flags a dropped create as ambiguous", async () => {
    const c = client({ sleep: async () => undefined });
    const made = await c.createCampaign({ name: "keep", schedule_type: "immediate" });
    emu.injectNext("503", { endpoint: "GET /campaigns/{id}" });
    expect((await c.getCampaign(made.id)).id).toBe(made.id);
    expect(c.stats().retries).toBe(1);

    emu.injectNext("commit_then_drop", { endpoint: "POST /campaigns" });
    const lost = await failure(c.createCampaign({ name: "lost-response", schedule_type: "immediate" }));
    expect(lost).toMatchObject({ code: "LOB_NETWORK", status: 0, ambiguous: true });
    // The create did land: this is why the engine must reconcile instead of re-sending.
    const names = (await c.listAllCampaigns()).map((x) => x.name);
    expect(names.filter((n) => n === "lost-response")).toHaveLength(1);
  });

  it("the client limiter prevents 429s when configured to match the server", async () => {
    emu.setRateLimit({ requests: 5, windowMs: 300 });
    try {
      // Without our limiter the server turns requests away.
      const raw = client({ rateLimit: false, maxAttempts: 1 });
      const results = await Promise.allSettled(
        Array.from({ length: 15 }, () => raw.listCampaigns({ limit: 1 })),
      );
      const rejected = results.filter((r) => r.status === "rejected");
      expect(rejected.length).toBeGreaterThan(0);
      expect(
        rejected.every(
          (r) => r.status === "rejected" && (r.reason as LobApiError).code === "LOB_RATE_LIMITED",
        ),
      ).toBe(true);

      emu.clearRequests();
      const limited = client({ rateLimit: { requests: 5, windowMs: 300 }, maxAttempts: 1 });
      await Promise.all(Array.from({ length: 15 }, () => limited.listCampaigns({ limit: 1 })));
      expect(emu.requests().filter((r) => r.status === 429)).toEqual([]);
      expect(emu.requests()).toHaveLength(15);
      expect(limited.stats().rateLimited429).toBe(0);
      expect(limited.stats().throttledMs).toBeGreaterThan(0);
    } finally {
      emu.setRateLimit({ requests: 150, windowMs: 5000 });
    }
  });
});
