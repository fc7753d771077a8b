import { appendFileSync, existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { useEmulator } from "../support/emulator.js";
import { makeWorkspace, runInProcess, TEST_API_KEY } from "../support/workspace.js";

const emulator = useEmulator({ rateLimit: false, processingRowsPerSecond: 1_000_000 });
let n = 0;

function account() {
  return { LOB_API_KEY: `${TEST_API_KEY}hist${(n += 1)}`, LOB_API_URL: emulator.url };
}

describe("state history", () => {
  it("lists the versions apply and state rm wrote, newest first, in text and JSON", async () => {
    const ws = makeWorkspace();
    const env = account();
    try {
      ws.addCampaign("hist-a");
      ws.addCampaign("hist-b");
      const applied = await runInProcess(["apply", "--auto-approve", "--no-wait", ws.dir], {
        cwd: ws.dir,
        env,
      });
      expect(applied.code, applied.stderr).toBe(0);
      const rm = await runInProcess(["state", "rm", "hist-b"], { cwd: ws.dir, env });
      expect(rm.code, rm.stderr).toBe(0);

      const json = await runInProcess(["state", "history", "--format", "json", "--limit", "3"], {
        cwd: ws.dir,
        env,
      });
      expect(json.code, json.stderr).toBe(0);
      const { history } = JSON.parse(json.stdout) as {
        history: { serial: number; at: string; command: string; keys: string[] }[];
      };
      expect(history).toHaveLength(3);
      expect(history[0]).toMatchObject({ command: "state rm", keys: ["hist-b"] });
      expect(history[1]!.command).toBe("apply");
      expect(history.map((h) => h.serial)).toEqual([
        history[0]!.serial,
        history[0]!.serial - 1,
        history[0]!.serial - 2,
      ]);
      const state = JSON.parse(readFileSync(join(ws.dir, ".campaignctl/state.json"), "utf8")) as {
        serial: number;
      };
      expect(history[0]!.serial).toBe(state.serial);

      const text = await runInProcess(["state", "history"], { cwd: ws.dir, env });
      expect(text.code, text.stderr).toBe(0);
      const lines = text.stdout.trimEnd().split("\n");
      expect(lines[0]).toMatch(/^SERIAL\s+TIME\s+COMMAND\s+KEYS$/);
      expect(lines[1]).toMatch(new RegExp(`^${state.serial}\\s+\\S+Z\\s+state rm\\s+hist-b$`));
      // Every apply step is a version: at least the campaign, creative, upload and file of each key.
      expect(lines.length - 1).toBeGreaterThanOrEqual(9);

      const bad = await runInProcess(["state", "history", "--limit", "0"], { cwd: ws.dir, env });
      expect(bad.code).toBe(1);
      expect(bad.stderr).toContain("--limit '0'");
    } finally {
      ws.cleanup();
    }
  });
});

describe("artwork blobs beside the state", () => {
  it("keeps applied HTML in state.json.blobs/, diffs against it, and says so when it is gone", async () => {
    const ws = makeWorkspace();
    const env = account();
    try {
      ws.addCampaign("blob-a");
      const html = readFileSync(join(ws.dir, "front.html"));
      const sha = createHash("sha256").update(html).digest("hex");
      const applied = await runInProcess(["apply", "--auto-approve", "--no-wait", ws.dir], {
        cwd: ws.dir,
        env,
      });
      expect(applied.code, applied.stderr).toBe(0);
      const blobs = join(ws.dir, ".campaignctl", "state.json.blobs");
      expect(readdirSync(blobs)).toEqual([sha]);
      expect(existsSync(join(ws.dir, ".campaignctl", "artwork"))).toBe(false);

      appendFileSync(join(ws.dir, "front.html"), "<p>A new line for the diff</p>\n");
      const withDiff = await runInProcess(["plan", ws.dir], { cwd: ws.dir, env });
      expect(withDiff.code, withDiff.stderr).toBe(0);
      expect(withDiff.stdout).toContain("HTML diff");
      expect(withDiff.stdout).toContain("+<p>A new line for the diff</p>");
      expect(withDiff.stdout).not.toContain("not available");

      rmSync(blobs, { recursive: true });
      const without = await runInProcess(["plan", ws.dir], { cwd: ws.dir, env });
      expect(without.code, without.stderr).toBe(0);
      expect(without.stdout).toContain(
        `previous artwork front sha256:${sha.slice(0, 12)}… not available: HTML diff not shown`,
      );
      expect(without.stdout).not.toContain("+<p>A new line for the diff</p>");
    } finally {
      ws.cleanup();
    }
  });
});
