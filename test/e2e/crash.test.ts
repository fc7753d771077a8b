import { describe, expect, it } from "vitest";
import { startTestEmulator, useEmulator } from "../support/emulator.js";
import { censusByKey, processedSends } from "../support/lob-inspect.js";
import { enableSend, makeWorkspace, TEST_API_KEY } from "../support/workspace.js";
import { spawnCli } from "./cli.js";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

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

interface RecordOnDisk {
  readonly pending?: { readonly step: string };
  readonly sentAt?: string;
}

/** The state a killed run left behind in `dir`, and whether its lock is still there. */
function leftBehind(dir: string): { lockHeld: boolean; records: Record<string, RecordOnDisk> } {
  const statePath = join(dir, ".campaignctl", "state.json");
  const records = existsSync(statePath)
    ? (JSON.parse(readFileSync(statePath, "utf8")) as { campaigns: Record<string, RecordOnDisk> }).campaigns
    : {};
  // SIGKILL skips the exit handlers: a lock left behind proves the kill landed while apply held it.
  return { lockHeld: existsSync(`${statePath}.lock`), records };
}

/**
 * What the state must show when the kill landed at `point`: before a step's request or after its
 * answer, the step's intent is still pending; after its state write, the step is recorded and the
 * send (unless that was the step) is not.
 */
function expectInterruptedAt(point: string, dir: string): void {
  const [step, boundary] = point.split(":") as [string, string];
  const { lockHeld, records } = leftBehind(dir);
  expect(lockHeld, `${point}: lock left behind`).toBe(true);
  const record = records["crashy"];
  if (boundary === "after-state") {
    expect(record?.pending, point).toBeUndefined();
    if (step === "send") expect(record?.sentAt, point).toBeDefined();
    else expect(record?.sentAt, point).toBeUndefined();
  } else {
    expect(record?.pending?.step, point).toBe(step);
  }
}

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
      expectInterruptedAt(point, ws.dir);

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
      const keys = ["rnd-a", "rnd-b", "rnd-c"];
      for (const key of keys) ws.addCampaign(key, enableSend);
      const args = ["apply", "--auto-approve", "--allow-send", "--no-wait", "--settle", "1s", ws.dir];
      let seed = 7;
      const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
      // Each run is killed a seeded few milliseconds after its first or second finished step, so
      // the kill lands inside the apply (mid-request or mid-save), never before it starts or after
      // it ends; a run that finishes first had nothing left to interrupt and ends the sequence.
      let kills = 0;
      for (let i = 0; i < 6; i += 1) {
        const count = 1 + Math.floor(random() * 2);
        const delayMs = Math.floor(random() * 15);
        const run = await spawnCli(args, {
          cwd: ws.dir,
          env,
          killAfterOutput: { text: "✓", count, delayMs },
        });
        if (run.signal === undefined && run.exitCode === 0) break;
        expect(run.signal, run.stderr).toBe("SIGKILL");
        const left = leftBehind(ws.dir);
        const allSent = keys.every((k) => left.records[k]?.sentAt !== undefined && !left.records[k]?.pending);
        // The apply had finished and released its lock; the kill only caught the process exiting.
        if (!left.lockHeld && allSent) break;
        expect(run.stderr).not.toContain("Apply complete");
        expect(left.lockHeld, `kill ${i + 1}: lock left behind`).toBe(true);
        kills += 1;
      }
      expect(kills).toBeGreaterThanOrEqual(3);
      const finished = await spawnCli(args, { cwd: ws.dir, env });
      expect(finished.exitCode, finished.stderr).toBe(0);
      const census = await censusByKey(emulator, apiKey);
      for (const key of keys) {
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
