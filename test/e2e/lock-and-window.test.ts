import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { useEmulator } from "../support/emulator.js";
import { parseState } from "../../src/state/index.js";
import { censusByKey } from "../support/lob-inspect.js";
import { enableSend, makeWorkspace, TEST_API_KEY } from "../support/workspace.js";
import { spawnCli } from "./cli.js";

const emulator = useEmulator({ processingRowsPerSecond: 1_000_000, rateLimit: false });

describe("two applies at once on one state", () => {
  it("one proceeds; the other exits 1 naming the holder; the state is intact", async () => {
    const ws = makeWorkspace();
    const apiKey = `${TEST_API_KEY}lock`;
    const env = { LOB_API_KEY: apiKey, LOB_API_URL: emulator.url };
    emulator.setLatency(300); // each request 300 ms: the first apply holds the lock for seconds
    try {
      for (const key of ["lock-a", "lock-b"]) ws.addCampaign(key);
      const args = ["apply", "--auto-approve", ws.dir];
      const first = spawnCli(args, { cwd: ws.dir, env });
      // Start the second run only once the first holds the lock, whatever the machine's speed.
      await waitFor(() => existsSync(join(ws.dir, ".campaignctl/state.json.lock")));
      const [a, b] = await Promise.all([first, spawnCli(args, { cwd: ws.dir, env })]);
      const results = [a, b].sort((x, y) => (x.exitCode ?? 9) - (y.exitCode ?? 9));
      expect(
        results.map((r) => r.exitCode),
        results.map((r) => r.stderr).join("\n---\n"),
      ).toEqual([0, 1]);
      const loser = results[1]!;
      expect(loser.stderr).toMatch(/held by pid \d+ on host \S+ running 'apply/);
      expect(loser.stderr).not.toMatch(/\n\s+at /);

      const statePath = join(ws.dir, ".campaignctl/state.json");
      const state = parseState(readFileSync(statePath, "utf8"), statePath);
      expect(Object.keys(state.campaigns).sort()).toEqual(["lock-a", "lock-b"]);
      expect(await censusByKey(emulator, apiKey)).toEqual({
        "lock-a": { campaigns: 1, creatives: 1, uploads: 1, sent: 0 },
        "lock-b": { campaigns: 1, creatives: 1, uploads: 1, sent: 0 },
      });
    } finally {
      emulator.setLatency(0);
      ws.cleanup();
    }
  });

  it("a run that meets the lock waits for it with --lock-timeout", async () => {
    const ws = makeWorkspace();
    const env = { LOB_API_KEY: `${TEST_API_KEY}wait`, LOB_API_URL: emulator.url };
    emulator.setLatency(300);
    try {
      ws.addCampaign("waiter");
      const args = ["apply", "--auto-approve", "--lock-timeout", "60s", ws.dir];
      const first = spawnCli(args, { cwd: ws.dir, env });
      await waitFor(() => existsSync(join(ws.dir, ".campaignctl/state.json.lock")));
      const [a, b] = await Promise.all([first, spawnCli(args, { cwd: ws.dir, env })]);
      expect([a.exitCode, b.exitCode]).toEqual([0, 0]);
    } finally {
      emulator.setLatency(0);
      ws.cleanup();
    }
  });
});

describe("destroy and the cancel window", () => {
  it("refuses the campaign past its window (naming the deadline) and cancels the others", async () => {
    const ws = makeWorkspace();
    const apiKey = `${TEST_API_KEY}window`;
    const env = { LOB_API_KEY: apiKey, LOB_API_URL: emulator.url };
    try {
      ws.addCampaign("short-window", (y) =>
        enableSend(y).replace("cancel_window_campaign_minutes: 120", "cancel_window_campaign_minutes: 30"),
      );
      ws.addCampaign("long-window", (y) =>
        enableSend(y).replace("cancel_window_campaign_minutes: 120", "cancel_window_campaign_minutes: 600"),
      );
      ws.addCampaign("still-draft");
      const applied = await spawnCli(["apply", "--auto-approve", "--allow-send", ws.dir], {
        cwd: ws.dir,
        env,
      });
      expect(applied.exitCode, applied.stderr).toBe(0);

      emulator.advanceClock(60 * 60_000); // one hour: past 30 minutes, inside 600
      const destroyed = await spawnCli(["destroy", "--auto-approve", ws.dir], { cwd: ws.dir, env });
      expect(destroyed.exitCode).toBe(1);
      expect(destroyed.stdout).toMatch(/short-window.*\n.*cancel window closed at \d{4}-\d\d-\d\dT/);
      expect(destroyed.stdout).toContain("Plan: 1 to delete, 1 to CANCEL, 1 refused.");

      const census = await censusByKey(emulator, apiKey);
      expect(Object.keys(census)).toEqual(["short-window"]);
      const statePath = join(ws.dir, ".campaignctl/state.json");
      const state = parseState(readFileSync(statePath, "utf8"), statePath);
      expect(Object.keys(state.campaigns)).toEqual(["short-window"]);
    } finally {
      ws.cleanup();
    }
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 20));
  }
}
