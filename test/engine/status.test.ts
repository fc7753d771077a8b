import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { useEmulator } from "../support/emulator.js";
import { acquireLock } from "../../src/state/index.js";
import {
  audienceCells,
  enableSend,
  makeWorkspace,
  runInProcess,
  TEST_API_KEY,
} from "../support/workspace.js";

const emulator = useEmulator({ rateLimit: false, processingRowsPerSecond: 1_000_000 });

describe("campaignctl status", () => {
  it("shows drafts and sent campaigns with counts and the cancel window, without the lock", async () => {
    const ws = makeWorkspace();
    const env = { LOB_API_KEY: `${TEST_API_KEY}status`, LOB_API_URL: emulator.url };
    const cli = (...argv: string[]) => runInProcess(argv, { cwd: ws.dir, env });
    try {
      ws.addCampaign("st-draft");
      ws.addCampaign("st-sent", enableSend);
      expect((await cli("apply", "--auto-approve", "--allow-send", ws.dir)).code).toBe(0);

      // Another run holds the state lock: status must still answer.
      const lock = await acquireLock(
        join(ws.dir, ".campaignctl/state.json"),
        { command: "apply" },
        { timeoutMs: 0 },
      );
      try {
        const text = await cli("status");
        expect(text.code, text.stderr).toBe(0);
        expect(text.stdout).toMatch(
          /^KEY\s+CAMPAIGN\s+STATUS\s+UPLOAD\s+ROWS\s+VALIDATED\s+FAILED\s+CANCEL WINDOW/,
        );
        expect(text.stdout).toMatch(/st-draft\s+cmp_\w+\s+draft\s+Draft\s+12\s+-\s+-\s+-/);
        expect(text.stdout).toMatch(/st-sent\s+cmp_\w+\s+sent\s+Scheduled\s+12\s+10\s+2\s+open until \d{4}-/);
        for (const cell of audienceCells(join(ws.dir, "audience.csv")))
          expect(text.stdout).not.toContain(cell);
      } finally {
        await lock.release();
      }

      emulator.advanceClock(3 * 3_600_000); // past the example's 120-minute window
      const json = await cli("status", "--format", "json", "--key", "st-sent");
      expect(json.code).toBe(0);
      const parsed = JSON.parse(json.stdout);
      expect(parsed.campaigns).toHaveLength(1);
      expect(parsed.campaigns[0]).toMatchObject({
        key: "st-sent",
        campaign: "sent",
        validated: 10,
        failed: 2,
        cancellable: false,
      });
    } finally {
      ws.cleanup();
    }
  });
});
