import type { CliContext } from "../context.js";
import type { Diagnostic } from "../../core/diagnostics.js";
import { isCampaignctlError } from "../../core/errors.js";
import { redactSecrets } from "../../core/redact.js";
import type { Plan } from "../../plan/types.js";
import type { ValidationOutcome } from "../../render/diagnostics.js";
import type { Annotation } from "./annotations.js";
import { diagnosticAnnotations, groupedAnnotationLines, planAnnotations } from "./annotations.js";
import { appendStepSummary } from "./step-summary.js";
import { renderFailureSummary, renderValidationSummary } from "./summaries.js";

/**
 * What validate, plan and apply add when GITHUB_ACTIONS=true: grouped annotations (on stderr,
 * where the runner reads workflow commands as well as on stdout, so `--format json` output stays
 * clean) and a summary appended to $GITHUB_STEP_SUMMARY. Loaded only under GitHub Actions.
 */
export function isGithubActions(env: CliContext["env"]): boolean {
  return env.GITHUB_ACTIONS === "true";
}

export async function reportValidation(
  outcome: ValidationOutcome,
  ctx: CliContext,
  options: { readonly annotate: boolean },
): Promise<void> {
  if (options.annotate) annotate(diagnosticAnnotations(outcome.diagnostics), ctx);
  await summary(ctx, (max) => renderValidationSummary(outcome, max));
}

/** A plan (from `plan`, or the one `apply` ran), with the result lines apply adds above it. */
export async function reportPlan(
  plan: Plan,
  ctx: CliContext,
  options: { readonly result?: readonly string[] } = {},
): Promise<void> {
  annotate(planAnnotations(plan), ctx);
  const { renderPlanMarkdown } = await import("../../render/plan-markdown.js");
  const result = options.result && options.result.length > 0 ? `${options.result.join("\n\n")}\n\n` : "";
  await summary(ctx, (max) =>
    `${result}${renderPlanMarkdown(plan, {
      maxChars: Math.max(1_000, max - result.length),
      fullPlanHint:
        "the full plan is in the log above and in the saved plan artifact (`campaignctl show PLANFILE`)",
    })}`.slice(0, max),
  );
}

/** plan or apply stopped with an error: annotate it (and any manifest diagnostics) and summarise it. */
export async function reportFailure(error: unknown, command: string, ctx: CliContext): Promise<void> {
  if (!isCampaignctlError(error) || error.code === "INTERNAL") return;
  const raw = (error as { diagnostics?: unknown }).diagnostics;
  const diagnostics = Array.isArray(raw) ? (raw as Diagnostic[]) : [];
  annotate(
    // The failure first: it must not be folded into the count of the diagnostics that follow.
    [
      { level: "error", title: `campaignctl ${command}: ${error.code}`, message: error.message },
      ...diagnosticAnnotations(diagnostics),
    ],
    ctx,
  );
  await summary(ctx, (max) => renderFailureSummary(command, error.message, error.hint, diagnostics, max));
}

function annotate(annotations: readonly Annotation[], ctx: CliContext): void {
  const lines = groupedAnnotationLines(annotations);
  if (lines.length > 0) ctx.stderr.write(redact(`${lines.join("\n")}\n`, ctx));
}

async function summary(ctx: CliContext, render: (maxChars: number) => string): Promise<void> {
  const path = ctx.env.GITHUB_STEP_SUMMARY;
  if (!path) return;
  try {
    await appendStepSummary(path, (max) => redact(render(max), ctx));
  } catch (error) {
    // The summary is a courtesy: a missing or read-only file must not fail the plan or apply.
    const reason = (error as NodeJS.ErrnoException).code ?? "error";
    ctx.stderr.write(`Warning: could not write the job summary to $GITHUB_STEP_SUMMARY (${reason})\n`);
  }
}

function redact(text: string, ctx: CliContext): string {
  return redactSecrets(
    text,
    [ctx.env.LOB_API_KEY ?? ""].filter((s) => s.length > 0),
  );
}
