import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { useEmulator } from "../support/emulator.js";
import { censusByKey, processedSends, writeRequests } from "../support/lob-inspect.js";
import type { Workspace } from "../support/workspace.js";
import {
  audienceCells,
  enableSend,
  makeWorkspace,
  runInProcess,
  TEST_API_KEY,
} from "../support/workspace.js";

const emulator = useEmulator({ processingRowsPerSecond: 1_000_000 });
let ws: Workspace;
let env: Record<string, string>;
let apiKey: string;
let testNumber = 0;

beforeEach(() => {
  ws = makeWorkspace();
  // Each emulator key is its own account: a fresh key per test keeps tests independent.
  apiKey = `${TEST_API_KEY}${(testNumber += 1)}`;
  env = { LOB_API_KEY: apiKey, LOB_API_URL: emulator.url };
  emulator.clearRequests();
});
afterEach(() => ws.cleanup());

const cli = (...argv: string[]) => runInProcess(argv, { cwd: ws.dir, env });

describe("apply against the emulator", () => {
  it("converges: after apply, plan has no changes and a second apply makes no write request", async () => {
    ws.addCampaign("conv-a");
    ws.addCampaign("conv-b");
    const first = await cli("apply", "--auto-approve", ws.dir);
    expect(first.stderr).not.toContain("Error");
    expect(first.code).toBe(0);
    expect(first.stdout).toContain("Plan: 2 to create");

    const plan = await cli("plan", "--detailed-exitcode", ws.dir);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain("No changes.");

    emulator.clearRequests();
    const second = await cli("apply", "--auto-approve", ws.dir);
    expect(second.code).toBe(0);
    expect(writeRequests(emulator)).toEqual([]);

    const census = await censusByKey(emulator, apiKey);
    expect(census["conv-a"]).toEqual({ campaigns: 1, creatives: 1, uploads: 1, sent: 0 });
    expect(census["conv-b"]).toEqual({ campaigns: 1, creatives: 1, uploads: 1, sent: 0 });
  });

  it("applies many campaigns in parallel without losing a state update", async () => {
    const keys = Array.from({ length: 12 }, (_, i) => `par-${String(i).padStart(2, "0")}`);
    for (const key of keys) ws.addCampaign(key);
    const run = await cli("apply", "--auto-approve", "--parallelism", "4", ws.dir);
    expect(run.code, run.stderr).toBe(0);
    const state = JSON.parse(readFileSync(join(ws.dir, ".campaignctl/state.json"), "utf8"));
    expect(Object.keys(state.campaigns).sort()).toEqual(keys);
    for (const key of keys) {
      expect(state.campaigns[key]).toMatchObject({ key, applied: { audienceRows: 12 } });
      expect(state.campaigns[key].pending).toBeUndefined();
    }
    const census = await censusByKey(emulator, apiKey);
    for (const key of keys)
      expect(census[key], key).toEqual({ campaigns: 1, creatives: 1, uploads: 1, sent: 0 });
    expect((await cli("plan", "--detailed-exitcode", ws.dir)).code).toBe(0);
  });

  it("rejects a --parallelism that is not a whole number from 1 to 64", async () => {
    ws.addCampaign("par-bad");
    const run = await cli("apply", "--auto-approve", "--parallelism", "0", ws.dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("--parallelism '0' is not a whole number from 1 to 64");
    expect(writeRequests(emulator)).toEqual([]);
  });

  it("refuses to plan when no recorded campaign exists for the key (another account), changing nothing", async () => {
    ws.addCampaign("acct-a");
    ws.addCampaign("acct-b");
    expect((await cli("apply", "--auto-approve", ws.dir)).code).toBe(0);
    env = { ...env, LOB_API_KEY: `${apiKey}other` };
    emulator.clearRequests();
    const run = await cli("apply", "--auto-approve", ws.dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("none of the 2 campaigns recorded in");
    expect(run.stderr).toContain("another Lob account");
    expect(writeRequests(emulator)).toEqual([]);
  });

  it("destroy PATH refuses (listing the errors) when a manifest is invalid, and --key still works", async () => {
    ws.addCampaign("broken-later");
    expect((await cli("apply", "--auto-approve", ws.dir)).code).toBe(0);
    ws.editCampaign("broken-later", (y) => y.replace("file: ./audience.csv", "file: ./moved-away.csv"));
    emulator.clearRequests();
    const refused = await cli("destroy", "--auto-approve", ws.dir);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/broken-later\.yaml:\d+:\d+: error FILE_NOT_FOUND/);
    expect(refused.stderr).toContain("--key KEY");
    expect(writeRequests(emulator)).toEqual([]);
    const byKey = await cli("destroy", "--auto-approve", "--key", "broken-later");
    expect(byKey.code, byKey.stderr).toBe(0);
    expect((await censusByKey(emulator, apiKey))["broken-later"]).toBeUndefined();
  });

  it("refuses without a terminal unless --auto-approve, changing nothing", async () => {
    ws.addCampaign("needs-approval");
    const run = await cli("apply", ws.dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("--auto-approve");
    expect(writeRequests(emulator)).toEqual([]);
  });

  it("skips sends without --allow-send, then sends exactly once with it", async () => {
    ws.addCampaign("sender", enableSend);
    const noFlag = await cli("apply", "--auto-approve", ws.dir);
    expect(noFlag.code).toBe(0);
    expect(noFlag.stderr).toContain("SEND skipped");
    expect(processedSends(emulator)).toBe(0);

    const withFlag = await cli("apply", "--auto-approve", "--allow-send", ws.dir);
    expect(withFlag.code).toBe(0);
    expect(withFlag.stderr).toMatch(/Scheduled: 10 pieces validated, 2 rows failed \(of 12\)/);
    expect(processedSends(emulator)).toBe(1);

    const again = await cli("apply", "--auto-approve", "--allow-send", ws.dir);
    expect(again.code).toBe(0);
    expect(processedSends(emulator)).toBe(1);
    const state = JSON.parse(readFileSync(join(ws.dir, ".campaignctl/state.json"), "utf8"));
    expect(state.campaigns.sender.sentAt).toMatch(/^\d{4}-/);
    expect(state.campaigns.sender.cancelDeadline).toMatch(/^\d{4}-/);
  });

  it.each([
    [
      "a campaign field → update in place",
      (y: string) => y.replace("description: Spring discount", "description: New copy"),
      "update campaign",
      "update",
    ],
    [
      "the creative description → update creative",
      (y: string) => y.replace("description: Spring promo 4x6", "description: v2"),
      "update creative",
      "update",
    ],
    [
      "a mapping → update upload",
      (y: string) => y.replace("address_line2: secondary line", "address_line2: null"),
      "update upload",
      "update",
    ],
    [
      "the size → replace campaign",
      (y: string) => y.replace("size: 4x6", "size: 6x9"),
      "replace campaign",
      "replace",
    ],
  ])("a change to %s, then converges", async (_name, edit, action, headline) => {
    ws.addCampaign("changing");
    expect((await cli("apply", "--auto-approve", ws.dir)).code).toBe(0);
    ws.editCampaign("changing", edit);
    const plan = await cli("plan", "--detailed-exitcode", "--format", "json", ws.dir);
    expect(plan.code).toBe(2);
    const parsed = JSON.parse(plan.stdout);
    expect(parsed.campaigns[0].headline).toBe(headline);
    const applied = await cli("apply", "--auto-approve", ws.dir);
    expect(applied.code).toBe(0);
    expect(applied.stderr).toContain(action.split(" ")[0]!);
    expect((await cli("plan", "--detailed-exitcode", ws.dir)).code).toBe(0);
    const census = await censusByKey(emulator, apiKey);
    expect(census.changing).toEqual({ campaigns: 1, creatives: 1, uploads: 1, sent: 0 });
  });

  it("a new audience file replaces the upload and converges", async () => {
    ws.addCampaign("new-audience");
    expect((await cli("apply", "--auto-approve", ws.dir)).code).toBe(0);
    const csv = readFileSync(join(ws.dir, "audience.csv"), "utf8");
    const lines = csv.trimEnd().split("\n");
    writeFileSync(join(ws.dir, "audience.csv"), `${lines.slice(0, -1).join("\n")}\n`);
    const plan = await cli("plan", "--format", "json", ws.dir);
    const kinds = JSON.parse(plan.stdout).campaigns[0].actions.map((a: { kind: string }) => a.kind);
    expect(kinds).toEqual(["replace", "create", "upload_file"]);
    expect((await cli("apply", "--auto-approve", ws.dir)).code).toBe(0);
    expect((await cli("plan", "--detailed-exitcode", ws.dir)).code).toBe(0);
    expect((await censusByKey(emulator, apiKey))["new-audience"]).toEqual({
      campaigns: 1,
      creatives: 1,
      uploads: 1,
      sent: 0,
    });
  });

  it("detects drift made in Lob's dashboard and restores the manifest's value", async () => {
    ws.addCampaign("drifty");
    expect((await cli("apply", "--auto-approve", ws.dir)).code).toBe(0);
    const state = JSON.parse(readFileSync(join(ws.dir, ".campaignctl/state.json"), "utf8"));
    const id = state.campaigns.drifty.campaignId as string;
    const res = await fetch(`${emulator.url}/campaigns/${id}`, {
      method: "PATCH",
      headers: {
        authorization: `Basic ${Buffer.from(`${apiKey}:`).toString("base64")}`,
        "content-type": "application/json",
      },
      body: JSON.stringify({ name: "Renamed in dashboard" }),
    });
    expect(res.status).toBe(200);
    const plan = await cli("plan", "--detailed-exitcode", ws.dir);
    expect(plan.code).toBe(2);
    expect(plan.stdout).toContain("[drift]");
    expect(plan.stdout).toContain('name: "Renamed in dashboard" → "drifty"');
    expect((await cli("apply", "--auto-approve", ws.dir)).code).toBe(0);
    expect((await cli("plan", "--detailed-exitcode", ws.dir)).code).toBe(0);
  });

  it("blocks changes to a sent campaign and exits 1 without attempting them", async () => {
    ws.addCampaign("sent-then-edited", enableSend);
    expect((await cli("apply", "--auto-approve", "--allow-send", ws.dir)).code).toBe(0);
    ws.editCampaign("sent-then-edited", (y) =>
      y.replace("description: Spring discount", "description: too late"),
    );
    emulator.clearRequests();
    const run = await cli("apply", "--auto-approve", "--allow-send", ws.dir);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("Lob cannot change a sent campaign");
    expect(writeRequests(emulator)).toEqual([]);
  });

  it("deletes a draft whose manifest was removed", async () => {
    ws.addCampaign("keep");
    ws.addCampaign("drop");
    expect((await cli("apply", "--auto-approve", ws.dir)).code).toBe(0);
    rmSync(ws.manifest("drop"));
    const run = await cli("apply", "--auto-approve", ws.dir);
    expect(run.code).toBe(0);
    const census = await censusByKey(emulator, apiKey);
    expect(census.drop).toBeUndefined();
    expect(census.keep?.campaigns).toBe(1);
  });

  it("never lets the API key or an audience cell into output, plan or state", async () => {
    ws.addCampaign("leaky", enableSend);
    const outputs = [
      await cli("plan", ws.dir),
      await cli("plan", "--format", "json", ws.dir),
      await cli("plan", "--format", "markdown", ws.dir),
      await cli("apply", "--auto-approve", "--allow-send", ws.dir),
      await cli("failures", "leaky", "--out", join(ws.dir, "failed.csv")),
      await cli("destroy", "--auto-approve", ws.dir),
    ];
    const text = [
      ...outputs.flatMap((o) => [o.stdout, o.stderr]),
      readFileSync(join(ws.dir, ".campaignctl/state.json"), "utf8"),
      readFileSync(join(ws.dir, ".campaignctl/state.json.backup"), "utf8"),
    ].join("\n");
    expect(outputs.map((o) => o.code)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(text).not.toContain(apiKey);
    for (const cell of audienceCells(join(ws.dir, "audience.csv"))) {
      // Column names are not personal data; only cells are checked.
      expect(text, `audience cell leaked`).not.toContain(cell);
    }
  });
});
