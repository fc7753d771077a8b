import path from "node:path";

/** Default state location, relative to the project root. */
export const DEFAULT_STATE_PATH = ".campaignctl/state.json";
/** Where `--sandbox` runs keep their state, so they never touch the real one. */
export const SANDBOX_STATE_PATH = ".campaignctl/sandbox/state.json";

/**
 * The absolute state file path for a run: `--state PATH` wins (relative to cwd, as the user typed
 * it), then `--sandbox`, then the project file's `state`, then the default. Everything but the flag
 * is relative to the project root, never to the directory the command runs in: two runs over the
 * same project from different folders must share one state.
 */
export function resolveStatePath(opts: {
  cwd: string;
  /** The project root (src/project/); defaults to cwd for library callers that have no project. */
  root?: string;
  statePath?: string;
  /** The project file's `state` setting. */
  projectState?: string;
  sandbox?: boolean;
}): string {
  if (opts.statePath !== undefined && opts.statePath !== "") return path.resolve(opts.cwd, opts.statePath);
  const root = opts.root ?? opts.cwd;
  if (opts.sandbox) return path.resolve(root, SANDBOX_STATE_PATH);
  return path.resolve(root, opts.projectState ?? DEFAULT_STATE_PATH);
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

/** The append-only journal of commits since the last compaction (JSON lines, file backend). */
export function journalPathFor(statePath: string): string {
  return `${statePath}.journal`;
}

/** The last versions written (JSON lines, file backend): `campaignctl state history`. */
export function historyPathFor(statePath: string): string {
  return `${statePath}.history`;
}

/** Blobs (artwork HTML by sha256) kept beside the state, so whoever keeps the state keeps them. */
export function blobsDirFor(statePath: string): string {
  return `${statePath}.blobs`;
}
