import type { CampaignStatus, StatusOutcome } from "../engine/status.js";
import { formatSpan } from "./time-left.js";
import { formatCount } from "../core/en-us.js";

/** A fixed-width table, one row per key; `-` where a column does not apply. */
export function renderStatusText(outcome: StatusOutcome): string {
  const destroyed = renderDestroyed(outcome);
  if (outcome.campaigns.length === 0) {
    return destroyed
      ? `No managed campaigns in the state.\n\n${destroyed}`
      : "No campaigns in the state yet. Run 'campaignctl apply' first.\n";
  }
  const header = ["KEY", "CAMPAIGN", "STATUS", "UPLOAD", "ROWS", "VALIDATED", "FAILED", "CANCEL WINDOW"];
  const rows = outcome.campaigns.map((c) => [
    c.key,
    c.campaignId ?? "-",
    c.campaign,
    c.upload ?? "-",
    count(c.rows),
    count(c.validated),
    count(c.failed),
    window(c),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i]!))
      .join("  ")
      .trimEnd();
  return `${[line(header), ...rows.map(line)].join("\n")}\n\n(as of ${outcome.now}, Lob's clock)\n${destroyed ? `\n${destroyed}` : ""}`;
}

/** Destroyed keys stay destroyed: list them so nobody wonders why a manifest is not applied. */
function renderDestroyed(outcome: StatusOutcome): string {
  const destroyed = outcome.destroyed ?? [];
  if (destroyed.length === 0) return "";
  const rows = destroyed.map(
    (d) => `  ${d.key}: ${d.how} at ${d.at}${d.campaignId ? ` (${d.campaignId})` : ""}; not re-created`,
  );
  return `Destroyed keys (apply creates them again only with --recreate KEY):\n${rows.join("\n")}\n`;
}

function count(n: number | null): string {
  return n === null ? "-" : formatCount(n);
}

function window(c: CampaignStatus): string {
  if (c.cancelDeadline === null) return "-";
  if (!c.cancellable) return `closed at ${c.cancelDeadline}`;
  const left = c.cancelSecondsLeft === null ? "" : ` (${formatSpan(c.cancelSecondsLeft * 1000)} left)`;
  return `open until ${c.cancelDeadline}${left}`;
}
