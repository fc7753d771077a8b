import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../../src/emulator/index.js";
import type { ApiClient } from "./helpers.js";
import { apiClient, startTestEmulator } from "./helpers.js";

let emulator: RunningEmulator;
let api: ApiClient;

beforeEach(async () => {
  emulator = await startTestEmulator({ rateLimit: false });
  api = apiClient(emulator);
});
afterEach(async () => {
  await emulator.close();
});

describe("campaigns", () => {
  it("creates with 200 and the full Lob shape, and retrieves it", async () => {
    const created = await api.post("/campaigns", {
      name: "Spring",
      schedule_type: "immediate",
      use_type: "marketing",
      cancel_window_campaign_minutes: 60,
      metadata: { campaignctl_key: "spring", campaignctl_lineage: "abc" },
    });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({
      object: "campaign",
      name: "Spring",
      description: null,
      schedule_type: "immediate",
      use_type: "marketing",
      is_draft: true,
      deleted: false,
      creatives: [],
      uploads: [],
      send_date: null,
      target_delivery_date: null,
      cancel_window_campaign_minutes: 60,
      auto_cancel_if_ncoa: false,
      metadata: { campaignctl_key: "spring", campaignctl_lineage: "abc" },
    });
    expect(created.body.id).toMatch(/^cmp_[a-zA-Z0-9]+$/);
    expect(created.body.date_created).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const fetched = await api.get(`/campaigns/${created.body.id}`);
    expect(fetched.status).toBe(200);
    expect(fetched.body).toEqual(created.body);
  });

  it("is lenient: use_type omitted defaults to marketing, numeric strings for integers, unknown fields ignored", async () => {
    const created = await api.post("/campaigns", {
      name: "Lenient",
      schedule_type: "immediate",
      cancel_window_campaign_minutes: "120",
      some_future_field: true,
    });
    expect(created.status).toBe(200);
    expect(created.body.use_type).toBe("marketing");
    expect(created.body.cancel_window_campaign_minutes).toBe(120);
    expect(created.body).not.toHaveProperty("some_future_field");
  });

  it("accepts form bodies with bracket-notation metadata", async () => {
    const created = await api.call(
      "POST",
      "/campaigns",
      "name=Form&schedule_type=immediate&metadata%5Bcampaignctl_key%5D=formkey&auto_cancel_if_ncoa=true",
      { form: true },
    );
    expect(created.status).toBe(200);
    expect(created.body.metadata).toEqual({ campaignctl_key: "formkey" });
    expect(created.body.auto_cancel_if_ncoa).toBe(true);
  });

  it("accepts multipart bodies", async () => {
    const form = new FormData();
    form.append("name", "Multi");
    form.append("schedule_type", "immediate");
    form.append("metadata[k]", "v");
    const created = await api.call("POST", "/campaigns", undefined, { multipart: form });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({ name: "Multi", metadata: { k: "v" } });
  });

  it("rejects a missing schedule_type with 422 envelope A naming the field", async () => {
    const res = await api.post("/campaigns", { name: "x" });
    expect(res.status).toBe(422);
    expect(res.body.error.status_code).toBe(422);
    expect(res.body.error.code).toBe("invalid");
    expect(res.body.error.message).toContain("schedule_type");
  });

  it("rejects metadata breaking Lob's limits", async () => {
    const tooMany = Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`k${i}`, "v"]));
    expect(
      (await api.post("/campaigns", { name: "x", schedule_type: "immediate", metadata: tooMany })).status,
    ).toBe(422);
    const nested = await api.post("/campaigns", {
      name: "x",
      schedule_type: "immediate",
      metadata: { a: { b: "c" } },
    });
    expect(nested.status).toBe(422);
    expect(nested.body.error.message).toContain("metadata");
  });

  it("404s unknown ids in envelope A", async () => {
    const res = await api.get("/campaigns/cmp_doesnotexist");
    expect(res.status).toBe(404);
    expect(res.body).toEqual({
      error: { message: "campaign not found", status_code: 404, code: "not_found" },
    });
  });

  it("PATCH updates fields and rejects create-only billing_group_id and print_speed", async () => {
    const { body } = await api.post("/campaigns", { name: "A", schedule_type: "immediate" });
    const patched = await api.patch(`/campaigns/${body.id}`, {
      name: "B",
      metadata: { x: "1" },
      description: "d",
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ name: "B", metadata: { x: "1" }, description: "d" });
    for (const field of ["billing_group_id", "print_speed"]) {
      const res = await api.patch(`/campaigns/${body.id}`, {
        [field]: field === "print_speed" ? "core" : "bg_123abc",
      });
      expect(res.status).toBe(422);
      expect(res.body.error.message).toContain(field);
    }
    const after = await api.get(`/campaigns/${body.id}`);
    expect(after.body.name).toBe("B");
    expect(after.body.is_draft).toBe(true);
  });

  it("PATCH is_draft=true is refused", async () => {
    const { body } = await api.post("/campaigns", { name: "A", schedule_type: "immediate" });
    expect((await api.patch(`/campaigns/${body.id}`, { is_draft: true })).status).toBe(422);
  });

  it("deletes a draft with 200 {id, deleted:true}; then 404 and absent from lists", async () => {
    const { body } = await api.post("/campaigns", { name: "A", schedule_type: "immediate" });
    const deleted = await api.del(`/campaigns/${body.id}`);
    expect(deleted.status).toBe(200);
    expect(deleted.body).toEqual({ id: body.id, deleted: true });
    expect((await api.get(`/campaigns/${body.id}`)).status).toBe(404);
    const list = await api.get("/campaigns?include[]=total_count");
    expect(list.body.data.map((c: { id: string }) => c.id)).not.toContain(body.id);
    expect(list.body.total_count).toBe(0);
  });
});

