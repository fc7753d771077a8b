import { blockedItems } from "../plan/summary.js";
import type { Plan } from "../plan/types.js";
import type { CliContext } from "./context.js";

/**
 * Blocked means failed: a change that cannot be made must fail the pull-request check, not only
 * the apply after merge. One `Error:` line per blocked item, on stderr, with its hint. Returns how
 * many there were.
 */
export function reportBlocked(plan: Plan, ctx: CliContext): number {
  const items = blockedItems(plan);
  for (const { key, reason, hint } of items) {
    ctx.stderr.write(`Error: ${key}: ${reason}\n  hint: ${hint}\n`);
  }
  return items.length;
}
