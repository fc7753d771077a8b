import { copyFileSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { useEmulator } from "../support/emulator.js";
import { parseState } from "../../src/state/index.js";
import { censusByKey, processedSends } from "../support/lob-inspect.js";
import { enableSend, makeWorkspace, TEST_API_KEY } from "../support/workspace.js";
import { spawnCli } from "./cli.js";

/**
 * Issue 8: whatever state a run starts from (none, an older copy, one that destroyed the key, one
 * whose create got no answer), Lob decides whether a campaign exists, and nothing is mailed twice.
 * Every test runs the built CLI against the emulator with sends enabled and ends by counting what
 * Lob holds per key and the sends it processed.
 */
// Several CLI runs per test (and settle waits): generous on a loaded two-core machine.
vi.setConfig({ testTimeout: 90_000 });

const emulator = useEmulator({ processingRowsPerSecond: 1_000_000, rateLimit: false });
let n = 0;

function account() {
  const apiKey = `${TEST_API_KEY}twice${(n += 1)}`;
  return { apiKey, env: { LOB_API_KEY: apiKey, LOB_API_URL: emulator.url } };
}

const applyArgs = (dir: string, ...extra: string[]) => [
  "apply",
  "--auto-approve",
  "--allow-send",
  "--no-wait",
  ...extra,
  dir,
];

/**
 * POSTs to /campaigns the emulator processed since log entry `before`, dropped connections included
 * (the tests of this file run one after another, so that is this test's account).
 */
function campaignCreates(before: number): number {
  return emulator
    .requests()
    .slice(before)
    .filter((r) => r.endpoint === "POST /campaigns" && (r.status === 200 || r.status === 0)).length;
}

async function createUnmanaged(apiKey: string, count: number): Promise<void> {
  const auth = `Basic ${Buffer.from(`${apiKey}:`).toString("base64")}`;
  for (let i = 0; i < count; i += 1) {
    const res = await fetch(`${emulator.url}/campaigns`, {
      method: "POST",
      headers: { authorization: auth, "content-type": "application/json" },
      body: JSON.stringify({ name: `unmanaged ${i}`, schedule_type: "immediate", use_type: "marketing" }),
    });
    if (!res.ok) throw new Error(`create unmanaged → ${res.status}`);
  }
}

describe("the state is missing", () => {
  it("refuses to create the keys Lob already holds, naming each campaign and the ways on", async () => {
    const ws = makeWorkspace();
    const { apiKey, env } = account();
    try {
      ws.addCampaign("lost-a", enableSend);
      ws.addCampaign("lost-b");
      const first = await spawnCli(applyArgs(ws.dir), { cwd: ws.dir, env });
      expect(first.exitCode, first.stderr).toBe(0);
      const state = parseState(readFileSync(join(ws.dir, ".campaignctl/state.json"), "utf8"), "state");
      const idA = state.campaigns["lost-a"]!.campaignId!;
      const idB = state.campaigns["lost-b"]!.campaignId!;

      rmSync(join(ws.dir, ".campaignctl"), { recursive: true, force: true });
      const again = await spawnCli(applyArgs(ws.dir), { cwd: ws.dir, env });
      expect(again.exitCode, again.stdout + again.stderr).toBe(1);
      const out = again.stdout + again.stderr;
      expect(out).toContain(`campaign ${idA} (SENT`);
      expect(out).toContain(`campaign ${idB} (a draft, not sent)`);
      expect(out).toContain(`campaignctl import lost-a ${idA}`);
      expect(out).toContain("campaignctl state rebuild");
      // No project file: say that 'default' is shared by every repository without one.
      expect(out).toContain("campaignctl.yaml with 'project: NAME'");
      expect(out).toContain("0 to create");

      expect(await censusByKey(emulator, apiKey)).toEqual({
        "lost-a": { campaigns: 1, creatives: 1, uploads: 1, sent: 1 },
        "lost-b": { campaigns: 1, creatives: 1, uploads: 1, sent: 0 },
      });
      expect(processedSends(emulator, apiKey)).toBe(1);
    } finally {
      ws.cleanup();
    }
  });
});

describe("an older copy of the state, with 150 newer campaigns in the account", () => {
  it("reads every page before creating, finds the campaign the copy does not record, and refuses", async () => {
    const ws = makeWorkspace();
    const { apiKey, env } = account();
    const statePath = join(ws.dir, ".campaignctl/state.json");
    try {
      ws.addCampaign("early", enableSend);
      expect((await spawnCli(applyArgs(ws.dir), { cwd: ws.dir, env })).exitCode).toBe(0);
      copyFileSync(statePath, join(ws.dir, "old-state.json"));

      ws.addCampaign("later", enableSend);
      const second = await spawnCli(applyArgs(ws.dir), { cwd: ws.dir, env });
      expect(second.exitCode, second.stderr).toBe(0);
      const laterId = parseState(readFileSync(statePath, "utf8"), "state").campaigns.later!.campaignId!;
      await createUnmanaged(apiKey, 150);

      copyFileSync(join(ws.dir, "old-state.json"), statePath);
      const before = emulator.requests().length;
      const again = await spawnCli(applyArgs(ws.dir), { cwd: ws.dir, env });
      expect(again.exitCode, again.stdout + again.stderr).toBe(1);
      expect(again.stdout + again.stderr).toContain(`campaign ${laterId} (SENT`);
      expect(again.stdout + again.stderr).toContain(`campaignctl import later ${laterId}`);
      // The campaign sits past the first page (newest first): every page was read.
      const pages = emulator
        .requests()
        .slice(before)
        .filter((r) => r.endpoint === "GET /campaigns").length;
      expect(pages).toBeGreaterThanOrEqual(2);
      expect(campaignCreates(before)).toBe(0);

      const census = await censusByKey(emulator, apiKey);
      expect(census.early).toEqual({ campaigns: 1, creatives: 1, uploads: 1, sent: 1 });
      expect(census.later).toEqual({ campaigns: 1, creatives: 1, uploads: 1, sent: 1 });
      expect(census["(untagged)"]?.campaigns).toBe(150);
      expect(processedSends(emulator, apiKey)).toBe(2);
    } finally {
      ws.cleanup();
    }
  });
});

describe("destroy, then apply", () => {
  it("keeps a destroyed key destroyed (exit 0, a warning in every format) until --recreate", async () => {
    const ws = makeWorkspace();
    const { apiKey, env } = account();
    try {
      ws.addCampaign("gone", enableSend);
      const before = emulator.requests().length;
      expect((await spawnCli(applyArgs(ws.dir), { cwd: ws.dir, env })).exitCode).toBe(0);
      const destroyed = await spawnCli(["destroy", "--auto-approve", ws.dir], { cwd: ws.dir, env });
      expect(destroyed.exitCode, destroyed.stderr).toBe(0);
      expect(destroyed.stdout).toContain("CANCEL");

      const again = await spawnCli(applyArgs(ws.dir), { cwd: ws.dir, env });
      expect(again.exitCode, again.stdout + again.stderr).toBe(0);
      expect(again.stdout).toMatch(
        /Warning: gone: destroyed at \S+ \(campaign cmp_\w+ cancelled\); not re-created/,
      );
      expect(again.stdout).toContain("campaignctl apply --recreate gone");
      expect(again.stdout).toContain("0 to create");

      const plan = await spawnCli(["plan", "--detailed-exitcode", ws.dir], { cwd: ws.dir, env });
      expect(plan.exitCode, plan.stdout + plan.stderr).toBe(0);
      expect(plan.stdout).toContain("not re-created");
      const json = await spawnCli(["plan", "--format", "json", ws.dir], { cwd: ws.dir, env });
      const parsed = JSON.parse(json.stdout) as { warnings: string[]; hasChanges: boolean };
      expect(parsed.hasChanges).toBe(false);
      expect(parsed.warnings).toEqual([expect.stringMatching(/^gone: destroyed at .*not re-created/)]);
      const markdown = await spawnCli(["plan", "--format", "markdown", ws.dir], { cwd: ws.dir, env });
      expect(markdown.stdout).toMatch(/> \*\*Warning:\*\* gone: destroyed at .*not re-created/);

      const status = await spawnCli(["status"], { cwd: ws.dir, env });
      expect(status.exitCode, status.stderr).toBe(0);
      expect(status.stdout).toMatch(/gone: cancelled at \S+ \(cmp_\w+\); not re-created/);
      expect(status.stdout).not.toContain("No campaigns in the state yet");

      expect(campaignCreates(before)).toBe(1);

      // Asked for by name, it is created again; the send still needs --allow-send.
      const recreated = await spawnCli(
        ["apply", "--auto-approve", "--no-wait", "--recreate", "gone", ws.dir],
        { cwd: ws.dir, env },
      );
      expect(recreated.exitCode, recreated.stdout + recreated.stderr).toBe(0);
      expect(recreated.stderr).toContain("SEND skipped");
      expect(campaignCreates(before)).toBe(2);
      expect(await censusByKey(emulator, apiKey)).toEqual({
        gone: { campaigns: 1, creatives: 1, uploads: 1, sent: 0 },
      });
      const state = parseState(readFileSync(join(ws.dir, ".campaignctl/state.json"), "utf8"), "state");
      expect(state.destroyed).toBeUndefined();
      // One send in all: the cancelled one. The census only sees live campaigns, so count the log.
      const sends = emulator
        .requests()
        .slice(before)
        .filter((r) => r.endpoint === "POST /campaigns/{id}/send" && r.status === 200).length;
      expect(sends).toBe(1);
    } finally {
      ws.cleanup();
    }
  });
});

describe("a create that completes after the client gave up", () => {
  const lateEnv = (env: Record<string, string>) => ({ ...env, CAMPAIGNCTL_REQUEST_TIMEOUT_MS: "1000" });

  // The create lands 10 s after it was sent; the client gives up after 1 s. The runs before it
  // lands (a few seconds, even on a loaded machine) see nothing and must wait out the 14 s settle.
  it("is waited for (settle time), then adopted: one campaign, one send", async () => {
    const ws = makeWorkspace();
    const { apiKey, env } = account();
    try {
      ws.addCampaign("late", enableSend);
      emulator.injectNext("complete_after_disconnect", { endpoint: "POST /campaigns", delayMs: 10_000 });
      const before = emulator.requests().length;
      const first = await spawnCli(applyArgs(ws.dir, "--settle", "14s"), { cwd: ws.dir, env: lateEnv(env) });
      expect(first.exitCode, first.stderr).toBe(1);
      expect(first.stderr).toContain("looks for what was created before creating anything");

      const plan = await spawnCli(["plan", "--settle", "14s", ws.dir], { cwd: ws.dir, env: lateEnv(env) });
      expect(plan.stdout).toContain("is waiting for an earlier create to settle");
      expect(plan.stdout).toContain("1 waiting");

      const second = await spawnCli(applyArgs(ws.dir, "--settle", "14s"), { cwd: ws.dir, env: lateEnv(env) });
      expect(second.exitCode, second.stdout + second.stderr).toBe(0);
      expect(second.stderr).toMatch(/Waiting \d+ s .* to settle/);
      expect(second.stdout).toContain("adopt campaign");

      expect(campaignCreates(before)).toBe(1);
      expect(await censusByKey(emulator, apiKey)).toEqual({
        late: { campaigns: 1, creatives: 1, uploads: 1, sent: 1 },
      });
      expect(processedSends(emulator, apiKey)).toBe(1);
    } finally {
      ws.cleanup();
    }
  });

  it("with no settle time, the late draft is deleted as a duplicate on the next run, never sent", async () => {
    const ws = makeWorkspace();
    const { apiKey, env } = account();
    try {
      ws.addCampaign("dup", enableSend);
      emulator.injectNext("complete_after_disconnect", { endpoint: "POST /campaigns", delayMs: 8_000 });
      const first = await spawnCli(applyArgs(ws.dir, "--settle", "0s"), { cwd: ws.dir, env: lateEnv(env) });
      expect(first.exitCode, first.stderr).toBe(1);
      const second = await spawnCli(applyArgs(ws.dir, "--settle", "0s"), { cwd: ws.dir, env: lateEnv(env) });
      expect(second.exitCode, second.stdout + second.stderr).toBe(0);
      // The first create lands now, as an orphan draft with our tags.
      await waitFor(async () => (await censusByKey(emulator, apiKey)).dup?.campaigns === 2);

      const third = await spawnCli(applyArgs(ws.dir), { cwd: ws.dir, env });
      expect(third.exitCode, third.stdout + third.stderr).toBe(0);
      expect(third.stdout).toMatch(/- delete campaign cmp_\w+ \(duplicate draft for the same key/);
      const settled = await spawnCli(["plan", "--detailed-exitcode", ws.dir], { cwd: ws.dir, env });
      expect(settled.exitCode, settled.stdout).toBe(0);
      expect(await censusByKey(emulator, apiKey)).toEqual({
        dup: { campaigns: 1, creatives: 1, uploads: 1, sent: 1 },
      });
      expect(processedSends(emulator, apiKey)).toBe(1);
    } finally {
      ws.cleanup();
    }
  });
});

async function waitFor(check: () => Promise<boolean> | boolean, timeoutMs = 15_000): Promise<void> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 100));
  }
}
