import { describe, expect, it } from "vitest";
import { renderPlanJson } from "../../src/render/plan-json.js";
import { renderPlanMarkdown } from "../../src/render/plan-markdown.js";
import { renderPlanText } from "../../src/render/plan-text.js";
import { renderApplyJson, renderDestroyJson, renderStatusJson } from "../../src/render/result-json.js";
import { renderStatusText } from "../../src/render/status-text.js";
import { aDestroyPlan, anApplyPlan, aStatusOutcome } from "./fixtures.js";

/**
 * Every renderer's whole output, compared with a committed file: a change to what people or
 * scripts read shows up in review as a diff of these files (update them with `vitest -u`).
 */
const SNAPSHOTS = "./__snapshots__";

describe("plan renderers", () => {
  it("text", async () => {
    await expect(renderPlanText(anApplyPlan())).toMatchFileSnapshot(`${SNAPSHOTS}/apply-plan.txt`);
    await expect(renderPlanText(aDestroyPlan())).toMatchFileSnapshot(`${SNAPSHOTS}/destroy-plan.txt`);
  });

  it("text in colour", async () => {
    await expect(renderPlanText(anApplyPlan(), { color: true })).toMatchFileSnapshot(
      `${SNAPSHOTS}/apply-plan.color.txt`,
    );
  });

  it("markdown", async () => {
    const reviewed = {
      ...anApplyPlan(),
      project: "shop",
      target: { apiUrl: "https://api.lob.com/v1", mode: "live" as const },
    };
    const withSkips = {
      ...reviewed,
      campaigns: reviewed.campaigns.map((c) =>
        c.key === "summer"
          ? {
              ...c,
              audienceSkips: [
                {
                  rule: "address_zip (column 'z') must be 12345 or 12345-6789",
                  count: 1,
                  file: "./audience.csv",
                  line: 4,
                },
              ],
            }
          : c,
      ),
    };
    await expect(renderPlanMarkdown(withSkips)).toMatchFileSnapshot(`${SNAPSHOTS}/apply-plan.md`);
    await expect(renderPlanMarkdown(aDestroyPlan())).toMatchFileSnapshot(`${SNAPSHOTS}/destroy-plan.md`);
  });

  it("json", async () => {
    await expect(renderPlanJson(anApplyPlan())).toMatchFileSnapshot(`${SNAPSHOTS}/apply-plan.json`);
    await expect(renderPlanJson(aDestroyPlan())).toMatchFileSnapshot(`${SNAPSHOTS}/destroy-plan.json`);
  });
});

describe("result renderers", () => {
  it("apply json", async () => {
    const text = renderApplyJson({
      plan: anApplyPlan(),
      counts: { created: 1, updated: 1, sent: 1, pieces: 9 },
      sent: ["summer"],
      skippedSends: [],
      failed: [{ key: "autumn", reason: "Lob answered 500" }],
      stateSerial: 7,
      requests: 12,
    });
    await expect(text).toMatchFileSnapshot(`${SNAPSHOTS}/apply-result.json`);
  });

  it("apply json leaves out the keys the tally touched", () => {
    const parsed = JSON.parse(
      renderApplyJson({
        plan: anApplyPlan(),
        counts: { created: 0, updated: 0, sent: 0, pieces: 0, touched: ["spring"] } as never,
        sent: [],
        skippedSends: ["summer"],
        failed: [],
        stateSerial: 1,
        requests: 3,
      }),
    ) as { result: { counts: object } };
    expect(parsed.result.counts).toEqual({ created: 0, updated: 0, sent: 0, pieces: 0 });
  });

  it("destroy json", async () => {
    const text = renderDestroyJson({
      plan: aDestroyPlan(),
      failed: [{ key: "closed", reason: "its cancel window closed" }],
      stateSerial: 9,
    });
    await expect(text).toMatchFileSnapshot(`${SNAPSHOTS}/destroy-result.json`);
  });

  it("status json and text", async () => {
    await expect(renderStatusJson(aStatusOutcome())).toMatchFileSnapshot(`${SNAPSHOTS}/status.json`);
    await expect(renderStatusText(aStatusOutcome())).toMatchFileSnapshot(`${SNAPSHOTS}/status.txt`);
  });
});
