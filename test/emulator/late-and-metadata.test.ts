import { afterEach, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../../src/emulator/index.js";
import { apiClient, authHeader, startTestEmulator } from "./helpers.js";

/** README.md beside the emulator: the `complete_after_disconnect` fault and "Metadata after send". */
let emulator: RunningEmulator | undefined;

afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

const CAMPAIGN = { name: "Late", schedule_type: "immediate", use_type: "marketing", metadata: { k: "v" } };

describe("complete_after_disconnect", () => {
  it("answers nothing, and commits the request only after its delay", async () => {
    emulator = await startTestEmulator({ rateLimit: false });
    const api = apiClient(emulator);
    emulator.injectNext("complete_after_disconnect", { endpoint: "POST /campaigns", delayMs: 600 });
    const started = Date.now();
    const lost = await fetch(`${emulator.url}/campaigns`, {
      method: "POST",
      headers: { authorization: authHeader(), "content-type": "application/json" },
      body: JSON.stringify(CAMPAIGN),
      signal: AbortSignal.timeout(200),
    }).catch((error: unknown) => error);
    expect(lost).toBeInstanceOf(Error);
    // The client gave up; nothing exists yet.
    expect((await api.get("/campaigns?limit=10")).body.data).toEqual([]);
    await new Promise((r) => setTimeout(r, 900));
    const listed = (await api.get("/campaigns?limit=10")).body.data as { name: string; metadata: object }[];
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ name: "Late", metadata: { k: "v" } });
    expect(Date.now() - started).toBeGreaterThanOrEqual(600);
    const logged = emulator.requests().find((r) => r.fault === "complete_after_disconnect");
    expect(logged).toMatchObject({ endpoint: "POST /campaigns", status: 0 });
  });

  it("is never drawn by random faults unless listed, and can be injected over the admin route", async () => {
    emulator = await startTestEmulator({ rateLimit: false, faults: { rate: 1, seed: 3 } });
    const api = apiClient(emulator);
    // Dropped connections (reset_before, commit_then_drop) make fetch throw: that is expected here.
    for (let i = 0; i < 20; i += 1) await api.get("/campaigns?limit=1").catch(() => undefined);
    expect(emulator.requests().filter((r) => r.fault !== undefined)).toHaveLength(20);
    expect(emulator.requests().some((r) => r.fault === "complete_after_disconnect")).toBe(false);
    emulator.setFaults(null);
    const admin = emulator.url.replace(/\/v1$/, "/_emulator");
    const res = await fetch(`${admin}/faults/next`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ kind: "complete_after_disconnect", endpoint: "POST /campaigns", delayMs: 50 }),
    });
    expect(res.status).toBe(200);
  });
});

describe("metadata after send", () => {
  async function sentCampaign(): Promise<{ api: ReturnType<typeof apiClient>; id: string }> {
    emulator = await startTestEmulator({ rateLimit: false });
    const api = apiClient(emulator);
    const created = await api.post("/campaigns", CAMPAIGN);
    const id = created.body.id as string;
    // A send needs a creative and an upload with a mapped file.
    await api.post("/creatives", {
      campaign_id: id,
      resource_type: "postcard",
      front: "tmpl_front",
      back: "tmpl_back",
      details: { size: "4x6" },
    });
    const upload = await api.post("/uploads", {
      campaignId: id,
      requiredAddressColumnMapping: {
        name: "name",
        address_line1: "a1",
        address_city: "c",
        address_state: "s",
        address_zip: "z",
      },
    });
    const form = new FormData();
    form.append("file", new Blob(["name,a1,c,s,z\nAda,1 Main St,Springfield,IL,62701\n"]), "a.csv");
    await api.call("POST", `/uploads/${upload.body.id as string}/file`, undefined, { multipart: form });
    expect((await api.post(`/campaigns/${id}/send`)).status).toBe(200);
    return { api, id };
  }

  it("is refused by default (422 naming metadata); name and description still change", async () => {
    const { api, id } = await sentCampaign();
    const refused = await api.patch(`/campaigns/${id}`, { metadata: { k: "w" } });
    expect(refused.status).toBe(422);
    expect(refused.body.error.message).toContain("metadata can no longer be changed");
    expect((await api.get(`/campaigns/${id}`)).body.metadata).toEqual({ k: "v" });
    expect((await api.patch(`/campaigns/${id}`, { name: "Renamed" })).status).toBe(200);
  });

  it("is accepted when the setting says so (method and admin route)", async () => {
    const { api, id } = await sentCampaign();
    const admin = emulator!.url.replace(/\/v1$/, "/_emulator");
    const res = await fetch(`${admin}/metadata-after-send`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ accept: true }),
    });
    expect(res.status).toBe(200);
    const accepted = await api.patch(`/campaigns/${id}`, { metadata: { k: "w" } });
    expect(accepted.status).toBe(200);
    expect(accepted.body.metadata).toEqual({ k: "w" });
    emulator!.setAcceptMetadataAfterSend(false);
    expect((await api.patch(`/campaigns/${id}`, { metadata: { k: "x" } })).status).toBe(422);
  });
});
