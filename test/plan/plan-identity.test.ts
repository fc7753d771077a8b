import { describe, expect, it } from "vitest";
import { TAG_KEY, TAG_LINEAGE, TAG_PROJECT } from "../../src/core/tags.js";
import { planApply } from "../../src/plan/plan-apply.js";
import type { PlannedAction } from "../../src/plan/types.js";
import { renderPlanMarkdown } from "../../src/render/plan-markdown.js";
import { renderPlanText } from "../../src/render/plan-text.js";
import { aCampaign, aDesiredCampaign, anAppliedRecord, aState, inputs, NOW, observedOf } from "./builders.js";

/** Issue 8 in the planner: Lob decides existence; destroyed stays destroyed; ambiguous creates settle. */
const kinds = (actions: readonly PlannedAction[]) =>
  actions.map((a) => `${a.kind}${"resource" in a ? `:${a.resource}` : ""}`);

const otherLineage = (overrides: Parameters<typeof aCampaign>[0] = {}) =>
  aCampaign({
    id: "cmp_theirs",
    metadata: { [TAG_KEY]: "spring", [TAG_LINEAGE]: "lin-other", [TAG_PROJECT]: "default" },
    ...overrides,
  });

describe("before creating a campaign, Lob is asked whether one exists", () => {
  it("refuses when another lineage's campaign carries (project, key), naming it, its send, and the ways on", () => {
    const sent = otherLineage({ is_draft: false, send_date: "2026-11-27T09:00:00.000Z" });
    const plan = planApply(
      inputs({
        state: aState(),
        observed: observedOf([], { claimed: new Map([["spring", [sent]]]), complete: true }),
      }),
    );
    const [campaign] = plan.campaigns;
    expect(campaign!.headline).toBe("blocked");
    expect(kinds(campaign!.actions)).toEqual(["blocked"]);
    const blocked = campaign!.actions[0]!;
    expect(blocked.kind === "blocked" && blocked.reason).toContain(
      "campaign cmp_theirs (SENT at 2026-11-27T09:00:00.000Z) tagged with key 'spring' in project 'default'",
    );
    expect(blocked.kind === "blocked" && blocked.hint).toContain("campaignctl import spring cmp_theirs");
    expect(blocked.kind === "blocked" && blocked.hint).toContain("campaignctl state rebuild");
    expect(blocked.kind === "blocked" && blocked.hint).toContain("project: NAME");
    expect(plan.summary).toMatchObject({ create: 0, send: 0, blocked: 1 });
  });

  it("does not suggest a project file when the run has a project name", () => {
    const plan = planApply(
      inputs({
        state: aState(),
        project: "shop",
        observed: observedOf([], { claimed: new Map([["spring", [otherLineage()]]]), complete: true }),
      }),
    );
    const blocked = plan.campaigns[0]!.actions[0]!;
    expect(blocked.kind === "blocked" && blocked.reason).toContain("(a draft, not sent)");
    expect(blocked.kind === "blocked" && blocked.reason).toContain("in project 'shop'");
    expect(blocked.kind === "blocked" && blocked.hint).not.toContain("project: NAME");
  });

  it("refuses an our-lineage campaign the state has no record or intent for (an older copy of the state)", () => {
    const ours = aCampaign({ id: "cmp_newer", is_draft: false, send_date: NOW });
    const plan = planApply(
      inputs({
        state: aState(),
        observed: observedOf([], { tagged: new Map([["spring", [ours]]]), complete: true }),
      }),
    );
    expect(plan.campaigns[0]!.headline).toBe("blocked");
    const blocked = plan.campaigns[0]!.actions[0]!;
    expect(blocked.kind === "blocked" && blocked.hint).toContain("campaignctl import spring cmp_newer");
  });

  it("refuses a replace (a create) when another lineage holds the key, and deletes nothing", () => {
    const base = aDesiredCampaign();
    const desired = aDesiredCampaign({ creative: { ...base.creative, contentHash: "content-2" } });
    const plan = planApply(
      inputs({
        desired: [desired],
        observed: observedOf([aCampaign()], {
          claimed: new Map([["spring", [otherLineage()]]]),
          complete: true,
        }),
      }),
    );
    expect(kinds(plan.campaigns[0]!.actions)).toEqual(["blocked"]);
  });

  it("leaves another lineage's campaign alone when nothing is created for the key", () => {
    const plan = planApply(
      inputs({ observed: observedOf([aCampaign()], { claimed: new Map([["spring", [otherLineage()]]]) }) }),
    );
    expect(plan.campaigns[0]!.headline).toBe("noop");
    expect(plan.campaigns[0]!.actions).toEqual([]);
  });
});

describe("duplicate drafts of our lineage", () => {
  it("are deleted beside the recorded campaign; a sent duplicate is left alone and blocks the send", () => {
    const draftDup = aCampaign({ id: "cmp_dup", creatives: [], uploads: [] });
    const sentDup = aCampaign({ id: "cmp_sentdup", is_draft: false, send_date: NOW });
    const desired = aDesiredCampaign({ send: { enabled: true } });
    const plan = planApply(
      inputs({
        desired: [desired],
        observed: observedOf([aCampaign()], { tagged: new Map([["spring", [draftDup, sentDup]]]) }),
      }),
    );
    const actions = plan.campaigns[0]!.actions;
    expect(actions).toContainEqual(
      expect.objectContaining({
        kind: "delete",
        id: "cmp_dup",
        reason: expect.stringMatching(/^duplicate draft/),
      }),
    );
    expect(actions.some((a) => a.kind === "delete" && a.id === "cmp_sentdup")).toBe(false);
    expect(actions.some((a) => a.kind === "send")).toBe(false);
    const blocked = actions.find((a) => a.kind === "blocked");
    expect(blocked?.kind === "blocked" && blocked.reason).toContain(
      "cmp_sentdup also carries this key's tags",
    );
  });
});

