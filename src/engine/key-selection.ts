import { CampaignctlError } from "../core/errors.js";
import { suggestClosest } from "../manifest/suggest.js";
import type { StateFile } from "../state/types.js";

/**
 * `--key KEY` must name something: a typo that silently selects nothing would make `destroy` say
 * "No changes" and `status` say the state is empty, both with exit 0. Refuses keys that are
 * neither in the state nor among `alsoKnown` (keys of the manifests given on the command line).
 */
export function assertKeysKnown(
  keys: readonly string[] | undefined,
  state: StateFile,
  alsoKnown: readonly string[] = [],
): void {
  if (!keys || keys.length === 0) return;
  const known = [...new Set([...Object.keys(state.campaigns), ...alsoKnown])].sort();
  const unknown = keys.filter((key) => !known.includes(key));
  if (unknown.length === 0) return;
  const guess = unknown.length === 1 ? suggestClosest(unknown[0]!, known) : undefined;
  throw new CampaignctlError({
    code: "USAGE",
    message: `no campaign ${unknown.map((k) => `'${k}'`).join(", ")} in the state or the given manifests${guess ? ` (did you mean '${guess}'?)` : ""}`,
    hint:
      known.length === 0
        ? "the state has no campaigns yet: run 'campaignctl apply' first (or check --state / --sandbox)"
        : `known keys: ${shortList(known)}`,
  });
}

function shortList(keys: readonly string[]): string {
  const shown = keys.slice(0, 20).join(", ");
  return keys.length > 20
    ? `${shown}, … (${keys.length - 20} more; 'campaignctl status' lists them all)`
    : shown;
}
