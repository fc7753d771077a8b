import { createInterface } from "node:readline";
import { hostname } from "node:os";
import { CampaignctlError } from "../../core/errors.js";
import { describeHolder, isProcessAlive, readLock, removeLock } from "../../state/lock.js";
import { displayPath, lockPathFor, resolveStatePath } from "../../state/paths.js";
import { projectFor } from "../project-arg.js";
import type { CliContext, CommandSpec } from "../context.js";
import { EXIT } from "../context.js";

export const command: CommandSpec = {
  name: "force-unlock",
  summary: "Remove a state lock left by a crashed run",
  usage: "campaignctl force-unlock [--state PATH] [--sandbox] [--yes]",
  details: [
    "Shows who holds the lock and asks before removing it. Only do this when that run is gone:",
    "two runs applying the same state at once can create duplicate campaigns.",
    "Without a terminal, --yes is required.",
  ].join("\n"),
  options: {
    state: {
      type: "string",
      valueName: "PATH",
      description: "the state file (default .campaignctl/state.json)",
    },
    sandbox: { type: "boolean", description: "use the sandbox state (.campaignctl/sandbox/state.json)" },
    yes: { type: "boolean", short: "y", description: "remove the lock without asking" },
  },
  allowPositionals: false,
  async run({ values }, ctx) {
    const project = await projectFor([], ctx);
    const statePath = resolveStatePath({
      cwd: ctx.cwd,
      root: project.root,
      ...(project.state !== undefined ? { projectState: project.state } : {}),
      ...(typeof values.state === "string" ? { statePath: values.state } : {}),
      sandbox: values.sandbox === true,
    });
    const shown = displayPath(statePath, ctx.cwd);
    const existing = await readLock(statePath);
    if (existing === undefined) {
      ctx.stderr.write(`No lock on ${shown}; nothing to do.\n`);
      return EXIT.ok;
    }

    const lines = [`Lock on ${shown} (${displayPath(lockPathFor(statePath), ctx.cwd)}):`];
    if (existing.kind === "held") {
      lines.push(`  ${describeHolder(existing.info)}`);
      if (existing.info.host === hostname()) {
        lines.push(
          isProcessAlive(existing.info.pid)
            ? `  warning: process ${existing.info.pid} is still running on this host; removing its lock lets two runs change the same state`
            : `  process ${existing.info.pid} is no longer running on this host`,
        );
      } else {
        lines.push(
          "  it was taken on another host, so campaignctl cannot tell whether that run is still alive",
        );
      }
    } else {
      lines.push("  the lock file cannot be read (no holder information)");
    }
    ctx.stderr.write(`${lines.join("\n")}\n`);

    if (values.yes !== true) {
      if (!ctx.interactive) {
        throw new CampaignctlError({
          code: "APPROVAL_REQUIRED",
          message: "refusing to remove the lock without confirmation (no terminal to ask on)",
          hint: "check that the run holding it is gone, then run 'campaignctl force-unlock --yes'",
        });
      }
      const answer = await ask(ctx, "Remove this lock? (yes/no) ");
      if (!/^(y|yes)$/i.test(answer.trim())) {
        throw new CampaignctlError({
          code: "APPROVAL_DECLINED",
          message: "lock kept",
          hint: "answer 'yes' to remove it, or wait for the run holding it to finish",
        });
      }
    }

    if (!(await removeLock(statePath, existing.raw))) {
      throw new CampaignctlError({
        code: "STATE_LOCKED",
        message: `the lock on ${shown} changed (or was released) while you were deciding; nothing was removed`,
        hint: "run 'campaignctl force-unlock' again to see the current holder",
      });
    }
    ctx.stderr.write(`Lock removed from ${shown}.\n`);
    return EXIT.ok;
  },
};

/** One line from stdin after a prompt on stderr; empty when stdin ends first. */
function ask(ctx: CliContext, question: string): Promise<string> {
  ctx.stderr.write(question);
  const rl = createInterface({ input: ctx.stdin, terminal: false });
  return new Promise((resolve) => {
    let answered = false;
    rl.once("line", (line) => {
      answered = true;
      rl.close();
      resolve(line);
    });
    rl.once("close", () => {
      if (!answered) resolve("");
    });
  });
}
