import type { TargetOptions } from "../engine/use-cases.js";
import { projectFor } from "./project-arg.js";
import type { CliContext } from "./context.js";
import { parseDuration, stderrReporter } from "./engine-io.js";

type Values = Readonly<Record<string, string | boolean | string[] | undefined>>;

/**
 * The shared --sandbox/--state/--lock-timeout flags → engine options, with the project found from
 * the first path argument (or the working directory) by walking up to campaignctl.yaml.
 */
export async function targetOptionsFrom(
  values: Values,
  ctx: CliContext,
  opts: { quiet?: boolean; paths?: readonly string[] } = {},
): Promise<TargetOptions> {
  const project = await projectFor(opts.paths ?? [], ctx);
  return {
    cwd: ctx.cwd,
    env: ctx.env,
    project,
    sandbox: values.sandbox === true,
    ...(typeof values.state === "string" ? { statePath: values.state } : {}),
    lockTimeoutMs: parseDuration(String(values["lock-timeout"] ?? "0s"), "--lock-timeout"),
    reporter: stderrReporter(ctx, opts),
  };
}

/**
 * Test-only: CAMPAIGNCTL_TEST_CRASH_AT=<point> SIGKILLs this process at that step boundary
 * (e.g. `campaign:after-response`), so the crash-safety tests can stop a real apply anywhere.
 */
export function crashHookFrom(ctx: CliContext): ((point: string) => void) | undefined {
  const target = ctx.env.CAMPAIGNCTL_TEST_CRASH_AT;
  if (!target) return undefined;
  return (point) => {
    if (point === target) process.kill(process.pid, "SIGKILL");
  };
}
