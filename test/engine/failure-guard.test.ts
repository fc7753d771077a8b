import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { exceedsFailureRule, minimumSample, warnUnwatchedGuards } from "../../src/engine/failure-guard.js";
import { useEmulator } from "../support/emulator.js";
import type { Workspace } from "../support/workspace.js";
import { enableSend, makeWorkspace, runInProcess, TEST_API_KEY } from "../support/workspace.js";
import { anApplyPlan } from "../render/fixtures.js";
import type { EngineEvent } from "../../src/engine/events.js";
import { runApply } from "../../src/engine/use-cases.js";
import { withEnvDeps } from "../support/engine-deps.js";
import { sendFromDashboard } from "../support/lob-inspect.js";

let ws: Workspace;
beforeEach(() => {
  ws = makeWorkspace();
});
afterEach(() => ws.cleanup());

/** A manifest that sends, with a failure limit (and, optionally, another cancel window). */
const guarded =
  (ratio: number, windowMinutes?: number, audience = "./audience.csv") =>
  (yaml: string) => {
    let out = enableSend(yaml)
      .replace("max_pieces: 50000", `max_pieces: 50000\n  max_failed_ratio: ${ratio}`)
      .replace("file: ./audience.csv", `file: ${audience}`);
    if (windowMinutes !== undefined) {
      out = out.replace(
        "cancel_window_campaign_minutes: 120",
        `cancel_window_campaign_minutes: ${windowMinutes}`,
      );
    }
    return out;
  };

/** `rows` rows that pass every rule, in the postcard example's layout. */
function writeBigAudience(rows: number): string {
  const lines = ["customer_id,recipient,first_name,primary line,secondary line,city,state,zip_code,code"];
  for (let i = 1; i <= rows; i++) {
    lines.push(`C-${i},Person ${i},First${i},${100 + i} Main St,,Springfield,IL,62704,CODE-${i}`);
  }
  writeFileSync(join(ws.dir, "big.csv"), `${lines.join("\n")}\n`);
  return "./big.csv";
}

const sandboxState = () => JSON.parse(readFileSync(join(ws.dir, ".campaignctl/sandbox/state.json"), "utf8"));
const emulatorData = () =>
  JSON.parse(readFileSync(join(ws.dir, ".campaignctl/sandbox/emulator/state.json"), "utf8")) as {
    campaigns: Record<string, { deleted: boolean; is_draft: boolean }>;
    uploads: Record<
      string,
      { campaignId: string; state: string; validatedMailpieces: number; failedMailpieces: number }
    >;
  };
const uploadOf = (campaignId: string) =>
  Object.values(emulatorData().uploads).find((u) => u.campaignId === campaignId)!;

const sandbox = (env: Record<string, string>, ...argv: string[]) =>
  runInProcess([...argv, "--sandbox"], { cwd: ws.dir, env: { LOB_API_KEY: "", ...env } });

const UNDELIVERABLE = {
  CAMPAIGNCTL_SANDBOX_UNDELIVERABLE_RATIO: "0.5",
  CAMPAIGNCTL_SANDBOX_UNDELIVERABLE_SEED: "11",
};

describe("the failure rule", () => {
  it("needs min(100, the audience's rows) processed rows, then a ratio strictly over the limit", () => {
    expect(minimumSample(12)).toBe(12);
    expect(minimumSample(100)).toBe(100);
    expect(minimumSample(1_000_000)).toBe(100);
    expect(minimumSample(0)).toBe(1);
    const rule = { maxFailedRatio: 0.2, audienceRows: 1000 };
    expect(exceedsFailureRule(rule, { validated: 50, failed: 49 })).toBe(false); // 99 < 100 processed
    expect(exceedsFailureRule(rule, { validated: 79, failed: 21 })).toBe(true); // 21% of 100
    expect(exceedsFailureRule(rule, { validated: 80, failed: 20 })).toBe(false); // exactly 20%: not over
    expect(exceedsFailureRule({ maxFailedRatio: 0, audienceRows: 5 }, { validated: 4, failed: 1 })).toBe(
      true,
    );
  });

  it("warns in the plan that --no-wait leaves it unable to act, for sends that set it", () => {
    const plan = anApplyPlan();
    expect(warnUnwatchedGuards(plan)).toBe(plan);
    const withLimit = {
      ...plan,
      campaigns: plan.campaigns.map((c) => ({
        ...c,
        actions: c.actions.map((a) => (a.kind === "send" ? { ...a, maxFailedRatio: 0.1 } : a)),
      })),
    };
    const warned = warnUnwatchedGuards(withLimit).warnings;
    expect(warned).toEqual([
      expect.stringContaining("summer: send.max_failed_ratio (0.1) cannot act with --no-wait"),
    ]);
    expect(warned[0]).toContain("campaignctl watch --key summer");
  });
});

