import { appendFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { useEmulator } from "../support/emulator.js";
import { runApply } from "../../src/engine/use-cases.js";
import { withEnvDeps } from "../support/engine-deps.js";
import { makeWorkspace, runInProcess, TEST_API_KEY } from "../support/workspace.js";

const emulator = useEmulator({ rateLimit: false, processingRowsPerSecond: 1_000_000 });

function creativeCreates(): number {
  return emulator.requests().filter((r) => r.method === "POST" && r.path === "/v1/creatives").length;
}

describe("artwork rewritten between plan and upload", () => {
  it("creates and records nothing for the campaign; the next apply uploads what it shows", async () => {
    const ws = makeWorkspace();
    const env = { LOB_API_KEY: `${TEST_API_KEY}art`, LOB_API_URL: emulator.url };
    try {
      ws.addCampaign("art-moves");
      emulator.clearRequests();
      const outcome = await withEnvDeps(
        { cwd: ws.dir, env },
        {
          reporter: () => undefined,
          showPlan: () => undefined,
          // Someone saves the artwork while the plan is being read.
          confirm: async () => appendFileSync(join(ws.dir, "front.html"), "<!-- edited -->\n"),
        },
        (deps) =>
          runApply(deps, [ws.dir], {
            cwd: ws.dir,
            env,
            allowSend: false,
            waitForProcessing: false,
          }),
      );
      expect(outcome.failed.map((f) => f.key)).toEqual(["art-moves"]);
      expect(outcome.failed[0]!.reason).toContain("changed since the plan for 'art-moves' was made");
      expect(creativeCreates()).toBe(0);
      const state = JSON.parse(readFileSync(join(ws.dir, ".campaignctl/state.json"), "utf8"));
      expect(state.campaigns["art-moves"].creativeId).toBeUndefined();
      expect(state.campaigns["art-moves"].applied?.artwork).toBeUndefined();

      const again = await runInProcess(["apply", "--auto-approve", "--no-wait", ws.dir], {
        cwd: ws.dir,
        env,
      });
      expect(again.code, again.stderr).toBe(0);
      expect(creativeCreates()).toBe(1);
      const after = JSON.parse(readFileSync(join(ws.dir, ".campaignctl/state.json"), "utf8"));
      expect(after.campaigns["art-moves"].creativeId).toMatch(/^crv_/);
    } finally {
      ws.cleanup();
    }
  });
});
