import { describe, expect, it } from "vitest";
import { planApply } from "../../src/plan/plan-apply.js";
import type { PlannedAction } from "../../src/plan/types.js";
import { renderPlanText } from "../../src/render/plan-text.js";
import {
  aCampaign,
  aCreative,
  aDesiredCampaign,
  anAppliedRecord,
  aState,
  inputs,
  NOW,
  observedOf,
} from "./builders.js";

const kinds = (actions: readonly PlannedAction[]) =>
  actions.map((a) => `${a.kind}${"resource" in a ? `:${a.resource}` : ""}`);

describe("planApply", () => {
  it("creates campaign, creative, upload and file for a new key, and sends nothing by default", () => {
    const plan = planApply(inputs({ state: aState(), observed: observedOf([]) }));
    const [campaign] = plan.campaigns;
    expect(campaign!.headline).toBe("create");
    expect(kinds(campaign!.actions)).toEqual([
      "create:campaign",
      "create:creative",
      "create:upload",
      "upload_file",
    ]);
    expect(plan.summary).toMatchObject({ create: 1, update: 0, send: 0 });
    expect(plan.hasChanges).toBe(true);
    expect(campaign!.notes).toContainEqual({
      code: "send_disabled",
      text: expect.stringContaining("stays a draft"),
    });
  });

  it("is a no-op when Lob matches what was applied", () => {
    const plan = planApply(inputs());
    expect(plan.campaigns[0]!.headline).toBe("noop");
    expect(plan.campaigns[0]!.actions).toEqual([]);
    expect(plan.hasChanges).toBe(false);
    expect(renderPlanText(plan)).toContain(
      "Plan: 0 to create, 0 to update, 0 to replace, 0 to delete, 0 to SEND.",
    );
  });

  it("updates changed campaign fields in place with before/after values", () => {
    const desired = aDesiredCampaign({ campaign: { ...aDesiredCampaign().campaign, name: "Spring v2" } });
    const plan = planApply(inputs({ desired: [desired] }));
    const update = plan.campaigns[0]!.actions[0]!;
    expect(update).toMatchObject({ kind: "update", resource: "campaign", drift: false });
    expect(update.kind === "update" && update.changes).toEqual([
      { path: "name", before: "Spring", after: "Spring v2" },
    ]);
    expect(plan.campaigns[0]!.headline).toBe("update");
  });

  it("flags drift when Lob was edited outside campaignctl and restores the manifest value", () => {
    const plan = planApply(inputs({ observed: observedOf([aCampaign({ name: "Edited in dashboard" })]) }));
    const update = plan.campaigns[0]!.actions[0]!;
    expect(update).toMatchObject({ kind: "update", drift: true });
    expect(update.kind === "update" && update.changes[0]).toEqual({
      path: "name",
      before: "Edited in dashboard",
      after: "Spring",
      drift: true,
    });
  });

  it("diffs user metadata per key and ignores campaignctl's own tags", () => {
    const desired = aDesiredCampaign({
      campaign: { ...aDesiredCampaign().campaign, metadata: { team: "growth" } },
    });
    const plan = planApply(inputs({ desired: [desired] }));
    const update = plan.campaigns[0]!.actions[0]!;
    expect(update.kind === "update" && update.changes).toEqual([
      { path: "metadata.team", before: null, after: "growth" },
    ]);
  });

  it("replaces a draft when artwork changes, and shows the HTML diff", () => {
    const base = aDesiredCampaign();
    const desired = aDesiredCampaign({
      creative: {
        ...base.creative,
        artwork: { ...base.creative.artwork, front: "sha256:bbb" },
        html: { front: "<p>Hello {{first_name}}</p>" },
        contentHash: "content-2",
      },
    });
    const plan = planApply(
      inputs({
        desired: [desired],
        previousHtml: new Map([["aaa", "<p>Hi {{first_name}}</p>"]]),
        diffText: (field, before, after) => `--- ${field}\n+++ ${field}\n-${before}\n+${after}`,
      }),
    );
    const campaign = plan.campaigns[0]!;
    expect(campaign.headline).toBe("replace");
    expect(kinds(campaign.actions)).toEqual([
      "replace:campaign",
      "create:campaign",
      "create:creative",
      "create:upload",
      "upload_file",
    ]);
    expect(campaign.actions[0]!.kind === "replace" && campaign.actions[0]!.reason).toContain(
      "front changed → replaces the draft campaign",
    );
    expect(campaign.artworkDiffs.front).toContain("+<p>Hello {{first_name}}</p>");
  });

  it("says the previous artwork is not available instead of leaving two hashes, when its HTML is not kept", () => {
    const base = aDesiredCampaign();
    const desired = aDesiredCampaign({
      creative: {
        ...base.creative,
        artwork: { ...base.creative.artwork, front: "sha256:bbb" },
        html: { front: "<p>Hello {{first_name}}</p>" },
        contentHash: "content-2",
      },
    });
    const plan = planApply(
      inputs({
        desired: [desired],
        previousHtml: new Map(),
        diffText: (field, before, after) => `--- ${field}\n+++ ${field}\n-${before}\n+${after}`,
      }),
    );
    const campaign = plan.campaigns[0]!;
    expect(campaign.headline).toBe("replace");
    expect(campaign.artworkDiffs).toEqual({});
    expect(campaign.notes).toContainEqual({
      code: "previous_artwork_unavailable",
      text: expect.stringMatching(/^previous artwork front sha256:aaa… not available: HTML diff not shown/),
    });
  });

  it("replaces a draft when a create-only campaign field changes", () => {
    const desired = aDesiredCampaign({
      campaign: { ...aDesiredCampaign().campaign, billing_group_id: "bg_2" },
    });
    const plan = planApply(inputs({ desired: [desired] }));
    expect(plan.campaigns[0]!.headline).toBe("replace");
    expect(plan.summary.replace).toBe(1);
  });

  it("makes a new upload when the audience file changes", () => {
    const desired = aDesiredCampaign({ audience: { ...aDesiredCampaign().audience, sha256: "aud-2" } });
    const plan = planApply(inputs({ desired: [desired] }));
    expect(kinds(plan.campaigns[0]!.actions)).toEqual(["replace:upload", "create:upload", "upload_file"]);
    expect(plan.campaigns[0]!.headline).toBe("update");
  });

  it("patches the upload when only the column mapping changes", () => {
    const base = aDesiredCampaign();
    const desired = aDesiredCampaign({
      upload: {
        ...base.upload,
        optionalAddressColumnMapping: { address_line2: "a2", company: null, address_country: null },
      },
    });
    const plan = planApply(inputs({ desired: [desired] }));
    const update = plan.campaigns[0]!.actions[0]!;
    expect(update.kind === "update" && update.changes).toEqual([
      { path: "upload.optionalAddressColumnMapping.address_line2", before: null, after: "a2" },
    ]);
  });

  it("plans a send with the preflight piece count when enabled", () => {
    const desired = aDesiredCampaign({ send: { enabled: true, maxPieces: 100 } });
    const plan = planApply(inputs({ desired: [desired] }));
    const send = plan.campaigns[0]!.actions.find((a) => a.kind === "send");
    expect(send).toMatchObject({
      kind: "send",
      pieces: 9,
      totalRows: 10,
      cancelWindowMinutes: 120,
      cancelDeadlineIfSentNow: "2026-11-28T14:00:00.000Z",
    });
    expect(renderPlanText(plan)).toContain("until 2026-11-28T14:00:00.000Z if sent now");
    expect(renderPlanText(plan)).toContain("1 to SEND (9 pieces)");
  });

  it("blocks a send when preflight counts more pieces than send.max_pieces", () => {
    const desired = aDesiredCampaign({ send: { enabled: true, maxPieces: 5 } });
    const plan = planApply(inputs({ desired: [desired] }));
    expect(plan.campaigns[0]!.actions.some((a) => a.kind === "send")).toBe(false);
    const blocked = plan.campaigns[0]!.actions.find((a) => a.kind === "blocked");
    expect(blocked?.kind === "blocked" && blocked.reason).toContain("more than send.max_pieces (5)");
  });

  it("never plans changes to a sent campaign: they are blocked with a hint", () => {
    const sent = aCampaign({ is_draft: false, send_date: "2026-11-28T11:00:00.000Z" });
    const desired = aDesiredCampaign({
      campaign: { ...aDesiredCampaign().campaign, name: "Renamed" },
      send: { enabled: true },
    });
    const plan = planApply(
      inputs({
        desired: [desired],
        observed: observedOf([sent]),
        state: aState([anAppliedRecord({ sentAt: "2026-11-28T11:00:00.000Z" })]),
      }),
    );
    const campaign = plan.campaigns[0]!;
    expect(campaign.headline).toBe("blocked");
    expect(kinds(campaign.actions)).toEqual(["blocked"]);
    // Issue 8: a cosmetic change never gets the hint to destroy (which cancels the mailing).
    const hint = campaign.actions[0]!.kind === "blocked" ? campaign.actions[0]!.hint : "";
    expect(hint).toContain("revert these fields in the manifest");
    expect(hint).not.toContain("destroy");
    expect(plan.hasChanges).toBe(false);
  });

  it("never sends twice: a sent campaign with send.enabled plans no send", () => {
    const sent = aCampaign({ is_draft: false, send_date: NOW });
    const plan = planApply(
      inputs({
        desired: [aDesiredCampaign({ send: { enabled: true } })],
        observed: observedOf([sent]),
        state: aState([anAppliedRecord({ sentAt: NOW })]),
      }),
    );
    expect(plan.campaigns[0]!.actions).toEqual([]);
  });

  it("records a send that happened but was not recorded (lost response)", () => {
    const sent = aCampaign({ is_draft: false, send_date: NOW });
    const plan = planApply(
      inputs({ desired: [aDesiredCampaign({ send: { enabled: true } })], observed: observedOf([sent]) }),
    );
    expect(kinds(plan.campaigns[0]!.actions)).toEqual(["record_send"]);
  });

  it("adopts a campaign created by a lost response (found by tags) instead of creating another", () => {
    const orphan = aCampaign({ id: "cmp_orphan", creatives: [], uploads: [] });
    const plan = planApply(
      inputs({
        state: aState([{ key: "spring", pending: { step: "campaign", since: NOW }, applied: {} }]),
        observed: observedOf([], { tagged: new Map([["spring", [orphan]]]) }),
      }),
    );
    expect(kinds(plan.campaigns[0]!.actions)).toEqual([
      "adopt:campaign",
      "create:creative",
      "create:upload",
      "upload_file",
    ]);
  });

  it("keeps the oldest of duplicate tagged drafts and deletes the others", () => {
    const older = aCampaign({ id: "cmp_old", date_created: "2026-11-28T10:00:00.000Z" });
    const newer = aCampaign({ id: "cmp_new", date_created: "2026-11-28T10:00:01.000Z" });
    const plan = planApply(
      inputs({
        // The intent of the create whose response was lost (without one, §14 refuses instead).
        state: aState([{ key: "spring", pending: { step: "campaign", since: NOW }, applied: {} }]),
        observed: observedOf([], { tagged: new Map([["spring", [newer, older]]]) }),
      }),
    );
    const actions = plan.campaigns[0]!.actions;
    expect(actions[0]).toMatchObject({ kind: "adopt", id: "cmp_old" });
    expect(actions[1]).toMatchObject({ kind: "delete", id: "cmp_new" });
    expect(actions.filter((a) => a.kind === "adopt").map((a) => a.kind === "adopt" && a.resource)).toEqual([
      "campaign",
      "creative",
      "upload",
    ]);
  });

  it("adopts a creative and upload that exist on the campaign but not in state", () => {
    const plan = planApply(
      inputs({ state: aState([anAppliedRecord({ creativeId: undefined, uploadId: undefined })]) }),
    );
    expect(kinds(plan.campaigns[0]!.actions)).toEqual(["adopt:creative", "adopt:upload", "upload_file"]);
  });

  it("creates the missing creative of a draft", () => {
    const plan = planApply(inputs({ observed: observedOf([aCampaign({ creatives: [] })]) }));
    expect(kinds(plan.campaigns[0]!.actions)).toEqual(["create:creative"]);
  });

  it("deletes a draft whose manifest is gone, and refuses to cancel a sent one implicitly", () => {
    const other = anAppliedRecord({ key: "old", campaignId: "cmp_2" });
    const sentRecord = anAppliedRecord({ key: "sent-one", campaignId: "cmp_3", sentAt: NOW });
    const plan = planApply(
      inputs({
        desired: [],
        state: aState([other, sentRecord]),
        observed: observedOf([
          aCampaign({ id: "cmp_2" }),
          aCampaign({ id: "cmp_3", is_draft: false, send_date: NOW }),
        ]),
      }),
    );
    expect(plan.campaigns.map((c) => [c.key, c.headline])).toEqual([
      ["old", "delete"],
      ["sent-one", "blocked"],
    ]);
    const blocked = plan.campaigns[1]!.actions[0]!;
    expect(blocked.kind === "blocked" && blocked.hint).toContain("campaignctl destroy --key sent-one");
  });

  it("never re-creates and re-sends a campaign that was sent and then vanished from Lob", () => {
    const plan = planApply(
      inputs({
        desired: [aDesiredCampaign({ send: { enabled: true } })],
        state: aState([anAppliedRecord({ sentAt: NOW, cancelDeadline: "2026-11-28T14:00:00.000Z" })]),
        observed: observedOf([], { missing: new Set(["cmp_1"]) }),
      }),
    );
    const campaign = plan.campaigns[0]!;
    expect(campaign.headline).toBe("blocked");
    expect(kinds(campaign.actions)).toEqual(["blocked"]);
    expect(plan.summary.send).toBe(0);
    expect(campaign.actions[0]!.kind === "blocked" && campaign.actions[0]!.hint).toContain("new key");
  });

  it("adopts the sent one of several tagged campaigns, so a draft beside it is never sent", () => {
    const draft = aCampaign({ id: "cmp_draft", date_created: "2026-11-28T10:00:00.000Z" });
    const sent = aCampaign({
      id: "cmp_sent",
      date_created: "2026-11-28T10:00:05.000Z",
      is_draft: false,
      send_date: NOW,
    });
    const plan = planApply(
      inputs({
        desired: [aDesiredCampaign({ send: { enabled: true } })],
        state: aState([{ key: "spring", pending: { step: "campaign", since: NOW }, applied: {} }]),
        observed: observedOf([], { tagged: new Map([["spring", [draft, sent]]]) }),
      }),
    );
    const actions = plan.campaigns[0]!.actions;
    expect(actions[0]).toMatchObject({ kind: "adopt", resource: "campaign", id: "cmp_sent" });
    expect(actions[1]).toMatchObject({ kind: "delete", id: "cmp_draft" });
    expect(actions.some((a) => a.kind === "send")).toBe(false);
  });

  it("recreates a draft that was deleted outside campaignctl", () => {
    const plan = planApply(inputs({ observed: observedOf([], { missing: new Set(["cmp_1"]) }) }));
    expect(plan.campaigns[0]!.headline).toBe("create");
    expect(plan.campaigns[0]!.notes).toContainEqual({
      code: "created_anew",
      text: expect.stringContaining("no longer exists in Lob"),
    });
  });

  it("treats an inline from address as equal when Lob adds fields to it", () => {
    const from = {
      name: "Acme",
      address_line1: "1 Main St",
      address_city: "SF",
      address_state: "CA",
      address_zip: "94107",
    };
    const base = aDesiredCampaign();
    const desired = aDesiredCampaign({ creative: { ...base.creative, fields: { from } } });
    const observedCreative = aCreative({ from: { ...from, address_country: "US" } });
    const plan = planApply(
      inputs({ desired: [desired], observed: observedOf([aCampaign({ creatives: [observedCreative] })]) }),
    );
    expect(plan.campaigns[0]!.actions).toEqual([]);
  });
});
