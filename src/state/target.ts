import { CampaignctlError } from "../core/errors.js";
import type { StateFile, StateTarget } from "./types.js";

/**
 * The API URL as it is stored and compared: no user:password part (a key pasted into the URL
 * must never reach the state file), no query or fragment, and no trailing slash. Values that are not URLs (the sandbox
 * records "sandbox") are kept as they are.
 */
export function normalizeApiUrl(apiUrl: string): string {
  let url: URL;
  try {
    url = new URL(apiUrl);
  } catch {
    return apiUrl.trim();
  }
  url.username = "";
  url.password = "";
  url.hash = "";
  url.search = "";
  return url.toString().replace(/\/+$/, "");
}

/**
 * Refuses to use a state file with a different target than the run's: test state with a live key
 * (and the reverse), or state made against another API URL. Either way apply would act on
 * campaigns that state does not describe.
 */
export function assertTargetMatches(state: StateFile, target: StateTarget, statePath?: string): void {
  const file = statePath === undefined ? "the state file" : `state file ${statePath}`;
  if (state.target.mode !== target.mode) {
    throw new CampaignctlError({
      code: "STATE_TARGET_MISMATCH",
      message: `${file} belongs to Lob ${state.target.mode} mode, but this run uses a ${target.mode} API key`,
      hint: `keep ${target.mode} campaigns in a separate state file: pass --state PATH (e.g. --state .campaignctl/${target.mode}.json), or use a ${state.target.mode}_ key with this state`,
    });
  }
  const recorded = normalizeApiUrl(state.target.apiUrl);
  const wanted = normalizeApiUrl(target.apiUrl);
  if (recorded !== wanted) {
    throw new CampaignctlError({
      code: "STATE_TARGET_MISMATCH",
      message: `${file} was made against ${recorded}, but this run targets ${wanted}`,
      hint:
        recorded === "sandbox"
          ? "this state belongs to --sandbox runs: add --sandbox, or pass --state PATH for a separate state file"
          : `set LOB_API_URL=${recorded} to use this state, or pass --state PATH to keep a separate state file for ${wanted}`,
    });
  }
}
