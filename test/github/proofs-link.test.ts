import { describe, expect, it } from "vitest";
import { proofsLine } from "../../src/cli/plan-comment.js";
import {
  renderPlanMarkdown,
  COMMENT_MARKER_ROOM,
  GITHUB_COMMENT_LIMIT,
} from "../../src/render/plan-markdown.js";

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

  it("fits with the plan under GitHub's limit, with room left for the marker", () => {
    const line = proofsLine({ ...actions, CAMPAIGNCTL_PROOFS_ARTIFACT: "x".repeat(500) });
    const huge = "<p>" + "y".repeat(200) + "</p>\n";
    const campaigns = Array.from({ length: 300 }, (_, i) => ({
      key: `c-${i}`,
      source: `c-${i}.yaml:1:1`,
      headline: "update" as const,
      campaignId: `cmp_${i}`,
      actions: [],
      artworkDiffs: { front: `@@ -1 +1 @@\n-${huge}+${huge}` },
      notes: [],
    }));
    const plan = {
      version: 1 as const,
      operation: "apply" as const,
      scope: "project" as const,
      stateLineage: "l",
      stateSerial: 1,
      campaigns,
      summary: {
        create: 0,
        update: 300,
        replace: 0,
        delete: 0,
        cancel: 0,
        blocked: 0,
        send: 0,
        sendPieces: 0,
        noop: 0,
        wait: 0,
      },
      hasChanges: true,
      warnings: [],
    };
    const body =
      renderPlanMarkdown(plan, { maxChars: GITHUB_COMMENT_LIMIT - COMMENT_MARKER_ROOM - line.length }) + line;
    expect(body.length).toBeLessThanOrEqual(GITHUB_COMMENT_LIMIT - COMMENT_MARKER_ROOM);
    expect(body.endsWith(line)).toBe(true);
  });
});
