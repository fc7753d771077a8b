import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { useEmulator } from "../support/emulator.js";
import type { Campaign } from "../../src/lob/wire.js";
import { parseState } from "../../src/state/index.js";
import type { StateFile } from "../../src/state/types.js";
import { censusByKey, lobGet, processedSends } from "../support/lob-inspect.js";
import { enableSend, makeWorkspace, TEST_API_KEY } from "../support/workspace.js";
import type { Workspace } from "../support/workspace.js";
import { spawnCli } from "./cli.js";

/**
 * Issue 8 §3: state list/show/rm/mv/rebuild and import, through the built CLI against the
 * emulator, with Lob accepting and refusing a metadata change on a sent campaign (undocumented).
 */
// Several CLI runs per test (and settle waits): generous on a loaded two-core machine.
vi.setConfig({ testTimeout: 90_000 });

const emulator = useEmulator({ processingRowsPerSecond: 1_000_000, rateLimit: false });
let n = 0;

function account() {
  const apiKey = `${TEST_API_KEY}state${(n += 1)}`;
  return { apiKey, env: { LOB_API_KEY: apiKey, LOB_API_URL: emulator.url } };
}

function readState(ws: Workspace): StateFile {
  const path = join(ws.dir, ".campaignctl/state.json");
  return parseState(readFileSync(path, "utf8"), path);
}

async function applyAll(ws: Workspace, env: Record<string, string>): Promise<void> {
  const run = await spawnCli(["apply", "--auto-approve", "--allow-send", "--no-wait", ws.dir], {
    cwd: ws.dir,
    env,
  });
  expect(run.exitCode, run.stderr).toBe(0);
}

async function tagsOf(apiKey: string, id: string): Promise<Record<string, string>> {
  const campaign = await lobGet<Campaign>(emulator, apiKey, `/campaigns/${id}`);
  return Object.fromEntries(
    Object.entries(campaign.metadata ?? {}).filter(([k]) => k.startsWith("campaignctl_")),
  );
}

describe("state rebuild", () => {
  it("records what Lob holds for the project, and the next plan --detailed-exitcode exits 0", async () => {
    const ws = makeWorkspace();
    const { apiKey, env } = account();
    try {
      ws.addCampaign("rb-sent", enableSend);
      ws.addCampaign("rb-draft");
      await applyAll(ws, env);
      const lost = readState(ws);
      rmSync(join(ws.dir, ".campaignctl"), { recursive: true, force: true });

      const rebuilt = await spawnCli(["state", "rebuild"], { cwd: ws.dir, env });
      expect(rebuilt.exitCode, rebuilt.stderr).toBe(0);
      expect(rebuilt.stdout).toContain("2 campaign(s)");
      const state = readState(ws);
      expect(state.lineage).toBe(lost.lineage);
      expect(state.campaigns["rb-sent"]).toMatchObject({
        campaignId: lost.campaigns["rb-sent"]!.campaignId,
        creativeId: lost.campaigns["rb-sent"]!.creativeId,
        uploadId: lost.campaigns["rb-sent"]!.uploadId,
        sentAt: lost.campaigns["rb-sent"]!.sentAt,
        cancelDeadline: lost.campaigns["rb-sent"]!.cancelDeadline,
        applied: { unknown: ["creativeContentHash", "audienceSha256"] },
      });
      expect(state.campaigns["rb-draft"]!.sentAt).toBeUndefined();

      const plan = await spawnCli(["plan", "--detailed-exitcode", ws.dir], { cwd: ws.dir, env });
      expect(plan.exitCode, plan.stdout + plan.stderr).toBe(0);
      const json = await spawnCli(["plan", "--format", "json", ws.dir], { cwd: ws.dir, env });
      const parsed = JSON.parse(json.stdout) as {
        campaigns: { key: string; notes: { code: string; text: string }[] }[];
      };
      const draftNotes = parsed.campaigns.find((c) => c.key === "rb-draft")!.notes;
      expect(draftNotes).toContainEqual({
        code: "audience_hash_unknown",
        text: expect.stringContaining("cannot compare the audience file"),
      });
      expect(draftNotes).toContainEqual({
        code: "artwork_hash_unknown",
        text: expect.stringContaining("cannot compare the artwork"),
      });

      expect(await censusByKey(emulator, apiKey)).toEqual({
        "rb-sent": { campaigns: 1, creatives: 1, uploads: 1, sent: 1 },
        "rb-draft": { campaigns: 1, creatives: 1, uploads: 1, sent: 0 },
      });
      expect(processedSends(emulator, apiKey)).toBe(1);
    } finally {
      ws.cleanup();
    }
  });

  it("works on --sandbox", async () => {
    const ws = makeWorkspace();
    try {
      ws.addCampaign("sbx");
      const env: Record<string, string> = {};
      const applied = await spawnCli(["apply", "--sandbox", "--auto-approve", ws.dir], { cwd: ws.dir, env });
      expect(applied.exitCode, applied.stderr).toBe(0);
      rmSync(join(ws.dir, ".campaignctl/sandbox/state.json"), { force: true });
      const rebuilt = await spawnCli(["state", "rebuild", "--sandbox"], { cwd: ws.dir, env });
      expect(rebuilt.exitCode, rebuilt.stderr).toBe(0);
      const list = await spawnCli(["state", "list", "--sandbox"], { cwd: ws.dir, env });
      expect(list.stdout).toMatch(/^sbx {2}cmp_\w+ {2}draft/m);
      const plan = await spawnCli(["plan", "--sandbox", "--detailed-exitcode", ws.dir], { cwd: ws.dir, env });
      expect(plan.exitCode, plan.stdout + plan.stderr).toBe(0);
    } finally {
      ws.cleanup();
    }
  });
});

