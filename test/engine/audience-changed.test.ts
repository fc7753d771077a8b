import { appendFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { useEmulator } from "../support/emulator.js";
import { runApply } from "../../src/engine/use-cases.js";
import { withEnvDeps } from "../support/engine-deps.js";
import { processedSends } from "../support/lob-inspect.js";
import { enableSend, makeWorkspace, runInProcess, TEST_API_KEY } from "../support/workspace.js";

const emulator = useEmulator({ rateLimit: false, processingRowsPerSecond: 1_000_000 });

describe("an audience file rewritten between preflight and upload", () => {
  it("is not recorded and nothing is sent; the next apply uploads and sends what it checked", async () => {
    const ws = makeWorkspace();
    const env = { LOB_API_KEY: `${TEST_API_KEY}changed`, LOB_API_URL: emulator.url };
    try {
      ws.addCampaign("moving", enableSend);
      emulator.clearRequests();
      const outcome = await withEnvDeps(
        { cwd: ws.dir, env },
        {
          reporter: () => undefined,
          showPlan: () => undefined,
          // A generator job rewrites the file while the person reads the plan.
          confirm: async () =>
            appendFileSync(
              join(ws.dir, "audience.csv"),
              "C-9999,Late Row,Late,1 New St,,Austin,TX,78701,X\n",
            ),
        },
        (deps) =>
          runApply(deps, [ws.dir], {
            cwd: ws.dir,
            env,
            allowSend: true,
            waitForProcessing: false,
          }),
      );
      expect(outcome.failed.map((f) => f.key)).toEqual(["moving"]);
      expect(outcome.failed[0]!.reason).toContain("changed while 'moving' was being applied");
      expect(processedSends(emulator)).toBe(0);
      const state = JSON.parse(readFileSync(join(ws.dir, ".campaignctl/state.json"), "utf8"));
      expect(state.campaigns.moving.applied.audienceSha256).toBeUndefined();

      const again = await runInProcess(["apply", "--auto-approve", "--allow-send", "--no-wait", ws.dir], {
        cwd: ws.dir,
        env,
      });
      expect(again.code, again.stderr).toBe(0);
      expect(again.stdout).toContain("SEND 11 pieces of 13 rows");
      expect(processedSends(emulator)).toBe(1);
    } finally {
      ws.cleanup();
    }
  });
});
