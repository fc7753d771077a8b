import { createTwoFilesPatch } from "diff";
import { describe, expect, it } from "vitest";
import { summarizePlan } from "../../src/plan/summary.js";
import type { CampaignPlan, CostEstimate, Plan } from "../../src/plan/types.js";
import { GITHUB_COMMENT_LIMIT, money, renderPlanMarkdown } from "../../src/render/plan-markdown.js";
import { planApply } from "../../src/plan/plan-apply.js";
import {
  aCampaign,
  aDesiredCampaign,
  anAppliedRecord,
  aState,
  inputs,
  observedOf,
} from "../plan/builders.js";

function renamed(i: number): CampaignPlan {
  const key = `campaign-${String(i).padStart(3, "0")}`;
  return {
    key,
    source: `${key}.yaml:1:1`,
    headline: "update",
    campaignId: `cmp_${i}`,
    actions: [
      {
        kind: "update",
        resource: "campaign",
        id: `cmp_${i}`,
        changes: [
          { path: "name", before: `Old name ${i}`, after: `New name ${i}` },
          { path: "description", before: "x".repeat(400), after: "y".repeat(400) },
        ],
        body: { resource: "campaign", fields: {} },
        applied: {},
        drift: false,
        reason: "campaign fields changed",
        reasonCode: "fields_changed",
      },
    ],
    artworkDiffs: {},
    notes: [{ code: "send_disabled", text: "send.enabled is false: the campaign stays a draft" }],
  };
}

function planOf(campaigns: CampaignPlan[], extra: Partial<Plan> = {}): Plan {
  return {
    version: 1,
    operation: "apply",
    scope: "project",
    stateLineage: "lin-1",
    stateSerial: 3,
    campaigns,
    summary: summarizePlan(campaigns),
    hasChanges: true,
    warnings: [],
    project: "shop",
    target: { apiUrl: "https://api.lob.com/v1", mode: "test" },
    ...extra,
  };
}

function bigHtmlDiff(lines: number): string {
  const before = Array.from({ length: lines }, (_, i) => `<p class="a">line ${i}</p>`).join("\n");
  const after = Array.from({ length: lines }, (_, i) => `<p class="b">line ${i} changed</p>`).join("\n");
  return createTwoFilesPatch("front (applied)", "front (manifest)", before, after, "", "", { context: 2 });
}

describe("renderPlanMarkdown: size", () => {
  it("keeps a 3,000-line HTML diff and 300 campaigns under GitHub's limit, says what it left out, keeps short field changes", () => {
    const campaigns = Array.from({ length: 300 }, (_, i) => renamed(i + 1));
    campaigns[0] = { ...campaigns[0]!, artworkDiffs: { front: bigHtmlDiff(3_000) } };
    const plan = planOf(campaigns);
    const full = renderPlanMarkdown(plan, { maxChars: Number.MAX_SAFE_INTEGER });
    expect(full.length).toBeGreaterThan(GITHUB_COMMENT_LIMIT);
    const md = renderPlanMarkdown(plan);
    expect(md.length).toBeLessThanOrEqual(GITHUB_COMMENT_LIMIT - 500);
    expect(md).toContain("too long for a pull-request comment");
    expect(md).toContain("job summary");
    expect(md).toContain("plan artifact");
    for (let i = 1; i <= 300; i += 1) {
      expect(md).toContain(`- name: "Old name ${i}"\n+ name: "New name ${i}"`);
    }
    // The long description did not fit, and the comment says it was left out.
    expect(md).not.toContain("x".repeat(400));
    expect(md).toContain("1 longer change left out");
  });

  it("degrades in steps: first trims HTML diffs, then drops artwork diffs, then summarises", () => {
    const plan = planOf([{ ...renamed(1), artworkDiffs: { front: bigHtmlDiff(3_000) } }]);
    const full = renderPlanMarkdown(plan, { maxChars: Number.MAX_SAFE_INTEGER });
    expect(full).not.toContain("too long");
    expect(full).toContain('+<p class="b">line 2999 changed</p>');

    const trimmed = renderPlanMarkdown(plan, { maxChars: 20_000 });
    expect(trimmed).toContain("each HTML diff is trimmed to its first 40 lines");
    expect(trimmed).toMatch(/^@@ … [\d,]+ more lines of this diff left out @@$/m);
    expect(trimmed).toContain('+ name: "New name 1"');
    expect(trimmed.length).toBeLessThanOrEqual(20_000);

    const trimmedSize = trimmed.length;
    const noArtwork = renderPlanMarkdown(plan, { maxChars: trimmedSize - 1 });
    expect(noArtwork).toContain("the artwork diffs are left out");
    expect(noArtwork).not.toContain('<p class="b">');
    expect(noArtwork).toContain('+ name: "New name 1"');

    const summary = renderPlanMarkdown(plan, { maxChars: noArtwork.length - 1 });
    expect(summary).toContain("only a per-campaign summary is shown");
    expect(summary).toContain('+ name: "New name 1"');
    expect(summary).not.toContain("<details>");
  });

  it("stays under any limit, even when thousands of campaigns do not fit as a summary", () => {
    const plan = planOf(Array.from({ length: 3_000 }, (_, i) => renamed(i + 1)));
    const md = renderPlanMarkdown(plan);
    expect(md.length).toBeLessThanOrEqual(GITHUB_COMMENT_LIMIT - 500);
    expect(md).toMatch(/[\d,]+ more lines of this plan are left out/);
    expect(md).toContain("### campaignctl apply plan");
  });
});