describe("duplicate drafts of another project", () => {
  it("are left alone, even with this state's lineage", () => {
    const elsewhere = aCampaign({
      id: "cmp_shop",
      metadata: { [TAG_KEY]: "spring", [TAG_LINEAGE]: "lin-1", [TAG_PROJECT]: "shop" },
    });
    const plan = planApply(
      inputs({ observed: observedOf([aCampaign()], { tagged: new Map([["spring", [elsewhere]]]) }) }),
    );
    expect(plan.campaigns[0]!.actions).toEqual([]);
    expect(plan.campaigns[0]!.notes).toContainEqual({
      code: "other_project_draft",
      text: expect.stringContaining("draft cmp_shop carries this key's tags under project 'shop'"),
    });
  });
});

describe("a create with no answer settles before anything is decided", () => {
  const pending = { key: "spring", pending: { step: "campaign" as const, since: NOW }, applied: {} };

  it("waits while younger than the settle time (Lob's clock), and counts as a change", () => {
    const plan = planApply(
      inputs({
        state: aState([pending]),
        observed: observedOf([], { complete: true }),
        now: "2026-11-28T12:01:00.000Z",
        settleMs: 120_000,
      }),
    );
    expect(plan.campaigns[0]!.headline).toBe("wait");
    expect(plan.campaigns[0]!.actions).toEqual([
      expect.objectContaining({ kind: "wait", until: "2026-11-28T12:02:00.000Z" }),
    ]);
    expect(plan.summary.wait).toBe(1);
    expect(plan.hasChanges).toBe(true);
    expect(renderPlanText(plan)).toContain("1 waiting");
  });

  it("creates once the settle time has passed and nothing was found", () => {
    const plan = planApply(
      inputs({
        state: aState([pending]),
        observed: observedOf([], { complete: true }),
        now: "2026-11-28T12:02:00.001Z",
      }),
    );
    expect(plan.campaigns[0]!.headline).toBe("create");
  });

  it("adopts at once what the create made, whatever its age", () => {
    const plan = planApply(
      inputs({
        state: aState([pending]),
        observed: observedOf([], { tagged: new Map([["spring", [aCampaign({ id: "cmp_late" })]]]) }),
        now: NOW,
      }),
    );
    expect(plan.campaigns[0]!.actions[0]).toMatchObject({ kind: "adopt", id: "cmp_late" });
  });
});

describe("destroyed stays destroyed", () => {
  const destroyedState = () => ({
    ...aState(),
    destroyed: {
      spring: { key: "spring", campaignId: "cmp_1", at: NOW, how: "cancelled" as const },
    },
  });

  it("plans nothing for a destroyed key still in the manifests, with a warning in every format", () => {
    const plan = planApply(
      inputs({
        desired: [aDesiredCampaign({ send: { enabled: true } })],
        state: destroyedState(),
        observed: observedOf([]),
      }),
    );
    expect(plan.hasChanges).toBe(false);
    expect(plan.campaigns[0]!.headline).toBe("noop");
    expect(plan.summary).toMatchObject({ create: 0, send: 0 });
    expect(plan.warnings).toEqual([
      `spring: destroyed at ${NOW} (campaign cmp_1 cancelled); not re-created. Give the manifest a new key, or run 'campaignctl apply --recreate spring' to create it again`,
    ]);
    expect(renderPlanText(plan)).toContain(`Warning: spring: destroyed at ${NOW}`);
    expect(renderPlanMarkdown(plan)).toContain(`> **Warning:** spring: destroyed at ${NOW}`);
    expect(JSON.parse(JSON.stringify(plan)).warnings).toHaveLength(1);
  });

  it("creates it again with --recreate, send included when enabled", () => {
    const plan = planApply(
      inputs({
        desired: [aDesiredCampaign({ send: { enabled: true } })],
        state: destroyedState(),
        observed: observedOf([], { complete: true }),
        recreate: ["spring"],
      }),
    );
    expect(plan.campaigns[0]!.headline).toBe("create");
    expect(plan.summary.send).toBe(1);
    expect(plan.warnings).toEqual([]);
  });
});

describe("records rebuilt from Lob or imported", () => {
  it("say what cannot be compared instead of re-uploading the audience", () => {
    const record = anAppliedRecord({
      applied: { unknown: ["creativeContentHash", "audienceSha256"] },
    });
    const plan = planApply(inputs({ state: aState([record]) }));
    expect(plan.campaigns[0]!.actions).toEqual([]);
    expect(plan.campaigns[0]!.notes).toContainEqual({
      code: "audience_hash_unknown",
      text: expect.stringContaining("cannot compare the audience file"),
    });
    expect(plan.campaigns[0]!.notes).toContainEqual({
      code: "artwork_hash_unknown",
      text: expect.stringContaining("cannot compare the artwork"),
    });
    expect(plan.hasChanges).toBe(false);
  });

  it("still uploads the audience when Lob's upload has no file", () => {
    const record = anAppliedRecord({ applied: { unknown: ["audienceSha256"] } });
    const campaign = aCampaign();
    const upload = { ...campaign.uploads[0]!, bytesProcessed: 0, originalFilename: undefined };
    const plan = planApply(
      inputs({ state: aState([record]), observed: observedOf([{ ...campaign, uploads: [upload] }]) }),
    );
    expect(kinds(plan.campaigns[0]!.actions)).toEqual(["upload_file"]);
  });
});
