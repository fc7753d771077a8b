import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../../src/emulator/index.js";
import type { ApiClient } from "./helpers.js";
import { apiClient, startTestEmulator } from "./helpers.js";

let emulator: RunningEmulator;
let api: ApiClient;
let cmp: string;

beforeEach(async () => {
  emulator = await startTestEmulator({ rateLimit: false });
  api = apiClient(emulator);
  cmp = (await api.post("/campaigns", { name: "c", schedule_type: "immediate" })).body.id as string;
});
afterEach(async () => {
  await emulator.close();
});

describe("creatives", () => {
  it("creates a postcard from template ids with 200 and Lob's response shape", async () => {
    const res = await api.post("/creatives", {
      campaign_id: cmp,
      resource_type: "postcard",
      front: "tmpl_front",
      back: "https://example.com/back.pdf",
      details: {},
      description: "d",
      from: "adr_210a8d4b0b76d77b",
      metadata: { k: "v" },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      object: "creative",
      resource_type: "postcard",
      description: "d",
      from: "adr_210a8d4b0b76d77b",
      metadata: { k: "v" },
      template_preview_urls: {},
      template_previews: [],
      deleted: false,
      details: {
        mail_type: "usps_first_class",
        size: "4x6",
        back_original_url: "https://example.com/back.pdf",
      },
    });
    expect(res.body.details.front_original_url).toMatch(/^http:\/\//);
    expect(res.body.campaigns).toHaveLength(1);
    expect(res.body.campaigns[0]).toMatchObject({ id: cmp, object: "campaign" });
    const campaign = await api.get(`/campaigns/${cmp}`);
    expect(campaign.body.creatives).toEqual([res.body]);
    expect((await api.get(`/creatives/${res.body.id}`)).body).toEqual(res.body);
  });

  it("stores a multipart file part (sha256, size) and serves it at *_original_url", async () => {
    const pdf = readFileSync(new URL("../fixtures/lob/us_letter_1pg.pdf", import.meta.url));
    const form = new FormData();
    form.append("campaign_id", cmp);
    form.append("resource_type", "letter");
    form.append("file", new Blob([pdf], { type: "application/pdf" }), "letter.pdf");
    form.append("details[color]", "false");
    form.append("from[name]", "Lob");
    form.append("from[address_line1]", "210 King St");
    form.append("from[address_city]", "San Francisco");
    form.append("from[address_state]", "CA");
    form.append("from[address_zip]", "94107");
    const res = await api.call("POST", "/creatives", undefined, { multipart: form });
    expect(res.status).toBe(200);
    expect(res.body.details).toMatchObject({
      color: false,
      double_sided: true,
      address_placement: "top_first_page",
    });
    const sha = createHash("sha256").update(pdf).digest("hex");
    expect(res.body.details.file_original_url).toContain(sha);
    const served = Buffer.from(
      await (await fetch(res.body.details.file_original_url as string)).arrayBuffer(),
    );
    expect(served.length).toBe(pdf.length);
    expect(createHash("sha256").update(served).digest("hex")).toBe(sha);
  });

  it("needs details (message names it) and the artwork of its type", async () => {
    const noDetails = await api.post("/creatives", {
      campaign_id: cmp,
      resource_type: "postcard",
      front: "tmpl_a",
      back: "tmpl_b",
    });
    expect(noDetails.status).toBe(422);
    expect(noDetails.body.error.message).toContain("details");
    const noBack = await api.post("/creatives", {
      campaign_id: cmp,
      resource_type: "postcard",
      front: "tmpl_a",
      details: {},
    });
    expect(noBack.body.error.message).toContain("back");
    const letterNoFrom = await api.post("/creatives", {
      campaign_id: cmp,
      resource_type: "letter",
      file: "tmpl_a",
      details: { color: true },
    });
    expect(letterNoFrom.body.error.message).toContain("from");
    const badArt = await api.post("/creatives", {
      campaign_id: cmp,
      resource_type: "postcard",
      front: "front.pdf",
      back: "tmpl_b",
      details: {},
    });
    expect(badArt.status).toBe(422);
  });

  it("names every missing required field of a letter in one 422 (details among them, as Lob's monitoring test expects)", async () => {
    const bare = await api.post("/creatives", { campaign_id: cmp, resource_type: "letter" });
    expect(bare.status).toBe(422);
    expect(bare.body.error.code).toBe("invalid");
    expect(bare.body.error.message).toBe("file, details and from are required for letter");
    const withFrom = await api.post("/creatives", {
      campaign_id: cmp,
      resource_type: "letter",
      from: "adr_210a8d4b0b76d77b",
    });
    expect(withFrom.body.error.message).toBe("file and details are required for letter");
  });

  it("holds one creative per campaign", async () => {
    const body = {
      campaign_id: cmp,
      resource_type: "postcard",
      front: "tmpl_a",
      back: "tmpl_b",
      details: {},
    };
    expect((await api.post("/creatives", body)).status).toBe(200);
    const second = await api.post("/creatives", body);
    expect(second.status).toBe(422);
    expect(second.body.error.message).toContain("already has a creative");
  });

  it("PATCH changes only from, description, metadata; anything else is 422", async () => {
    const { body } = await api.post("/creatives", {
      campaign_id: cmp,
      resource_type: "postcard",
      front: "tmpl_a",
      back: "tmpl_b",
      details: {},
    });
    const ok = await api.patch(`/creatives/${body.id}`, { description: "new", metadata: { a: "b" } });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ description: "new", metadata: { a: "b" } });
    for (const patch of [
      { front: "tmpl_z" },
      { details: { size: "6x9" } },
      { resource_type: "letter" },
      { campaign_id: cmp },
    ]) {
      const res = await api.patch(`/creatives/${body.id}`, patch);
      expect(res.status).toBe(422);
      expect(res.body.error.message).toContain(Object.keys(patch)[0]!);
    }
    expect((await api.get(`/creatives/${body.id}`)).body.details.front_original_url).toContain("tmpl_a");
  });
});
