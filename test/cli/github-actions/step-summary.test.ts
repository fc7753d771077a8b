import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { appendStepSummary, STEP_SUMMARY_LIMIT } from "../../../src/cli/github-actions/step-summary.js";

describe("appendStepSummary", () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "campaignctl-summary-"));
    file = join(dir, "summary.md");
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("appends what fits, after what the step wrote before", async () => {
    writeFileSync(file, "earlier\n");
    const written = await appendStepSummary(file, () => "### plan");
    expect(readFileSync(file, "utf8")).toBe("earlier\n### plan\n");
    expect(written).toBe(9);
  });

  it("keeps the step's file within GitHub's 1 MiB, counting what is there already and multi-byte characters", async () => {
    writeFileSync(file, "x".repeat(600_000));
    const budgets: number[] = [];
    // Three bytes per character: a renderer that fills its character budget overshoots in bytes.
    const written = await appendStepSummary(file, (maxChars) => {
      budgets.push(maxChars);
      return "€".repeat(maxChars);
    });
    expect(budgets.length).toBeGreaterThan(1);
    expect(budgets[0]).toBeLessThanOrEqual(STEP_SUMMARY_LIMIT - 600_000);
    expect(written).toBeGreaterThan(100_000);
    expect(statSync(file).size).toBeLessThanOrEqual(STEP_SUMMARY_LIMIT);
  });

  it("writes nothing when the step's summary is already full", async () => {
    writeFileSync(file, "x".repeat(STEP_SUMMARY_LIMIT - 10));
    expect(await appendStepSummary(file, () => "more")).toBe(0);
    expect(statSync(file).size).toBe(STEP_SUMMARY_LIMIT - 10);
  });
});
