import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { acquireLock } from "../../src/state/index.js";
import type { Workspace } from "../support/workspace.js";
import { enableSend, makeWorkspace } from "../support/workspace.js";
import { spawnCli } from "./cli.js";

let ws: Workspace;
beforeEach(() => {
  ws = makeWorkspace();
});
afterEach(() => ws.cleanup());

const run = (args: string[]) => spawnCli(args, { cwd: ws.dir, env: { LOB_API_KEY: "", LOB_API_URL: "" } });
const ISO = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/;

describe("campaignctl sandbox clock (the built CLI)", () => {
  it("advances the sandbox's clock past a cancel window: destroy --sandbox then refuses, naming the deadline", async () => {
    ws.addCampaign("clocked", (y) =>
      enableSend(y).replace("cancel_window_campaign_minutes: 120", "cancel_window_campaign_minutes: 60"),
    );
    const sent = await run(["apply", "--sandbox", "--auto-approve", "--allow-send", "."]);
    expect(sent.exitCode, sent.stderr).toBe(0);

    const before = await run(["sandbox", "clock"]);
    expect(before.exitCode, before.stderr).toBe(0);
    expect(before.stdout).toMatch(new RegExp(`^Sandbox clock: ${ISO.source} \\(the same as real time\\)$`));

    const advanced = await run(["sandbox", "clock", "advance", "2h"]);
    expect(advanced.exitCode, advanced.stderr).toBe(0);
    expect(advanced.stdout).toMatch(/\(advanced by 2h; 2h ahead of real time\)/);
    const shown = Date.parse(ISO.exec(advanced.stdout)![0]);
    expect(Math.abs(shown - (Date.now() + 2 * 3_600_000))).toBeLessThan(60_000);
    // The clock lives with the sandbox's data, and the lock it took is gone again.
    const data = JSON.parse(readFileSync(join(ws.dir, ".campaignctl/sandbox/emulator/state.json"), "utf8"));
    expect(data.clockOffsetMs).toBe(2 * 3_600_000);
    expect(existsSync(join(ws.dir, ".campaignctl/sandbox/state.json.lock"))).toBe(false);

    const destroyed = await run(["destroy", "--sandbox", "--auto-approve", "."]);
    expect(destroyed.exitCode).toBe(1);
    expect(destroyed.stdout).toMatch(new RegExp(`clocked.*\\n.*cancel window closed at ${ISO.source}`));
    expect(destroyed.stdout).toContain("Plan: 0 to delete, 0 to CANCEL, 1 refused.");
  });

  it("never moves the clock under a running --sandbox apply: it needs the sandbox state's lock", async () => {
    const lock = await acquireLock(
      join(ws.dir, ".campaignctl/sandbox/state.json"),
      { command: "apply" },
      { timeoutMs: 0 },
    );
    try {
      const refused = await run(["sandbox", "clock", "advance", "1h"]);
      expect(refused.exitCode).toBe(1);
      expect(refused.stderr).toContain("is locked");
      expect(refused.stderr).toContain("--lock-timeout");
      expect(existsSync(join(ws.dir, ".campaignctl/sandbox/emulator/state.json"))).toBe(false);
    } finally {
      await lock.release();
    }
    const after = await run(["sandbox", "clock", "advance", "1h"]);
    expect(after.exitCode, after.stderr).toBe(0);
    expect(after.stdout).toContain("(advanced by 1h; 1h ahead of real time)");
  });

  it("rejects what it cannot do with exit 1, a message and a hint, never a stack trace", async () => {
    for (const [args, message] of [
      [["sandbox", "clock", "advance", "soon"], "the clock advance 'soon' is not a duration"],
      [["sandbox", "clock", "advance"], "say how far to advance the clock"],
      [["sandbox", "clock", "rewind", "1h"], "unknown clock action 'rewind'"],
      [["sandbox", "weather"], "unknown sandbox control 'weather'"],
    ] as const) {
      const result = await run([...args]);
      expect(result.exitCode, args.join(" ")).toBe(1);
      expect(result.stderr).toContain(message);
      expect(result.stderr).toContain("hint:");
      expect(result.stderr).not.toMatch(/\n\s+at /);
    }
    expect(existsSync(join(ws.dir, ".campaignctl"))).toBe(false);
  });
});
