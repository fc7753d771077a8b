import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { useEmulator } from "../support/emulator.js";
import type { Workspace } from "../support/workspace.js";
import { enableSend, makeWorkspace, runInProcess, TEST_API_KEY } from "../support/workspace.js";

const emulator = useEmulator({ processingRowsPerSecond: 1_000_000 });
let ws: Workspace;
let env: Record<string, string>;
let testNumber = 0;
beforeEach(() => {
  ws = makeWorkspace();
  env = { LOB_API_KEY: `${TEST_API_KEY}K${(testNumber += 1)}`, LOB_API_URL: emulator.url };
});
afterEach(() => ws.cleanup());

const cli = (...argv: string[]) => runInProcess(argv, { cwd: ws.dir, env });
const SKIP_WARNING = /will be skipped by Lob/g;

describe("a --key that matches nothing is an error", () => {
  it("status, destroy and failures refuse an unknown key and suggest a close one", async () => {
    ws.addCampaign("spring-promo");
    expect((await cli("apply", "--auto-approve", ws.dir)).code).toBe(0);

    const status = await cli("status", "--key", "spring-prom");
    expect(status.code).toBe(1);
    expect(status.stderr).toContain("no campaign 'spring-prom' in the state");
    expect(status.stderr).toContain("did you mean 'spring-promo'?");
    expect(status.stdout).toBe("");

    const destroy = await cli("destroy", "--auto-approve", "--key", "nope");
    expect(destroy.code).toBe(1);
    expect(destroy.stderr).toContain("no campaign 'nope'");
    expect(destroy.stderr).toContain("known keys: spring-promo");

    const failures = await cli("failures", "nope", "--out", join(ws.dir, "f.csv"));
    expect(failures.code).toBe(1);
    expect(failures.stderr).toContain("no campaign 'nope'");

    // A key that exists still works.
    expect((await cli("status", "--key", "spring-promo")).code).toBe(0);
    const gone = await cli("destroy", "--auto-approve", "--key", "spring-promo");
    expect(gone.code, gone.stderr).toBe(0);
  });

  it("says so when the state is empty", async () => {
    const status = await cli("status", "--key", "anything");
    expect(status.code).toBe(1);
    expect(status.stderr).toContain("the state has no campaigns yet");
  });
});

describe("apply's closing summary and the skipped-row warnings", () => {
  it("counts created, updated, sent and pieces; warns about skipped rows once, before the send only", async () => {
    ws.addCampaign("alpha");
    ws.addCampaign("beta");
    const created = await cli("apply", "--auto-approve", ws.dir);
    expect(created.code, created.stderr).toBe(0);
    expect(created.stderr).toContain("Apply complete: 2 created, 0 updated, 0 sent (0 pieces).");
    // Drafts that are not being sent: the audience warnings wait for the send.
    expect(created.stderr.match(SKIP_WARNING)).toBeNull();

    ws.editCampaign("alpha", (y) => y.replace(/description: .*\n/, "description: changed\n"));
    const updated = await cli("apply", "--auto-approve", ws.dir);
    expect(updated.stderr).toContain("Apply complete: 0 created, 1 updated, 0 sent (0 pieces).");

    ws.editCampaign("beta", enableSend);
    const plan = await cli("plan", ws.dir);
    // The example audience has two failing rows: one warning each, for beta only.
    expect(plan.stderr.match(SKIP_WARNING)).toHaveLength(2);

    const sent = await cli("apply", "--auto-approve", "--allow-send", ws.dir);
    expect(sent.code, sent.stderr).toBe(0);
    expect(sent.stderr.match(SKIP_WARNING)).toHaveLength(2);
    expect(sent.stderr).toContain("Apply complete: 0 created, 0 updated, 1 sent (10 pieces).");

    // Already sent: re-plans stay quiet.
    const after = await cli("plan", ws.dir);
    expect(after.code).toBe(0);
    expect(after.stderr.match(SKIP_WARNING)).toBeNull();

    const json = await cli("apply", "--auto-approve", "--format", "json", ws.dir);
    expect(JSON.parse(json.stdout).result.counts).toEqual({ created: 0, updated: 0, sent: 0, pieces: 0 });
  });
});

describe("failures --out", () => {
  it("is required, and the file it writes comes with a personal-data warning", async () => {
    ws.addCampaign("sent-one", enableSend);
    expect((await cli("apply", "--auto-approve", "--allow-send", ws.dir)).code).toBe(0);

    const missing = await cli("failures", "sent-one");
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("failures needs --out FILE");
    expect(missing.stderr).toContain("personal data");

    const written = await cli("failures", "sent-one", "--out", join(ws.dir, "failed.csv"));
    expect(written.code, written.stderr).toBe(0);
    expect(written.stderr).toContain("holds recipients' personal data");
    expect(written.stderr).toContain("make sure .gitignore covers it");
  });
});
