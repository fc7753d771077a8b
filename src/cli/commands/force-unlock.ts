import { createInterface } from "node:readline";
import { hostname } from "node:os";
import { CampaignctlError } from "../../core/errors.js";
import { describeHolder, isProcessAlive, readLock, removeLock } from "../../state/lock.js";
import { registerSecret } from "../../core/active-secrets.js";
import { parsePostgresUrl } from "../../state/location.js";
import { displayPath, lockPathFor } from "../../state/paths.js";
import { selectState } from "../../state/select.js";
import { projectFor } from "../project-arg.js";
import type { CliContext, CommandSpec } from "../context.js";
import { EXIT } from "../context.js";

export const command: CommandSpec = {
  name: "force-unlock",
  summary: "Remove a state lock left by a crashed run",
  usage: "campaignctl force-unlock [--state PATH|URL] [--sandbox] [--yes]",
  details: [
    "Shows who holds the lock and asks before removing it. Only do this when that run is gone:",
    "two runs applying the same state at once can create duplicate campaigns.",
    "Without a terminal, --yes is required.",
    "With a postgres state, a crashed or killed run needs no force-unlock (its lock went with its",
    "connection); for a run still connected, force-unlock ends its database session",
    "(pg_terminate_backend), so that run fails its next write and stops.",
  ].join("\n"),
  options: {
    state: {
      type: "string",
      valueName: "PATH|URL",
      description:
        "the state file or postgres://… URL (default: CAMPAIGNCTL_STATE, the project's state, .campaignctl/state.json)",
    },
    sandbox: { type: "boolean", description: "use the sandbox state (.campaignctl/sandbox/state.json)" },
    yes: { type: "boolean", short: "y", description: "remove the lock without asking" },
  },
  allowPositionals: false,
  async run({ values }, ctx) {
    const project = await projectFor([], ctx);
    const selection = selectState({
      cwd: ctx.cwd,
      root: project.root,
      ...(project.state !== undefined ? { projectState: project.state } : {}),
      ...(ctx.env.CAMPAIGNCTL_STATE !== undefined ? { envState: ctx.env.CAMPAIGNCTL_STATE } : {}),
      ...(typeof values.state === "string" ? { statePath: values.state } : {}),
      sandbox: values.sandbox === true,
    });
    if (selection.backend === "postgres") {
      return forceUnlockPostgres(selection.url, selection.from, project.name, values.yes === true, ctx);
    }
    const statePath = selection.path;
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

    await confirm(values.yes === true, ctx);

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

/** Asks before removing a lock (or ending a session); --yes answers for a run without a terminal. */
async function confirm(
  yes: boolean,
  ctx: CliContext,
  question = "Remove this lock? (yes/no) ",
): Promise<void> {
  if (yes) return;
  if (!ctx.interactive) {
    throw new CampaignctlError({
      code: "APPROVAL_REQUIRED",
      message: "refusing to remove the lock without confirmation (no terminal to ask on)",
      hint: "check that the run holding it is gone, then run 'campaignctl force-unlock --yes'",
    });
  }
  const answer = await ask(ctx, question);
  if (!/^(y|yes)$/i.test(answer.trim())) {
    throw new CampaignctlError({
      code: "APPROVAL_DECLINED",
      message: "lock kept",
      hint: "answer 'yes' to remove it, or wait for the run holding it to finish",
    });
  }
}

/** force-unlock for a state in Postgres: end the sessions holding this project's locks. */
async function forceUnlockPostgres(
  url: string,
  from: string,
  projectName: string,
  yes: boolean,
  ctx: CliContext,
): Promise<number> {
  const location = parsePostgresUrl(url, from);
  for (const secret of location.secrets) registerSecret(secret);
  const { withLockAdmin } = await import("../../state/postgres/force-unlock.js");
  return withLockAdmin(location, async (admin) => {
    const held = await admin.held(projectName);
    if (held.length === 0) {
      ctx.stderr.write(
        `No lock held on project ${projectName}'s state at ${location.printable}; nothing to do (a run that crashed or was killed released its lock when its connection closed).\n`,
      );
      return EXIT.ok;
    }
    const lines = [`Locks held on project ${projectName}'s state at ${location.printable}:`];
    for (const lock of held) {
      lines.push(`  ${lock.state}: ${describeHolder(lock.info)} (database session ${lock.backendPid})`);
    }
    lines.push(
      "  each is held by a live database session: force-unlock ends it (pg_terminate_backend); a run still using it fails its next write and stops",
    );
    ctx.stderr.write(`${lines.join("\n")}\n`);
    await confirm(yes, ctx, `End ${held.length === 1 ? "this session" : "these sessions"}? (yes/no) `);
    for (const lock of held) {
      if (!(await admin.terminate(lock))) {
        throw new CampaignctlError({
          code: "STATE_LOCKED",
          message: `could not end database session ${lock.backendPid} (it ended meanwhile, or this database user may not signal it)`,
          hint: "run 'campaignctl force-unlock' again to see the current holder; ending another user's session needs the pg_signal_backend role",
        });
      }
    }
    ctx.stderr.write(`Lock removed from project ${projectName}'s state at ${location.printable}.\n`);
    return EXIT.ok;
  });
}

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
