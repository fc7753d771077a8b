import { describe, expect, it } from "vitest";
import { startTestEmulator, useEmulator } from "../support/emulator.js";
import { censusByKey, processedSends } from "../support/lob-inspect.js";
import { enableSend, makeWorkspace, TEST_API_KEY } from "../support/workspace.js";
import { spawnCli } from "./cli.js";

/**
 * Crash safety: a kill -9 of the CLI at any point of an apply, followed by another apply, leaves
 * exactly one campaign, one creative and one upload per key in Lob, and never two sends. A create
 * killed before its answer is waited for (--settle, short here) before it is judged lost.
 */
const STEPS = ["campaign", "creative", "upload", "file", "send"] as const;
const BOUNDARIES = ["before", "after-response", "after-state"] as const;
const POINTS = STEPS.flatMap((step) => BOUNDARIES.map((b) => `${step}:${b}`));

const emulator = useEmulator({ processingRowsPerSecond: 1_000_000, rateLimit: false });
let n = 0;

function isolatedAccount() {
  const apiKey = `${TEST_API_KEY}crash${(n += 1)}`;
  return { apiKey, env: { LOB_API_KEY: apiKey, LOB_API_URL: emulator.url } };
}

const sendsFor = (apiKey: string) => processedSends(emulator, apiKey);

describe("kill -9 at every step boundary, then apply again", () => {
  it.concurrent.each(POINTS)("%s", async (point) => {
    const ws = makeWorkspace();
    const { apiKey, env } = isolatedAccount();
    try {
      ws.addCampaign("crashy", enableSend);
      const args = ["apply", "--auto-approve", "--allow-send", "--no-wait", "--settle", "1s", ws.dir];
      const crashed = await spawnCli(args, {
        cwd: ws.dir,
        env: { ...env, CAMPAIGNCTL_TEST_CRASH_AT: point },
      });
      expect(crashed.signal, crashed.stderr).toBe("SIGKILL");

      const resumed = await spawnCli(args, { cwd: ws.dir, env });
      expect(resumed.exitCode, resumed.stderr).toBe(0);
      expect(resumed.stderr).toContain("stale state lock");

      const settled = await spawnCli(["plan", "--detailed-exitcode", ws.dir], { cwd: ws.dir, env });
      expect(settled.exitCode, settled.stdout + settled.stderr).toBe(0);

      const census = await censusByKey(emulator, apiKey);
      expect(census).toEqual({ crashy: { campaigns: 1, creatives: 1, uploads: 1, sent: 1 } });
      expect(sendsFor(apiKey)).toBe(1);
    } finally {
      ws.cleanup();
    }
  });
});

describe("kill -9 at random moments", () => {
  it("recovers from a sequence of kills at seeded random delays", async () => {
    const ws = makeWorkspace();
    const { apiKey, env } = isolatedAccount();
    try {
      for (const key of ["rnd-a", "rnd-b", "rnd-c"]) ws.addCampaign(key, enableSend);
      const args = ["apply", "--auto-approve", "--allow-send", "--no-wait", "--settle", "1s", ws.dir];
      let seed = 7;
      const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
      for (let i = 0; i < 6; i += 1) {
        await spawnCli(args, { cwd: ws.dir, env, killAfterMs: 150 + Math.floor(random() * 900) });
      }
      const finished = await spawnCli(args, { cwd: ws.dir, env });
      expect(finished.exitCode, finished.stderr).toBe(0);
      const census = await censusByKey(emulator, apiKey);
      for (const key of ["rnd-a", "rnd-b", "rnd-c"]) {
        expect(census[key], key).toEqual({ campaigns: 1, creatives: 1, uploads: 1, sent: 1 });
      }
      expect(sendsFor(apiKey)).toBe(3);
    } finally {
      ws.cleanup();
    }
  });
});

describe("the emulator's commit-then-drop fault at a high rate", () => {
  it("converges to exactly one of everything per key and one send each", async () => {
    const faulty = await startTestEmulator({
      processingRowsPerSecond: 1_000_000,
      rateLimit: false,
      faults: { rate: 0.3, seed: 42, kinds: ["commit_then_drop"] },
    });
    const ws = makeWorkspace();
    const apiKey = `${TEST_API_KEY}drop`;
    const env = { LOB_API_KEY: apiKey, LOB_API_URL: faulty.url };
    try {
      for (const key of ["drop-a", "drop-b"]) ws.addCampaign(key, enableSend);
      const args = ["apply", "--auto-approve", "--allow-send", "--no-wait", "--settle", "1s", ws.dir];
      let last = await spawnCli(args, { cwd: ws.dir, env });
      let attempts = 1;
      while (last.exitCode !== 0 && attempts < 25) {
        last = await spawnCli(args, { cwd: ws.dir, env });
        attempts += 1;
      }
      expect(last.exitCode, last.stderr).toBe(0);
      const drops = faulty.requests().filter((r) => r.fault === "commit_then_drop").length;
      expect(drops).toBeGreaterThan(5);
      faulty.setFaults(null);
      const census = await censusByKey(faulty, apiKey);
      expect(census).toEqual({
        "drop-a": { campaigns: 1, creatives: 1, uploads: 1, sent: 1 },
        "drop-b": { campaigns: 1, creatives: 1, uploads: 1, sent: 1 },
      });
      expect(processedSends(faulty)).toBe(2);
    } finally {
      ws.cleanup();
      await faulty.close();
    }
  });
});
