import { describe, expect, it } from "vitest";
import { summarizePlan } from "../../src/plan/summary.js";
import type { CampaignPlan, Plan } from "../../src/plan/types.js";
import { commentMarkdown, proofsLine } from "../../src/cli/plan-comment.js";
import { COMMENT_MARKER_ROOM, GITHUB_COMMENT_LIMIT } from "../../src/render/plan-markdown.js";

const actions = {
  GITHUB_SERVER_URL: "https://github.example",
  GITHUB_REPOSITORY: "acme/mail",
  GITHUB_RUN_ID: "4242",
};

describe("the plan comment's link to the run's redacted proofs", () => {
  it("names the artifact and links to this run when the workflow uploaded proofs", () => {
    const line = proofsLine({ ...actions, CAMPAIGNCTL_PROOFS_ARTIFACT: "campaignctl-proofs" });
    expect(line).toContain("artifact `campaignctl-proofs`");
    expect(line).toContain("[this run](https://github.example/acme/mail/actions/runs/4242)");
    expect(line).toContain("placeholder values");
  });

  it("is empty without an artifact, outside a run, or with a run id that is not a number", () => {
    expect(proofsLine(actions)).toBe("");
    expect(proofsLine({ CAMPAIGNCTL_PROOFS_ARTIFACT: "p" })).toBe("");
    expect(
      proofsLine({ ...actions, GITHUB_RUN_ID: "1) [x](http://evil", CAMPAIGNCTL_PROOFS_ARTIFACT: "p" }),
    ).toBe("");
  });

  it("cannot break out of its code span or add a link through the artifact's name", () => {
    const line = proofsLine({ ...actions, CAMPAIGNCTL_PROOFS_ARTIFACT: "a`b [x](http://evil) <img>\nz" });
    expect(line).toContain("artifact `ab x(http://evil) imgz`");
    expect(line.match(/\]\(/g)).toHaveLength(1);
  });

  it("fits with the plan under GitHub's limit, with room left for the marker", async () => {
    const env = { ...actions, CAMPAIGNCTL_PROOFS_ARTIFACT: "x".repeat(500) };
    const line = proofsLine(env);
    // Thousands of field changes: the plan alone fills the comment to its limit.
    const campaigns: CampaignPlan[] = Array.from({ length: 3_000 }, (_, i) => ({
      key: `campaign-${i}`,
      source: `campaign-${i}.yaml:1:1`,
      headline: "update",
      campaignId: `cmp_${i}`,
      actions: [
        {
          kind: "update",
          resource: "campaign",
          id: `cmp_${i}`,
          changes: [{ path: "name", before: `Old name ${i}`, after: `New name ${i}` }],
          body: { resource: "campaign", fields: {} },
          applied: {},
          drift: false,
          reason: "campaign fields changed",
          reasonCode: "fields_changed",
        },
      ],
      artworkDiffs: {},
      notes: [],
    }));
    const plan: Plan = {
      version: 1,
      operation: "apply",
      scope: "project",
      stateLineage: "l",
      stateSerial: 1,
      campaigns,
      summary: summarizePlan(campaigns),
      hasChanges: true,
      warnings: [],
    };
    const body = await commentMarkdown(plan, env);
    expect(body.length).toBeLessThanOrEqual(GITHUB_COMMENT_LIMIT - COMMENT_MARKER_ROOM);
    // The plan was cut to make room: without the link it would have used more of the limit.
    expect(body.length).toBeGreaterThan(GITHUB_COMMENT_LIMIT - COMMENT_MARKER_ROOM - 1_000);
    expect(body.endsWith(line)).toBe(true);
  });
});
