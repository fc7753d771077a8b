import type { Plan } from "../plan/types.js";
import { blockedItems } from "../plan/summary.js";
import { renderPlanText, scopeLine, summaryLine } from "./plan-text.js";

/**
 * For pull-request comments: the summary as a heading, blocked items in a callout above
 * everything else (they fail the check), then the text plan in a diff block.
 */
export function renderPlanMarkdown(plan: Plan): string {
  const body = renderPlanText(plan, { color: false });
  const sends =
    plan.summary.send > 0
      ? `\n\n> **Warning:** this plan SENDS mail. Sending is irreversible and costs money.`
      : "";
  const warnings = (plan.warnings ?? []).map((w) => `\n\n> **Warning:** ${w}`).join("");
  return `### campaignctl ${plan.operation} plan\n\n**${summaryLine(plan)}**\n\n_${scopeLine(plan)}_${blockedCallout(plan)}${sends}${warnings}\n\n<details><summary>Details</summary>\n\n\`\`\`diff\n${body}\`\`\`\n\n</details>\n`;
}

function blockedCallout(plan: Plan): string {
  const lines = blockedItems(plan).map(({ key, reason, hint }) => `> - **${key}**: ${reason}. Hint: ${hint}`);
  if (lines.length === 0) return "";
  return `\n\n> [!CAUTION]\n> **${lines.length} blocked** (the plan fails until they are resolved):\n${lines.join("\n")}`;
}