describe("import", () => {
  it("tags and records a campaign made elsewhere; the plan then shows only the manifest's differences", async () => {
    const ws = makeWorkspace();
    const { apiKey, env } = account();
    try {
      ws.addCampaign("imported");
      // Made in "the dashboard": same fields as the manifest but its name, no tags, no creative.
      const res = await fetch(`${emulator.url}/campaigns`, {
        method: "POST",
        headers: {
          authorization: `Basic ${Buffer.from(`${apiKey}:`).toString("base64")}`,
          "content-type": "application/json",
        },
        body: JSON.stringify({
          name: "Made by hand",
          description: "Spring discount for returning customers",
          schedule_type: "immediate",
          use_type: "marketing",
          cancel_window_campaign_minutes: 120,
          metadata: { team: "growth" },
        }),
      });
      const made = (await res.json()) as Campaign;

      const imported = await spawnCli(["import", "imported", made.id], { cwd: ws.dir, env });
      expect(imported.exitCode, imported.stderr).toBe(0);
      expect(imported.stdout).toContain(`Imported campaign ${made.id} as 'imported' (tagged in Lob)`);
      expect(await tagsOf(apiKey, made.id)).toEqual({
        campaignctl_key: "imported",
        campaignctl_lineage: readState(ws).lineage,
        campaignctl_project: "default",
      });

      const plan = await spawnCli(["plan", ws.dir], { cwd: ws.dir, env });
      expect(plan.exitCode, plan.stderr).toBe(0);
      expect(plan.stdout).toContain(`~ update campaign ${made.id}`);
      expect(plan.stdout).toContain('name: "Made by hand" → "imported"');
      expect(plan.stdout).not.toContain("create campaign");
      expect(plan.stdout).not.toContain("metadata.");
      expect(plan.stdout).toContain("0 to create, 1 to update");

      expect(await censusByKey(emulator, apiKey)).toEqual({
        imported: { campaigns: 1, creatives: 0, uploads: 0, sent: 0 },
      });
    } finally {
      ws.cleanup();
    }
  });

  it.each([
    ["refuses", false],
    ["accepts", true],
  ])(
    "imports a sent campaign when Lob %s the tag (a refusal is recorded anyway, with a warning)",
    async (_what, accept) => {
      const ws = makeWorkspace();
      const other = makeWorkspace();
      const { apiKey, env } = account();
      try {
        // Sent from another state (another lineage): Lob refuses metadata changes after send by default.
        other.addCampaign("elsewhere", enableSend);
        await applyAll(other, env);
        const id = readState(other).campaigns.elsewhere!.campaignId!;
        ws.addCampaign("adopted", (y) => enableSend(y).replace("name: adopted", "name: elsewhere"));

        const imported = await spawnCli(["import", "adopted", id], { cwd: ws.dir, env });
        expect(imported.exitCode, imported.stderr).toBe(1);
        expect(imported.stderr).toContain("carries key 'elsewhere'");

        emulator.setAcceptMetadataAfterSend(accept);
        const asItself = await spawnCli(["import", "elsewhere", id], { cwd: ws.dir, env });
        expect(asItself.exitCode, asItself.stderr).toBe(0);
        expect(readState(ws).campaigns.elsewhere).toMatchObject({ campaignId: id });
        if (accept) {
          expect(asItself.stdout).toContain("(tagged in Lob)");
          expect((await tagsOf(apiKey, id)).campaignctl_lineage).toBe(readState(ws).lineage);
        } else {
          expect(asItself.stderr).toContain("Lob refused to tag sent campaign");
          expect(asItself.stderr).toContain("only the state protects it");
          expect((await tagsOf(apiKey, id)).campaignctl_lineage).toBe(readState(other).lineage);
        }
        expect((await censusByKey(emulator, apiKey)).elsewhere).toMatchObject({ campaigns: 1, sent: 1 });
        expect(processedSends(emulator, apiKey)).toBe(1);
      } finally {
        emulator.setAcceptMetadataAfterSend(false);
        ws.cleanup();
        other.cleanup();
      }
    },
  );
});

