import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { useEmulator } from "../support/emulator.js";
import { censusByKey, processedSends } from "../support/lob-inspect.js";
import type { Workspace } from "../support/workspace.js";
import { enableSend, makeWorkspace, TEST_API_KEY } from "../support/workspace.js";
import { spawnCli } from "./cli.js";

/**
 * Issue 8, through the built CLI with sends enabled: the state follows the project, not the
 * working directory; a run over some paths touches only their campaigns; a blocked change fails
 * the pull-request check (plan) as well as the apply.
 */
const emulator = useEmulator({ processingRowsPerSecond: 1_000_000, rateLimit: false });
let ws: Workspace;
let apiKey: string;
let run = 0;
beforeEach(() => {
  ws = makeWorkspace();
  apiKey = `${TEST_API_KEY}scope${++run}`;
});
afterEach(() => ws.cleanup());

const cli = (args: string[], cwd = ws.dir) =>
  spawnCli(args, { cwd, env: { LOB_API_KEY: apiKey, LOB_API_URL: emulator.url } });

/** Moves the workspace's manifest KEY (with the shared artwork and audience) into `folder`. */
function moveInto(folder: string, ...keys: string[]): string {
  const dir = join(ws.dir, folder);
  mkdirSync(dir, { recursive: true });
  for (const file of ["front.html", "audience.csv"]) {
    writeFileSync(join(dir, file), readFileSync(join(ws.dir, file)));
  }
  for (const key of keys) renameSync(ws.manifest(key), join(dir, `${key}.yaml`));
  return dir;
}

describe("the state follows the project, not the working directory", () => {
  it("apply from the repository root, then from inside the campaigns folder: one campaign, one send", async () => {
    mkdirSync(join(ws.dir, ".git")); // a repository without a project file: its root is the project's
    ws.addCampaign("spring", enableSend);
    const campaigns = moveInto("campaigns", "spring");

    const first = await cli(["apply", "--auto-approve", "--allow-send", "campaigns"]);
    expect(first.exitCode, first.stderr).toBe(0);
    const second = await cli(["apply", "--auto-approve", "--allow-send", "."], campaigns);
    expect(second.exitCode, second.stderr).toBe(0);
    expect(second.stdout).toContain("No changes");

    const census = await censusByKey(emulator, apiKey);
    expect(census).toEqual({ spring: { campaigns: 1, creatives: 1, uploads: 1, sent: 1 } });
    expect(processedSends(emulator, apiKey)).toBe(1);
    expect(existsSync(join(ws.dir, ".campaignctl/state.json"))).toBe(true);
    expect(existsSync(join(campaigns, ".campaignctl"))).toBe(false);
  });

  it("a project file anywhere above decides the root, and status run deep inside finds the same state", async () => {
    writeFileSync(join(ws.dir, "campaignctl.yaml"), "version: 1\nproject: growth\n");
    ws.addCampaign("spring", enableSend);
    const deep = moveInto("campaigns/spring", "spring");
    expect(
      (await cli(["apply", "--auto-approve", "--allow-send", "campaigns/spring/spring.yaml"])).exitCode,
    ).toBe(0);
    const status = await cli(["status"], deep);
    expect(status.exitCode, status.stderr).toBe(0);
    expect(status.stdout).toContain("spring");
    expect(existsSync(join(ws.dir, ".campaignctl/state.json"))).toBe(true);
  });
});

describe("a run over some paths touches only their campaigns", () => {
  it("never deletes the drafts of manifests it was not given; only a whole-project run does", async () => {
    writeFileSync(join(ws.dir, "campaignctl.yaml"), "version: 1\nproject: scope\n");
    ws.addCampaign("winback", enableSend);
    ws.addCampaign("spring");
    ws.addCampaign("autumn");
    moveInto("campaigns/winback-q3", "winback");
    moveInto("campaigns/spring", "spring");
    moveInto("campaigns/autumn", "autumn");

    const all = await cli(["apply", "--auto-approve", "--allow-send"]);
    expect(all.exitCode, all.stderr).toBe(0);
    expect(all.stdout).toContain("Scope: the whole project");

    // The manifest of 'autumn' is removed; a scoped run must neither see nor touch it.
    rmSync(join(ws.dir, "campaigns/autumn"), { recursive: true });
    const scoped = await cli(["apply", "--auto-approve", "--allow-send", "campaigns/winback-q3/"]);
    expect(scoped.exitCode, scoped.stderr).toBe(0);
    expect(scoped.stdout).toContain("Scope: only the campaigns of the given paths");
    expect(scoped.stdout).toContain("No changes");
    expect(Object.keys(await censusByKey(emulator, apiKey)).sort()).toEqual(["autumn", "spring", "winback"]);

    const planned = await cli(["plan", "--detailed-exitcode"]);
    expect(planned.exitCode, planned.stderr).toBe(2);
    expect(planned.stdout).toMatch(/# autumn .* will be deleted/);
    const whole = await cli(["apply", "--auto-approve", "--allow-send"]);
    expect(whole.exitCode, whole.stderr).toBe(0);
    const census = await censusByKey(emulator, apiKey);
    expect(census).toEqual({
      spring: { campaigns: 1, creatives: 1, uploads: 1, sent: 0 },
      winback: { campaigns: 1, creatives: 1, uploads: 1, sent: 1 },
    });
    expect(processedSends(emulator, apiKey)).toBe(1);
  });
});

describe("blocked means failed", () => {
  it("plan --detailed-exitcode and apply both exit 1 with one Error line per blocked item", async () => {
    ws.addCampaign("sent-one", enableSend);
    expect((await cli(["apply", "--auto-approve", "--allow-send", ws.dir])).exitCode).toBe(0);
    ws.editCampaign("sent-one", (y) => y.replace("name: sent-one", "name: Sent One (renamed)"));

    const plan = await cli(["plan", "--detailed-exitcode", ws.dir]);
    expect(plan.exitCode).toBe(1);
    const errors = plan.stderr.split("\n").filter((l) => l.startsWith("Error: "));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^Error: sent-one: campaign cmp_\w+ was sent/);
    expect(plan.stderr).toContain("hint: revert these fields in the manifest");
    expect(plan.stderr + plan.stdout).not.toContain("campaignctl destroy");

    const markdown = await cli(["plan", "--format", "markdown", ws.dir]);
    expect(markdown.exitCode).toBe(1);
    const callout = markdown.stdout.indexOf("> [!CAUTION]");
    expect(callout).toBeGreaterThan(0);
    expect(callout).toBeLessThan(markdown.stdout.indexOf("<details>"));
    expect(markdown.stdout.slice(callout)).toContain("**sent-one**");

    const apply = await cli(["apply", "--auto-approve", "--allow-send", ws.dir]);
    expect(apply.exitCode).toBe(1);
    expect(apply.stderr.split("\n").filter((l) => l.startsWith("Error: "))).toHaveLength(1);

    expect(await censusByKey(emulator, apiKey)).toEqual({
      "sent-one": { campaigns: 1, creatives: 1, uploads: 1, sent: 1 },
    });
    expect(processedSends(emulator, apiKey)).toBe(1);
  });
});
