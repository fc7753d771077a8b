import path from "node:path";
import { isPostgresUrl } from "./location.js";
import { DEFAULT_STATE_PATH, SANDBOX_STATE_PATH } from "./paths.js";

/** Which backend holds a run's state, and where. */
export type StateSelection =
  | { readonly backend: "file"; readonly path: string }
  | {
      readonly backend: "postgres";
      /** The URL as given, credentials included: never print it (parsePostgresUrl gives a printable one). */
      readonly url: string;
      /** Which setting chose it, for messages: "--state", "CAMPAIGNCTL_STATE" or "campaignctl.yaml state". */
      readonly from: string;
    };

/**
 * Where a run's state lives. In order: `--state` (a postgres:// URL, or a path relative to cwd as
 * typed); `--sandbox` (its own local file, unless `--state` was given); the env CAMPAIGNCTL_STATE;
 * the project file's `state` (which may be `${env:DATABASE_URL}`); the default file. Paths from the
 * env and the project file are relative to the project root, so every folder of one project shares
 * one state.
 */
export function selectState(opts: {
  readonly cwd: string;
  readonly root?: string;
  readonly statePath?: string;
  readonly envState?: string;
  readonly projectState?: string;
  readonly sandbox?: boolean;
}): StateSelection {
  const root = opts.root ?? opts.cwd;
  const pick = (value: string, base: string, from: string): StateSelection =>
    isPostgresUrl(value)
      ? { backend: "postgres", url: value.trim(), from }
      : { backend: "file", path: path.resolve(base, value) };
  if (opts.statePath !== undefined && opts.statePath !== "") return pick(opts.statePath, opts.cwd, "--state");
  if (opts.sandbox) return { backend: "file", path: path.resolve(root, SANDBOX_STATE_PATH) };
  const env = opts.envState?.trim();
  if (env !== undefined && env !== "") return pick(env, root, "CAMPAIGNCTL_STATE");
  if (opts.projectState !== undefined) return pick(opts.projectState, root, "campaignctl.yaml state");
  return { backend: "file", path: path.resolve(root, DEFAULT_STATE_PATH) };
}