describe("campaign list pagination", () => {
  it("walks newest first with after cursors, back with before cursors, absolute URLs", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 25; i++) {
      const res = await api.post("/campaigns", { name: `c${i}`, schedule_type: "immediate" });
      ids.push(res.body.id as string);
    }
    const newestFirst = [...ids].reverse();
    const first = await api.get("/campaigns?limit=10&include[]=total_count");
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ object: "list", count: 10, total_count: 25, previous_url: null });
    expect(first.body.data.map((c: { id: string }) => c.id)).toEqual(newestFirst.slice(0, 10));
    expect(first.body.next_url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1\/campaigns\?.*after=/);

    const seen: string[] = [];
    let url: string | null = "/campaigns?limit=10";
    let pages = 0;
    while (url) {
      const page = await api.get(url);
      seen.push(...page.body.data.map((c: { id: string }) => c.id));
      url = page.body.next_url as string | null;
      pages++;
    }
    expect(pages).toBe(3);
    expect(seen).toEqual(newestFirst);

    const second = await api.get(first.body.next_url as string);
    const back = await api.get(second.body.previous_url as string);
    expect(back.body.data.map((c: { id: string }) => c.id)).toEqual(newestFirst.slice(0, 10));

    const cursor = JSON.parse(
      Buffer.from(new URL(first.body.next_url as string).searchParams.get("after")!, "base64").toString(
        "utf8",
      ),
    );
    expect(cursor).toEqual({ dateOffset: expect.any(String), idOffset: newestFirst[9] });
  });

  it("accepts include=total_count and defaults to 10; rejects limit 0 and 101", async () => {
    for (let i = 0; i < 12; i++) await api.post("/campaigns", { name: `c${i}`, schedule_type: "immediate" });
    const res = await api.get("/campaigns?include=total_count");
    expect(res.body.count).toBe(10);
    expect(res.body.total_count).toBe(12);
    expect((await api.get("/campaigns")).body).not.toHaveProperty("total_count");
    expect((await api.get("/campaigns?limit=0")).status).toBe(422);
    expect((await api.get("/campaigns?limit=101")).status).toBe(422);
    expect((await api.get("/campaigns?after=notacursor")).status).toBe(422);
  });
});
