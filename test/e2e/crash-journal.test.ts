import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openStateStore } from "../../src/state/store.js";
import { useEmulator } from "../support/emulator.js";
import { censusByKey, processedSends } from "../support/lob-inspect.js";
import { enableSend, makeWorkspace, TEST_API_KEY } from "../support/workspace.js";
import { spawnCli } from "./cli.js";

/**
 * crash.test.ts with every state commit going through the journal (a small state is otherwise
 * rewritten whole): a kill -9 at a step boundary leaves the step's intent or result in the
 * journal, the next run folds it in and converges to one of everything and one send.
 */
const POINTS = [
  "campaign:after-state",
  "creative:before",
  "upload:after-response",
  "file:after-state",
  "send:after-state",
];

const emulator = useEmulator({ processingRowsPerSecond: 1_000_000, rateLimit: false });
let n = 0;

describe("kill -9 at step boundaries with the state journal, then apply again", () => {
  it.concurrent.each(POINTS)("%s", async (point) => {
    const ws = makeWorkspace();
    const apiKey = `${TEST_API_KEY}journal${(n += 1)}`;
    const env = { LOB_API_KEY: apiKey, LOB_API_URL: emulator.url, CAMPAIGNCTL_TEST_STATE_JOURNAL: "always" };
    try {
      ws.addCampaign("crashy", enableSend);
      const args = ["apply", "--auto-approve", "--allow-send", "--no-wait", "--settle", "1s", ws.dir];
      const crashed = await spawnCli(args, {
        cwd: ws.dir,
        env: { ...env, CAMPAIGNCTL_TEST_CRASH_AT: point },
      });
      expect(crashed.signal, crashed.stderr).toBe("SIGKILL");

      const statePath = join(ws.dir, ".campaignctl", "state.json");
      expect(existsSync(`${statePath}.lock`), "lock left behind").toBe(true);
      expect(existsSync(`${statePath}.journal`), "the killed run's commits are in the journal").toBe(true);
      const [step, boundary] = point.split(":") as [string, string];
      const record = (await openStateStore(statePath).read())?.campaigns["crashy"];
      if (boundary === "after-state") {
        expect(record?.pending, point).toBeUndefined();
        if (step === "send") expect(record?.sentAt, point).toBeDefined();
      } else {
        expect(record?.pending?.step, point).toBe(step);
      }

      const resumed = await spawnCli(args, { cwd: ws.dir, env });
      expect(resumed.exitCode, resumed.stderr).toBe(0);
      expect(resumed.stderr).toContain("stale state lock");
      // The run ended by folding the journal into the snapshot.
      expect(existsSync(`${statePath}.journal`)).toBe(false);

      const settled = await spawnCli(["plan", "--detailed-exitcode", ws.dir], { cwd: ws.dir, env });
      expect(settled.exitCode, settled.stdout + settled.stderr).toBe(0);
      expect(await censusByKey(emulator, apiKey)).toEqual({
        crashy: { campaigns: 1, creatives: 1, uploads: 1, sent: 1 },
      });
      expect(processedSends(emulator, apiKey)).toBe(1);
    } finally {
      ws.cleanup();
    }
  });
});