describe("state list, show, rm and mv", () => {
  it("lists and shows records", async () => {
    const ws = makeWorkspace();
    const { env } = account();
    try {
      ws.addCampaign("shown");
      await applyAll(ws, env);
      const id = readState(ws).campaigns.shown!.campaignId!;
      const list = await spawnCli(["state", "list"], { cwd: ws.dir, env });
      expect(list.exitCode, list.stderr).toBe(0);
      expect(list.stdout).toBe(`shown  ${id}  draft`);
      const show = await spawnCli(["state", "show", "shown"], { cwd: ws.dir, env });
      expect(JSON.parse(show.stdout)).toMatchObject({ version: 1, record: { key: "shown", campaignId: id } });
      const missing = await spawnCli(["state", "show", "nope"], { cwd: ws.dir, env });
      expect(missing.exitCode).toBe(1);
      expect(missing.stderr).toContain("known keys: shown");
      const bad = await spawnCli(["state", "frob"], { cwd: ws.dir, env });
      expect(bad.exitCode).toBe(1);
      expect(bad.stderr).toContain("use one of: list, show, rm, mv, rebuild");
    } finally {
      ws.cleanup();
    }
  });

  it.each([
    ["accepts", true],
    ["refuses", false],
  ])("rm of a sent campaign when Lob %s the metadata change", async (_what, accept) => {
    const ws = makeWorkspace();
    const { apiKey, env } = account();
    emulator.setAcceptMetadataAfterSend(accept);
    try {
      ws.addCampaign("removed", enableSend);
      await applyAll(ws, env);
      const id = readState(ws).campaigns.removed!.campaignId!;
      const rm = await spawnCli(["state", "rm", "removed"], { cwd: ws.dir, env });
      expect(rm.exitCode, rm.stderr).toBe(0);
      expect(readState(ws).campaigns.removed).toBeUndefined();
      if (accept) {
        expect(rm.stdout).toContain("campaignctl's tags removed in Lob");
        expect(await tagsOf(apiKey, id)).toEqual({});
      } else {
        expect(rm.stderr).toContain(`Lob refused to change the metadata of sent campaign ${id}`);
        expect((await tagsOf(apiKey, id)).campaignctl_key).toBe("removed");
        // The tags stayed, so they still protect it: the next apply refuses instead of mailing twice.
        const again = await spawnCli(["apply", "--auto-approve", "--allow-send", "--no-wait", ws.dir], {
          cwd: ws.dir,
          env,
        });
        expect(again.exitCode).toBe(1);
        expect(again.stdout).toContain(`campaignctl import removed ${id}`);
      }
      expect((await censusByKey(emulator, apiKey))[accept ? "(untagged)" : "removed"]).toEqual({
        campaigns: 1,
        creatives: 1,
        uploads: 1,
        sent: 1,
      });
      expect(processedSends(emulator, apiKey)).toBe(1);
    } finally {
      emulator.setAcceptMetadataAfterSend(false);
      ws.cleanup();
    }
  });

  it.each([
    ["accepts", true],
    ["refuses", false],
  ])("mv of a sent campaign when Lob %s the retag", async (_what, accept) => {
    const ws = makeWorkspace();
    const { apiKey, env } = account();
    emulator.setAcceptMetadataAfterSend(accept);
    try {
      ws.addCampaign("old-name", enableSend);
      await applyAll(ws, env);
      const id = readState(ws).campaigns["old-name"]!.campaignId!;
      const mv = await spawnCli(["state", "mv", "old-name", "new-name"], { cwd: ws.dir, env });
      if (accept) {
        expect(mv.exitCode, mv.stderr).toBe(0);
        expect(Object.keys(readState(ws).campaigns)).toEqual(["new-name"]);
        expect((await tagsOf(apiKey, id)).campaignctl_key).toBe("new-name");
        // The manifest follows: same campaign, nothing to create or send.
        rmSync(ws.manifest("old-name"));
        ws.addCampaign("new-name", (y) => enableSend(y).replace("name: new-name", "name: old-name"));
        const plan = await spawnCli(["plan", "--detailed-exitcode", ws.dir], { cwd: ws.dir, env });
        expect(plan.exitCode, plan.stdout + plan.stderr).toBe(0);
      } else {
        expect(mv.exitCode).toBe(1);
        expect(mv.stderr).toContain(`Lob refused to retag sent campaign ${id}`);
        expect(mv.stderr).toContain("the state is unchanged");
        expect(Object.keys(readState(ws).campaigns)).toEqual(["old-name"]);
        expect((await tagsOf(apiKey, id)).campaignctl_key).toBe("old-name");
      }
      const census = await censusByKey(emulator, apiKey);
      expect(census[accept ? "new-name" : "old-name"]).toEqual({
        campaigns: 1,
        creatives: 1,
        uploads: 1,
        sent: 1,
      });
      expect(processedSends(emulator, apiKey)).toBe(1);
    } finally {
      emulator.setAcceptMetadataAfterSend(false);
      ws.cleanup();
    }
  });

  it("mv of a draft retags it; mv onto a key Lob already holds is refused", async () => {
    const ws = makeWorkspace();
    const { apiKey, env } = account();
    try {
      ws.addCampaign("draft-a");
      ws.addCampaign("draft-b");
      await applyAll(ws, env);
      const idA = readState(ws).campaigns["draft-a"]!.campaignId!;
      const onto = await spawnCli(["state", "mv", "draft-a", "draft-b"], { cwd: ws.dir, env });
      expect(onto.exitCode).toBe(1);
      expect(onto.stderr).toContain("already records a campaign under 'draft-b'");
      const mv = await spawnCli(["state", "mv", "draft-a", "draft-c"], { cwd: ws.dir, env });
      expect(mv.exitCode, mv.stderr).toBe(0);
      expect((await tagsOf(apiKey, idA)).campaignctl_key).toBe("draft-c");
      expect(Object.keys(readState(ws).campaigns).sort()).toEqual(["draft-b", "draft-c"]);
    } finally {
      ws.cleanup();
    }
  });
});
