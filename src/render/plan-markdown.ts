import type { Plan } from "../plan/types.js";
import { renderPlanText, summaryLine } from "./plan-text.js";

/** For pull-request comments: the summary as a heading and the text plan in a diff block. */
export function renderPlanMarkdown(plan: Plan): string {
  const body = renderPlanText(plan, { color: false });
  const sends =
    plan.summary.send > 0
      ? `\n\n> **Warning:** this plan SENDS mail. Sending is irreversible and costs money.`
      : "";
  const warnings = (plan.warnings ?? []).map((w) => `\n\n> **Warning:** ${w}`).join("");
  return `### campaignctl ${plan.operation} plan\n\n**${summaryLine(plan)}**${sends}${warnings}\n\n<details><summary>Details</summary>\n\n\`\`\`diff\n${body}\`\`\`\n\n</details>\n`;
}