describe("renderPlanMarkdown: for reviewers", () => {
  const sendPlan = (now: string) =>
    planApply(
      inputs({
        now,
        desired: [
          aDesiredCampaign({ campaign: { ...aDesiredCampaign().campaign, name: "Spring sale" } }),
          aDesiredCampaign({ key: "summer", source: "summer.yaml:1:1", send: { enabled: true } }),
        ],
        state: aState([anAppliedRecord()]),
        observed: observedOf([aCampaign()]),
      }),
    );

  it("is byte-identical across runs when nothing changed (no wall-clock deadline)", () => {
    const first = sendPlan("2026-11-28T12:00:00.000Z");
    const second = sendPlan("2026-11-29T08:13:07.000Z");
    expect(first.campaigns.flatMap((c) => c.actions).some((a) => a.kind === "send")).toBe(true);
    expect(renderPlanMarkdown(second)).toBe(renderPlanMarkdown(first));
    expect(renderPlanMarkdown(first)).not.toMatch(/\d{4}-\d\d-\d\dT/);
    expect(renderPlanMarkdown(first)).toContain("cancellable for 120 minutes after the send");
  });

  it("shows the target, the scope, a SEND callout and field changes as coloured diff lines", () => {
    const plan = { ...sendPlan("2026-11-28T12:00:00.000Z"), project: "shop" } as Plan;
    const live = renderPlanMarkdown({ ...plan, target: { apiUrl: "https://api.lob.com/v1", mode: "live" } });
    expect(live).toContain("### campaignctl apply plan: `shop`");
    expect(live).toContain("**Target:** **LIVE** (`api.lob.com`)");
    expect(live).toContain("**Scope:** the whole project");
    expect(live).toMatch(/> \[!CAUTION\]\n> \*\*This plan SENDS mail\*\*.*\n> - `summer`: \*\*9 pieces\*\*/);
    expect(live).toMatch(/^- name: "Spring"$/m);
    expect(live).toMatch(/^\+ name: "Spring sale"$/m);
    const test = renderPlanMarkdown({ ...plan, scope: "paths", target: { apiUrl: "sandbox", mode: "test" } });
    expect(test).toContain("**Target:** test (the embedded emulator, `--sandbox`)");
    expect(test).toContain("**Scope:** only the campaigns of the given paths");
  });

  it("adds a Cost (estimate) column only when sends carry a cost", () => {
    const plan = sendPlan("2026-11-28T12:00:00.000Z");
    expect(renderPlanMarkdown(plan)).not.toContain("Cost (estimate)");
    const cost: CostEstimate = {
      pieces: 9,
      unitPrice: 137.25,
      amount: 1235.25,
      currency: "USD",
      asOf: "2026-10-01",
      tier: "developer",
      basis: "postcard 4x6, usps_first_class",
    };
    const priced: Plan = {
      ...plan,
      campaigns: plan.campaigns.map((c) => ({
        ...c,
        actions: c.actions.map((a) => (a.kind === "send" ? { ...a, cost } : a)),
      })),
      summary: {
        ...plan.summary,
        cost: { total: 1235.25, currency: "USD", asOf: "2026-10-01", partial: false },
      },
    };
    const md = renderPlanMarkdown(priced);
    expect(md).toContain("| Campaign | Action | Pieces to mail | Cost (estimate) |");
    expect(md).toContain("| `summer` | create + **SEND** | 9 | $1,235.25 |");
    expect(md).toContain("| **Total** | | **9** | **$1,235.25** |");
  });

  it("lists row skips by rule and count, escaping what could break the markdown", () => {
    const plan = planOf([
      {
        ...renamed(1),
        audienceSkips: [
          { rule: "address_zip (column 'zip|<b>') must be 12345", count: 3, file: "a.csv", line: 4 },
        ],
      },
    ]);
    const md = renderPlanMarkdown(plan);
    expect(md).toContain("**Rows Lob will skip**");
    expect(md).toContain(
      "> - `campaign-001` (`a.csv`): 3 rows: address_zip (column 'zip\\|&lt;b&gt;') must be 12345",
    );
  });

  it("uses a fence longer than any backtick run inside a diff", () => {
    const plan = planOf([
      { ...renamed(1), artworkDiffs: { front: bigHtmlDiff(2).replace("line 0", "```") } },
    ]);
    const md = renderPlanMarkdown(plan);
    expect(md).toContain("````diff\n");
  });

  it("formats money", () => {
    expect(money(0)).toBe("$0.00");
    expect(money(1234.5)).toBe("$1,234.50");
    expect(money(1234567.891)).toBe("$1,234,567.89");
  });
});