describe("apply's automatic cancel (--sandbox)", () => {
  it("cancels a campaign it sent as soon as the failed share passes the limit, before Lob finishes validating", async () => {
    const audience = writeBigAudience(400);
    ws.addCampaign("big", guarded(0.2, undefined, audience));
    const run = await sandbox(
      { ...UNDELIVERABLE, CAMPAIGNCTL_SANDBOX_PROCESSING_RATE: "200" },
      "apply",
      "--auto-approve",
      "--allow-send",
      ws.dir,
    );
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toMatch(/big: [\d,]+ of [\d,]+ processed rows failed \(\d+\.\d%\), over the limit/);
    expect(run.stderr).toContain("send.max_failed_ratio is 0.2 (20.0%)");
    expect(run.stderr).toContain("min(100, the audience's 400 rows)");
    expect(run.stderr).toMatch(/campaign cmp_\w+ was CANCELLED at/);
    expect(run.stderr).toContain("campaignctl failures big --out FILE");
    expect(run.stderr).toContain("CANCELLED for too many failed rows (send.max_failed_ratio): big");
    expect(run.stderr).toMatch(/big: cancel window open until \S+ \(Lob's clock; 1h 59m left\)/);

    const state = sandboxState();
    expect(state.campaigns.big).toBeUndefined();
    expect(state.destroyed.big).toMatchObject({
      how: "cancelled",
      campaignId: expect.stringMatching(/^cmp_/),
    });
    const campaignId = state.destroyed.big.campaignId as string;
    expect(emulatorData().campaigns[campaignId]!.deleted).toBe(true);
    // Cancelled while validating: not every row had been processed.
    const upload = uploadOf(campaignId);
    expect(upload.state).toBe("Cancelled");
    expect(upload.validatedMailpieces + upload.failedMailpieces).toBeGreaterThanOrEqual(100);
    expect(upload.validatedMailpieces + upload.failedMailpieces).toBeLessThan(400);

    // Never re-created or re-sent.
    const again = await sandbox({}, "apply", "--auto-approve", "--allow-send", ws.dir);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain("not re-created");
    expect(again.stdout).toContain("0 to SEND");
    expect(again.stdout).not.toContain("! SEND");
    // The failed rows can still be exported.
    const out = join(ws.dir, "failed.csv");
    const failures = await sandbox({}, "failures", "big", "--out", out);
    expect(failures.code, failures.stderr).toBe(0);
    expect(readFileSync(out, "utf8")).toContain("undeliverable");
  });

  it("does not fire under the limit: the send stands and apply prints the deadline", async () => {
    // The example audience: 12 rows, 2 of which fail Lob's rules (16.7%).
    ws.addCampaign("under", guarded(0.2));
    const run = await sandbox({}, "apply", "--auto-approve", "--allow-send", ws.dir);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).not.toContain("CANCELLED");
    expect(run.stderr).toMatch(/under: cancel window open until \d{4}-\S+Z \(Lob's clock; 1h 59m left\)/);
    expect(sandboxState().campaigns.under.sentAt).toMatch(/^\d{4}-/);
    expect(sandboxState().destroyed).toBeUndefined();

    // The same audience is over a 10% limit: the rule itself, not the emulator option, decides.
    ws.addCampaign("over", guarded(0.1));
    const over = await sandbox({}, "apply", "--auto-approve", "--allow-send", ws.dir);
    expect(over.code).toBe(1);
    expect(over.stderr).toContain("2 of 12 processed rows failed (16.7%)");
    expect(sandboxState().destroyed.over.how).toBe("cancelled");
    expect(sandboxState().campaigns.under.sentAt).toBeDefined();
  });

  it("never cancels what it did not send in this run; watch cancels it when named; --no-wait warns", async () => {
    ws.addCampaign("early", guarded(0.2));
    const first = await sandbox(
      UNDELIVERABLE,
      "apply",
      "--auto-approve",
      "--allow-send",
      "--no-wait",
      ws.dir,
    );
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain("early: send.max_failed_ratio (0.2) cannot act with --no-wait");

    ws.addCampaign("later", guarded(0.9));
    const second = await sandbox({}, "apply", "--auto-approve", "--allow-send", ws.dir);
    expect(second.code, second.stderr).toBe(0);
    const early = sandboxState().campaigns.early;
    expect(early.sentAt).toBeDefined();
    expect(emulatorData().campaigns[early.campaignId]!.deleted).toBe(false);
    const over = uploadOf(early.campaignId);
    expect(over.failedMailpieces / (over.failedMailpieces + over.validatedMailpieces)).toBeGreaterThan(0.2);

    // Status and destroy show the time left.
    const status = await sandbox({}, "status");
    expect(status.stdout).toMatch(/early .* open until \S+Z \(1h 59m left\)/);

    const watched = await sandbox({}, "watch", "--key", "later");
    expect(watched.code, watched.stderr).toBe(0);
    expect(watched.stdout).toContain("later: FINISHED: Scheduled:");
    expect(sandboxState().campaigns.early).toBeDefined();

    const cancel = await sandbox({}, "watch", "--key", "early");
    expect(cancel.code).toBe(1);
    expect(cancel.stdout).toMatch(/early: CANCELLED: \d+ of 12 processed rows failed/);
    expect(cancel.stdout).toContain("campaignctl failures early --out FILE");
    expect(sandboxState().campaigns.early).toBeUndefined();
    expect(sandboxState().destroyed.early.how).toBe("cancelled");
    expect(emulatorData().campaigns[early.campaignId]!.deleted).toBe(true);
    expect(sandboxState().campaigns.later.sentAt).toBeDefined();
  });

  it("watch reports too late after the window (sandbox clock), attempting no cancel", async () => {
    ws.addCampaign("slow", guarded(0.2));
    const sent = await sandbox(UNDELIVERABLE, "apply", "--auto-approve", "--allow-send", "--no-wait", ws.dir);
    expect(sent.code, sent.stderr).toBe(0);
    const destroyList = await runInProcess(["destroy", "--sandbox", "--key", "slow"], {
      cwd: ws.dir,
      env: { LOB_API_KEY: "" },
    });
    // No terminal and no --auto-approve: refused after showing what could be cancelled, and until when.
    expect(destroyList.code).toBe(1);
    expect(destroyList.stdout).toMatch(
      /Can still be cancelled \(Lob's clock\):\n {2}slow cmp_\w+ until \S+Z \(1h 59m left\)/,
    );

    const clock = await runInProcess(["sandbox", "clock", "advance", "3h"], { cwd: ws.dir, env: {} });
    expect(clock.code, clock.stderr).toBe(0);
    const status = await sandbox({}, "status", "--format", "json");
    const shown = JSON.parse(status.stdout).campaigns[0];
    expect(shown).toMatchObject({ key: "slow", cancellable: false, cancelSecondsLeft: 0 });

    const late = await sandbox({}, "watch");
    expect(late.code).toBe(1);
    expect(late.stdout).toMatch(
      /slow: TOO LATE: .*too late to cancel campaign cmp_\w+: its cancel window closed at \S+; no cancel was attempted/,
    );
    const id = sandboxState().campaigns.slow.campaignId as string;
    expect(emulatorData().campaigns[id]!.deleted).toBe(false);
    expect(sandboxState().destroyed).toBeUndefined();
  });

  it("watch with nothing to guard says so, and names unknown keys", async () => {
    ws.addCampaign("plain", enableSend);
    expect((await sandbox({}, "apply", "--auto-approve", "--allow-send", ws.dir)).code).toBe(0);
    const none = await sandbox({}, "watch");
    expect(none.code).toBe(1);
    expect(none.stderr).toContain("nothing to watch");
    const typo = await sandbox({}, "watch", "--key", "plian");
    expect(typo.code).toBe(1);
    expect(typo.stderr).toContain("no campaign 'plian'");
    // Named without a limit: watched, never cancelled.
    const named = await sandbox({}, "watch", "--key", "plain", "--format", "json");
    expect(named.code, named.stderr).toBe(0);
    expect(JSON.parse(named.stdout).campaigns[0]).toMatchObject({
      key: "plain",
      result: "finished",
      maxFailedRatio: null,
    });
    // Its manifest gone from the project: still watched by --key (nothing sets a limit).
    rmSync(ws.manifest("plain"));
    const orphan = await sandbox({}, "watch", "--key", "plain");
    expect(orphan.code, orphan.stderr).toBe(0);
    expect(orphan.stdout).toContain("no send.max_failed_ratio set, so watched only");
  });
});

describe("apply's automatic cancel against a standalone emulator", () => {
  const emulator = useEmulator({ processingRowsPerSecond: 100, undeliverable: { ratio: 0.6, seed: 3 } });
  let testNumber = 0;
  beforeEach(() => emulator.clearRequests());

  it("reports too late, attempting nothing, when the window closes while it watches", async () => {
    const apiKey = `${TEST_API_KEY}guard${(testNumber += 1)}`;
    const audience = writeBigAudience(300);
    ws.addCampaign("closing", guarded(0.2, 30, audience));
    const env = { LOB_API_KEY: apiKey, LOB_API_URL: emulator.url };
    const running = runInProcess(["apply", "--auto-approve", "--allow-send", ws.dir], { cwd: ws.dir, env });
    // As soon as Lob has the send, move its clock past the 30-minute window.
    for (let i = 0; i < 200 && !emulator.requests().some((r) => r.path.endsWith("/send")); i++) {
      await new Promise((r) => setTimeout(r, 25));
    }
    emulator.advanceClock(31 * 60_000);
    const run = await running;
    emulator.advanceClock(-31 * 60_000);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("no cancel was attempted");
    expect(emulator.requests().filter((r) => r.method === "DELETE")).toEqual([]);
    const state = JSON.parse(readFileSync(join(ws.dir, ".campaignctl/state.json"), "utf8"));
    expect(state.campaigns.closing.sentAt).toBeDefined();
    expect(existsSync(join(ws.dir, ".campaignctl/state.json"))).toBe(true);
    expect(state.destroyed).toBeUndefined();
  }, 30_000);

  it("does not cancel a campaign found already sent when it was about to send it (sent elsewhere)", async () => {
    const apiKey = `${TEST_API_KEY}guard${(testNumber += 1)}`;
    const env = { LOB_API_KEY: apiKey, LOB_API_URL: emulator.url };
    ws.addCampaign("elsewhere");
    expect((await runInProcess(["apply", "--auto-approve", ws.dir], { cwd: ws.dir, env })).code).toBe(0);
    const id = JSON.parse(readFileSync(join(ws.dir, ".campaignctl/state.json"), "utf8")).campaigns.elsewhere
      .campaignId as string;
    ws.editCampaign("elsewhere", guarded(0.1));
    const events: EngineEvent[] = [];
    const outcome = await withEnvDeps(
      { cwd: ws.dir, env },
      {
        reporter: (e) => events.push(e),
        showPlan: () => undefined,
        // While the person reads the plan, someone sends the campaign from Lob's dashboard.
        confirm: async () => {
          expect(await sendFromDashboard(emulator, apiKey, id)).toBe(200);
        },
      },
      (deps) =>
        runApply(deps, [ws.dir], {
          cwd: ws.dir,
          env,
          allowSend: true,
          waitForProcessing: true,
          pollIntervalMs: 50,
        }),
    );
    expect(outcome.plan.campaigns[0]!.actions.some((a) => a.kind === "send")).toBe(true);
    expect(outcome.failed).toEqual([]);
    expect(outcome.cancelled).toEqual([]);
    const sent = events.find((e) => e.type === "sent");
    // Over the limit (undeliverable rows), yet left alone: this run did not send it.
    expect(sent).toMatchObject({ type: "sent", key: "elsewhere" });
    if (sent?.type === "sent") expect(sent.failed / (sent.failed + sent.validated)).toBeGreaterThan(0.1);
    expect(events).toContainEqual(
      expect.objectContaining({
        code: "guard_not_applied",
        message: expect.stringContaining("watch --key elsewhere"),
      }),
    );
    expect(emulator.requests().filter((r) => r.method === "DELETE")).toEqual([]);
  }, 30_000);
});
