import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { useEmulator } from "../support/emulator.js";
import type { EngineEvent } from "../../src/engine/events.js";
import { runApply } from "../../src/engine/use-cases.js";
import { withEnvDeps } from "../support/engine-deps.js";
import { censusByKey, sendFromDashboard } from "../support/lob-inspect.js";
import { makeWorkspace, runInProcess, TEST_API_KEY } from "../support/workspace.js";

const emulator = useEmulator({ rateLimit: false, processingRowsPerSecond: 1_000_000 });

describe("a campaign sent from the dashboard between plan and apply", () => {
  it("is not deleted (cancelled) by a replace the plan made while it was a draft", async () => {
    const ws = makeWorkspace();
    const apiKey = `${TEST_API_KEY}race`;
    const env = { LOB_API_KEY: apiKey, LOB_API_URL: emulator.url };
    try {
      ws.addCampaign("racy");
      expect((await runInProcess(["apply", "--auto-approve", ws.dir], { cwd: ws.dir, env })).code).toBe(0);
      const id = JSON.parse(readFileSync(join(ws.dir, ".campaignctl/state.json"), "utf8")).campaigns.racy
        .campaignId;
      ws.editCampaign("racy", (y) => y.replace("size: 4x6", "size: 6x9")); // → replace (delete the draft)

      const events: EngineEvent[] = [];
      const outcome = await withEnvDeps(
        { cwd: ws.dir, env },
        {
          reporter: (e) => events.push(e),
          showPlan: () => undefined,
          // While the person reads the plan, someone sends the campaign from Lob's dashboard.
          confirm: async () => {
            expect(await sendFromDashboard(emulator, apiKey, id)).toBe(200);
          },
        },
        (deps) =>
          runApply(deps, [ws.dir], {
            cwd: ws.dir,
            env,
            allowSend: false,
            waitForProcessing: false,
          }),
      );
      expect(outcome.plan.campaigns[0]!.headline).toBe("replace");
      expect(outcome.failed.map((f) => f.key)).toEqual(["racy"]);
      expect(outcome.failed[0]!.reason).toContain("was sent after this plan was made");
      const census = await censusByKey(emulator, apiKey);
      expect(census.racy).toEqual({ campaigns: 1, creatives: 1, uploads: 1, sent: 1 });
    } finally {
      ws.cleanup();
    }
  });
});
