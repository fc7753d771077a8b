import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { useEmulator } from "../support/emulator.js";
import { runApply } from "../../src/engine/use-cases.js";
import { withEnvDeps } from "../support/engine-deps.js";
import { makeWorkspace, TEST_API_KEY } from "../support/workspace.js";

const emulator = useEmulator({ rateLimit: false, latencyMs: 30 });

describe("an internal error in one campaign of a parallel apply", () => {
  it("surfaces only after the campaigns in flight finished and their state was written", async () => {
    const ws = makeWorkspace();
    try {
      ws.addCampaign("a-boom");
      ws.addCampaign("b-calm");
      const env = { LOB_API_KEY: `${TEST_API_KEY}boom`, LOB_API_URL: emulator.url };
      const run = withEnvDeps(
        { cwd: ws.dir, env },
        {
          // Stands in for a bug: throwing from inside a campaign's steps.
          reporter: (event) => {
            if (
              event.type === "step" &&
              event.key === "a-boom" &&
              event.action === "create" &&
              event.resource === "creative"
            ) {
              throw new Error("simulated bug");
            }
          },
        },
        (deps) =>
          runApply(deps, [ws.dir], {
            cwd: ws.dir,
            env,
            parallelism: 2,
            allowSend: false,
            waitForProcessing: false,
          }),
      );
      await expect(run).rejects.toThrow("simulated bug");
      const state = JSON.parse(readFileSync(join(ws.dir, ".campaignctl/state.json"), "utf8"));
      expect(state.campaigns["b-calm"]).toMatchObject({
        campaignId: expect.any(String),
        uploadId: expect.any(String),
      });
      expect(state.campaigns["b-calm"].applied.audienceSha256).toMatch(/^[0-9a-f]{64}$/);
    } finally {
      ws.cleanup();
    }
  });
});
