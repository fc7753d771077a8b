import { execa } from "execa";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { useEmulator } from "../support/emulator.js";
import { makeWorkspace, TEST_API_KEY } from "../support/workspace.js";
import { BIN, spawnCli } from "./cli.js";

// Slow enough that Ctrl-C lands between steps of the second campaign.
const emulator = useEmulator({ latencyMs: 150, rateLimit: false });

describe("Ctrl-C during apply", () => {
  it("says what was finished, that the state is saved and how to resume, then exits 130", async () => {
    const ws = makeWorkspace();
    try {
      for (const key of ["int-a", "int-b", "int-c"]) ws.addCampaign(key);
      const env = { LOB_API_KEY: `${TEST_API_KEY}Interrupt`, LOB_API_URL: emulator.url, NO_COLOR: "1" };
      const child = execa("node", [BIN, "apply", "--auto-approve", "--parallelism", "1", ws.dir], {
        cwd: ws.dir,
        env,
        reject: false,
        stdin: "ignore",
        timeout: 60_000,
      });
      let stderr = "";
      let signalled = false;
      child.stderr!.on("data", (chunk: Buffer) => {
        stderr += chunk.toString();
        // The first campaign is wholly applied (its audience uploaded): stop there.
        if (!signalled && /int-a: upload audience .* ✓/.test(stderr)) {
          signalled = true;
          child.kill("SIGINT");
        }
      });
      const result = await child;
      expect(signalled, stderr).toBe(true);
      expect(result.exitCode, String(result.stderr)).toBe(130);
      const text = String(result.stderr);
      expect(text).toContain("Interrupted (SIGINT).");
      expect(text).toMatch(/Finished before the stop: [1-3] created, 0 updated, 0 sent \(0 pieces\)/);
      expect(text).toMatch(/campaigns with finished steps: int-a/);
      expect(text).toContain("The state is saved up to the last finished step.");
      expect(text).toContain("Run 'campaignctl apply' again to resume");
      // The lock was released on the way out.
      expect(existsSync(join(ws.dir, ".campaignctl", "state.json.lock"))).toBe(false);

      const resumed = await spawnCli(["apply", "--auto-approve", ws.dir], { cwd: ws.dir, env });
      expect(resumed.exitCode, resumed.stderr).toBe(0);
      expect(resumed.stdout).not.toContain("# int-a");
      const settled = await spawnCli(["plan", "--detailed-exitcode", ws.dir], { cwd: ws.dir, env });
      expect(settled.exitCode, settled.stdout).toBe(0);
    } finally {
      ws.cleanup();
    }
  });
});
