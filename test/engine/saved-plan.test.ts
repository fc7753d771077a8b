import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { useEmulator } from "../support/emulator.js";
import { planFingerprint } from "../../src/engine/saved-plan.js";
import { planApply } from "../../src/plan/plan-apply.js";
import { aDesiredCampaign, inputs } from "../plan/builders.js";
import { writeRequests } from "../support/lob-inspect.js";
import type { Workspace } from "../support/workspace.js";
import { makeWorkspace, runInProcess, TEST_API_KEY } from "../support/workspace.js";

describe("planFingerprint", () => {
  it("ignores when the plan was made, but not what it does", () => {
    const send = aDesiredCampaign({ send: { enabled: true } });
    const at10 = planApply(inputs({ desired: [send], now: "2026-11-28T10:00:00.000Z" }));
    const at11 = planApply(inputs({ desired: [send], now: "2026-11-28T11:00:00.000Z" }));
    expect(planFingerprint(at10)).toBe(planFingerprint(at11));
    const renamed = aDesiredCampaign({
      send: { enabled: true },
      campaign: { ...send.campaign, name: "Other" },
    });
    expect(planFingerprint(planApply(inputs({ desired: [renamed] })))).not.toBe(planFingerprint(at10));
  });
});

describe("plan --out / apply --plan", () => {
  const emulator = useEmulator({ rateLimit: false });
  let ws: Workspace;
  let env: Record<string, string>;
  let n = 0;
  beforeEach(() => {
    ws = makeWorkspace();
    env = { LOB_API_KEY: `${TEST_API_KEY}saved${(n += 1)}`, LOB_API_URL: emulator.url };
  });
  afterEach(() => ws.cleanup());
  const cli = (...argv: string[]) => runInProcess(argv, { cwd: ws.dir, env });

  it("applies the reviewed plan without a prompt, using the manifests it was made from", async () => {
    ws.addCampaign("saved-a");
    const planned = await cli("plan", "--out", "reviewed.json", ws.dir);
    expect(planned.code).toBe(0);
    const saved = JSON.parse(readFileSync(join(ws.dir, "reviewed.json"), "utf8"));
    expect(saved).toMatchObject({ format: "campaignctl-plan", version: 1, paths: [ws.dir] });
    const applied = await cli("apply", "--plan", "reviewed.json");
    expect(applied.code, applied.stderr).toBe(0);
    expect((await cli("plan", "--detailed-exitcode", ws.dir)).code).toBe(0);
  });

  it("refuses a plan whose manifests changed since, naming the campaign, and changes nothing", async () => {
    ws.addCampaign("saved-b");
    ws.addCampaign("saved-c");
    expect((await cli("plan", "--out", "reviewed.json", ws.dir)).code).toBe(0);
    ws.editCampaign("saved-c", (y) =>
      y.replace("description: Spring discount", "description: not what was reviewed"),
    );
    emulator.clearRequests();
    const applied = await cli("apply", "--plan", "reviewed.json");
    expect(applied.code).toBe(1);
    expect(applied.stderr).toContain(
      "saved plan reviewed.json is stale: the manifests or Lob changed since it was made (now different: saved-c)",
    );
    expect(writeRequests(emulator)).toEqual([]);
  });

  it("refuses a plan made before another apply changed the state", async () => {
    ws.addCampaign("saved-d");
    expect((await cli("plan", "--out", "reviewed.json", ws.dir)).code).toBe(0);
    expect((await cli("apply", "--auto-approve", ws.dir)).code).toBe(0);
    const applied = await cli("apply", "--plan", "reviewed.json");
    expect(applied.code).toBe(1);
    expect(applied.stderr).toMatch(
      /stale: the state was changed by another operation after the plan was made \(serial 0 → \d+\)/,
    );
  });

  it("says clearly when the plan cannot be written", async () => {
    ws.addCampaign("saved-f");
    const planned = await cli("plan", "--out", "no-such-dir/plan.json", ws.dir);
    expect(planned.code).toBe(1);
    expect(planned.stderr).toContain("cannot write the plan to no-such-dir/plan.json (ENOENT)");
    expect(planned.stderr).not.toContain("this is a bug");
  });

  it("says clearly when the file is not a saved plan", async () => {
    ws.addCampaign("saved-e");
    const applied = await cli("apply", "--plan", "missing.json", ws.dir);
    expect(applied.code).toBe(1);
    expect(applied.stderr).toContain("cannot read the saved plan missing.json (ENOENT)");
  });
});
