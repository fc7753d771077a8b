import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useEmulator } from "../support/emulator.js";
import type { Workspace } from "../support/workspace.js";
import { enableSend, makeWorkspace, runInProcess, TEST_API_KEY } from "../support/workspace.js";

describe("campaignctl show PLANFILE", () => {
  const emulator = useEmulator({ rateLimit: false });
  let ws: Workspace;
  let env: Record<string, string>;
  let savedText: string;
  const cli = (...argv: string[]) => runInProcess(argv, { cwd: ws.dir, env });
  const withFile = (name: string, text: string) => {
    writeFileSync(join(ws.dir, name), text);
    return name;
  };

  beforeAll(async () => {
    ws = makeWorkspace();
    env = { LOB_API_KEY: `${TEST_API_KEY}show`, LOB_API_URL: emulator.url };
    ws.addCampaign("show-a", enableSend);
    const run = await cli("plan", "--out", "saved.json", ws.dir);
    expect(run.code, run.stderr).toBe(0);
    savedText = readFileSync(join(ws.dir, "saved.json"), "utf8");
  });
  afterAll(() => ws.cleanup());

  it("renders the saved plan as text (the default), like plan did", async () => {
    const plan = await cli("plan", ws.dir);
    const shown = await cli("show", "saved.json");
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toContain("# show-a");
    expect(shown.stdout).toContain("! SEND");
    expect(shown.stdout.split("\n").at(-2)).toBe(plan.stdout.split("\n").at(-2));
  });

  it("renders it as markdown for reviewers", async () => {
    const shown = await cli("show", "saved.json", "--format", "markdown");
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toContain("### campaignctl apply plan");
    expect(shown.stdout).toContain("**Target:** test (`127.0.0.1:");
    expect(shown.stdout).toContain("> [!CAUTION]");
    expect(shown.stdout).toContain("| `show-a` | create + **SEND** |");
  });

  it("prints the plan itself as json", async () => {
    const shown = await cli("show", "saved.json", "--format", "json");
    expect(shown.code, shown.stderr).toBe(0);
    const saved = JSON.parse(savedText) as { plan: unknown };
    expect(JSON.parse(shown.stdout)).toEqual(saved.plan);
  });

  it("refuses a file that is missing, not JSON or not a plan, with exit 1 and a hint", async () => {
    for (const [file, message] of [
      ["missing.json", "cannot read the saved plan missing.json (ENOENT)"],
      [withFile("not-json.json", "{ nope"), "cannot read the saved plan not-json.json (not JSON)"],
      [withFile("other.json", '{"hello":1}'), "other.json is not a campaignctl plan file"],
    ] as const) {
      const shown = await cli("show", file);
      expect(shown.code, file).toBe(1);
      expect(shown.stderr).toContain(message);
      expect(shown.stderr).toContain("campaignctl plan --out");
      expect(shown.stderr).not.toMatch(/\n\s+at /);
      expect(shown.stdout).toBe("");
    }
  });

  it("refuses a plan of another version, a damaged one and an edited one", async () => {
    const saved = JSON.parse(savedText) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    const v2 = withFile("v2.json", JSON.stringify({ ...saved, version: 2 }));
    const damaged = structuredClone(saved);
    delete damaged.plan.campaigns[0].actions[0].reason;
    const edited = structuredClone(saved);
    const send = edited.plan.campaigns[0].actions.find((a: { kind: string }) => a.kind === "send");
    send.pieces += 1000;
    for (const [file, message] of [
      [v2, "v2.json is a campaignctl plan of version 2; this campaignctl reads version 1"],
      [
        withFile("damaged.json", JSON.stringify(damaged)),
        "damaged.json is not a valid campaignctl plan (version 1): at /plan/campaigns/0/actions/0",
      ],
      [withFile("edited.json", JSON.stringify(edited)), "edited.json was changed after it was written"],
    ] as const) {
      const shown = await cli("show", file);
      expect(shown.code, file).toBe(1);
      expect(shown.stderr).toContain(message);
      expect(shown.stdout).toBe("");
    }
  });

  it("needs exactly one plan file and a known format", async () => {
    expect((await cli("show")).stderr).toContain("show needs the plan file");
    expect((await cli("show", "a.json", "b.json")).code).toBe(1);
    const badFormat = await cli("show", "saved.json", "--format", "yaml");
    expect(badFormat.code).toBe(1);
    expect(badFormat.stderr).toContain("unknown format 'yaml'");
  });
});
