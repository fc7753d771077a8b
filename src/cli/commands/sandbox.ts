import { hostname } from "node:os";
import { CampaignctlError } from "../../core/errors.js";
import type { CommandSpec } from "../context.js";
import { EXIT } from "../context.js";
import { parseDuration, TARGET_OPTIONS } from "../options.js";
import { projectFor } from "../project-arg.js";

const USAGE = "campaignctl sandbox clock [advance DURATION] [--lock-timeout DURATION]";

function usage(message: string): CampaignctlError {
  return new CampaignctlError({
    code: "USAGE",
    message,
    hint: `usage: ${USAGE} (e.g. 'campaignctl sandbox clock advance 2h')`,
  });
}

/** 7_500_000 → "2h 5m"; how far the sandbox runs ahead of real time. */
function describeOffset(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes === 0) return "the same as real time";
  const h = Math.floor(Math.abs(minutes) / 60);
  const m = Math.abs(minutes) % 60;
  const span = [h > 0 ? `${h}h` : "", m > 0 ? `${m}m` : ""].filter(Boolean).join(" ");
  return minutes > 0 ? `${span} ahead of real time` : `${span} behind real time`;
}

export const command: CommandSpec = {
  name: "sandbox",
  summary: "Control the --sandbox emulator: show or advance its clock",
  usage: USAGE,
  details: [
    "The sandbox (--sandbox) keeps its emulator's data, clock included, under .campaignctl/sandbox/",
    "of the project. 'sandbox clock' prints the sandbox's time; 'sandbox clock advance DURATION' moves",
    "it forward (30s, 90m, 2h; a bare number is seconds), so you can watch a cancel window close:",
    "after 'apply --sandbox --allow-send', advance past the window and 'destroy --sandbox' refuses",
    "the sent campaign, naming the deadline. It takes the sandbox state's lock, as a --sandbox apply",
    "or destroy does, so it never changes the clock under one (--lock-timeout waits for it).",
  ].join("\n"),
  options: { "lock-timeout": TARGET_OPTIONS["lock-timeout"]! },
  allowPositionals: true,
  async run({ values, positionals }, ctx) {
    const [what, action, amount, ...rest] = positionals;
    if (what !== "clock") {
      throw usage(what === undefined ? "say what to control: clock" : `unknown sandbox control '${what}'`);
    }
    let advanceMs = 0;
    if (action !== undefined) {
      if (action !== "advance") throw usage(`unknown clock action '${action}'; the action is 'advance'`);
      if (amount === undefined) throw usage("say how far to advance the clock, e.g. 2h");
      if (rest.length > 0) throw usage(`unexpected '${rest.join(" ")}' after the duration`);
      advanceMs = parseDuration(amount, "the clock advance");
      if (advanceMs <= 0) throw usage("the clock only moves forward: give a duration above 0, e.g. 2h");
    }

    const lockTimeoutMs = parseDuration(String(values["lock-timeout"] ?? "0s"), "--lock-timeout");
    const project = await projectFor([], ctx);
    const { openStateStore, resolveStatePath } = await import("../../state/index.js");
    const { sandboxClock } = await import("../../engine/sandbox.js");
    // A --sandbox run holds the emulator's data in memory and would write its own clock back:
    // hold the sandbox state's lock, as such a run does, so the two never overlap.
    const statePath = resolveStatePath({ cwd: ctx.cwd, root: project.root, sandbox: true });
    const lock = await openStateStore(statePath).lock(`sandbox clock (${hostname()})`, {
      timeoutMs: lockTimeoutMs,
    });
    try {
      const now = await sandboxClock(project.root, advanceMs);
      const offset = describeOffset(now.getTime() - Date.now());
      const moved = advanceMs > 0 ? `advanced by ${amount}; ` : "";
      ctx.stdout.write(`Sandbox clock: ${now.toISOString()} (${moved}${offset})\n`);
    } finally {
      await lock.release();
    }
    return EXIT.ok;
  },
};
