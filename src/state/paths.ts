import path from "node:path";

/** Default state location, relative to the working directory. */
export const DEFAULT_STATE_PATH = ".campaignctl/state.json";
/** Where `--sandbox` runs keep their state, so they never touch the real one. */
export const SANDBOX_STATE_PATH = ".campaignctl/sandbox/state.json";

/**
 * The absolute state file path for a run: `--state PATH` wins (relative to cwd), then
 * `--sandbox`, then the default.
 */
export function resolveStatePath(opts: { cwd: string; statePath?: string; sandbox?: boolean }): string {
  const chosen =
    opts.statePath !== undefined && opts.statePath !== ""
      ? opts.statePath
      : opts.sandbox
        ? SANDBOX_STATE_PATH
        : DEFAULT_STATE_PATH;
  return path.resolve(opts.cwd, chosen);
}

export function lockPathFor(statePath: string): string {
  return `${statePath}.lock`;
}

export function backupPathFor(statePath: string): string {
  return `${statePath}.backup`;
}

/** Path as the user would like to read it: relative to cwd when it lies below it. */
export function displayPath(filePath: string, cwd: string = process.cwd()): string {
  const relative = path.relative(cwd, filePath);
  return relative !== "" && !relative.startsWith("..") && !path.isAbsolute(relative) ? relative : filePath;
}
