import type { Diagnostic } from "../../core/diagnostics.js";
import { formatDiagnosticLine } from "../../core/diagnostics.js";
import type { ValidationOutcome } from "../../render/diagnostics.js";

/**
 * Markdown for the job summary of `validate` and of a failed run: counts first, then every
 * diagnostic while the budget lasts (diagnostics never hold a cell), then the audiences.
 */
export function renderValidationSummary(outcome: ValidationOutcome, maxChars: number): string {
  const errors = outcome.diagnostics.filter((d) => d.severity === "error").length;
  const warnings = outcome.diagnostics.length - errors;
  const head = [
    errors === 0
      ? `### campaignctl validate: ${plural(outcome.campaigns.length, "campaign")} valid in ${plural(outcome.manifestFiles, "manifest")}`
      : `### campaignctl validate: ${plural(errors, "error")}`,
    "",
    `${plural(errors, "error")}, ${plural(warnings, "warning")} in ${plural(outcome.manifestFiles, "manifest")}.`,
  ];
  const audiences: string[] = [];
  for (const campaign of outcome.campaigns) {
    const report = outcome.preflight.get(campaign.key);
    if (!report) continue;
    audiences.push(
      `| ${code(campaign.key)} | ${code(report.file)} | ${report.totalRows} | ${report.passingRows} | ${report.failingRows} |`,
    );
  }
  const tail =
    audiences.length > 0
      ? [
          "",
          "| Campaign | Audience | Rows | Passing | Skipped by Lob |",
          "| --- | --- | ---: | ---: | ---: |",
          ...audiences,
        ]
      : [];
  return fitted(head, diagnosticsBlock(outcome.diagnostics), tail, maxChars);
}

/** A run that stopped with an error: what it was, how to fix it, and its diagnostics if any. */
export function renderFailureSummary(
  command: string,
  message: string,
  hint: string | undefined,
  diagnostics: readonly Diagnostic[],
  maxChars: number,
): string {
  const head = [`### campaignctl ${command} failed`, "", `> [!CAUTION]`, `> ${oneLine(message)}`];
  if (hint) head.push(`>`, `> Hint: ${oneLine(hint)}`);
  return fitted(head, diagnosticsBlock(diagnostics), [], maxChars);
}

function diagnosticsBlock(diagnostics: readonly Diagnostic[]): string[] {
  if (diagnostics.length === 0) return [];
  return ["", "```text", ...diagnostics.map((d) => oneLine(formatDiagnosticLine(d))), "```"];
}

/**
 * head + as many lines of `body` as fit + tail, within maxChars. Cut lines are counted; the
 * closing fence of the body is kept.
 */
function fitted(head: string[], body: string[], tail: string[], maxChars: number): string {
  const join = (lines: string[]) => `${lines.join("\n")}\n`;
  const whole = join([...head, ...body, ...tail]);
  if (whole.length <= maxChars) return whole;
  const fixed = join([...head, ...tail]).length + 200;
  const kept: string[] = [];
  let used = 0;
  const inner = body.slice(0, -1);
  for (const line of inner) {
    if (used + line.length + 1 + fixed > maxChars) break;
    kept.push(line);
    used += line.length + 1;
  }
  const left = inner.length - kept.length;
  const cut = [
    ...kept,
    body.at(-1) ?? "",
    "",
    `${left} more line${left === 1 ? "" : "s"} left out: see the log.`,
  ];
  const text = join([...head, ...cut, ...tail]);
  return text.length <= maxChars ? text : join(head).slice(0, maxChars);
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

function oneLine(text: string): string {
  return text.replace(/[\r\n]+/g, " ");
}

function code(text: string): string {
  return `\`${text.replace(/[`|\r\n]/g, " ")}\``;
}
