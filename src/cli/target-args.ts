import type { Project } from "../project/types.js";
import { projectFor } from "./project-arg.js";
import type { CliContext } from "./context.js";
import type { EngineDepsOptions, OpenedEngineDeps } from "../deps-from-env.js";
import { parseDuration } from "./options.js";
import { releaseLockOnSignals } from "./signals.js";

type Values = Readonly<Record<string, string | boolean | string[] | undefined>>;

/** Where a command runs: the shared --sandbox/--state/--lock-timeout flags and the project. */
export interface CliTarget {
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly project: Project | undefined;
  readonly sandbox: boolean;
  readonly statePath?: string;
  readonly lockTimeoutMs: number;
}

/**
 * The shared --sandbox/--state/--lock-timeout flags, with the project found from the first path
 * argument (or the working directory) by walking up to campaignctl.yaml.
 */
export async function targetFrom(
  values: Values,
  ctx: CliContext,
  opts: { paths?: readonly string[] } = {},
): Promise<CliTarget> {
  const project = await projectFor(opts.paths ?? [], ctx);
  return {
    cwd: ctx.cwd,
    env: ctx.env,
    project,
    sandbox: values.sandbox === true,
    ...(typeof values.state === "string" ? { statePath: values.state } : {}),
    lockTimeoutMs: parseDuration(String(values["lock-timeout"] ?? "0s"), "--lock-timeout"),
  };
}

/** The engine options every use case shares, from the target. */
export function useCaseOptions(target: CliTarget): {
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
  project?: Project;
} {
  return { cwd: target.cwd, env: target.env, ...(target.project ? { project: target.project } : {}) };
}

/**
 * Build the engine's deps for one command (target, client, store, lock, sandbox, Ctrl-C
 * handling), run `work` with them, and close them whatever happens.
 */
export async function withEngine<T>(
  target: CliTarget,
  options: Omit<EngineDepsOptions, keyof CliTarget | "project" | "onLockHeld"> & {
    readonly command: string;
    /** Says what was finished when Ctrl-C stops the command (apply). */
    readonly onInterrupt?: (signal: NodeJS.Signals) => void;
  },
  work: (opened: OpenedEngineDeps) => Promise<T>,
): Promise<T> {
  const { engineDepsFromEnv } = await import("../deps-from-env.js");
  const { onInterrupt, ...rest } = options;
  const opened = await engineDepsFromEnv({
    ...target,
    ...(target.project ? { project: target.project } : {}),
    onLockHeld: releaseLockOnSignals(onInterrupt),
    ...rest,
  });
  try {
    return await work(opened);
  } finally {
    await opened.close();
  }
}
