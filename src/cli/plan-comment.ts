import { isAbsolute, relative, resolve, sep } from "node:path";
import type { Plan } from "../plan/types.js";
import type { CliContext } from "./context.js";
import type { CliTarget } from "./target-args.js";

/**
 * `plan --comment`: the sticky pull-request comment. The environment is checked before planning
 * (`prepare`), the comment written after (`publish`). Everything GitHub is loaded lazily, so no
 * other command (and no plan without --comment) loads Octokit.
 */
export async function preparePlanComment(ctx: CliContext) {
  const { preparePlanComment: prepare } = await import("../github/publish-plan-comment.js");
  return prepare(ctx.env);
}

export async function publishPlanComment(
  pullRequest: Awaited<ReturnType<typeof preparePlanComment>>,
  plan: Plan,
  paths: readonly string[],
  target: CliTarget,
  ctx: CliContext,
): Promise<void> {
  const { publishPlanComment: publish } = await import("../github/publish-plan-comment.js");
  const { scopeOf } = await import("../github/marker.js");
  const { planFingerprint } = await import("../engine/saved-plan.js");
  const { projectName } = await import("../engine/project-name.js");
  const { renderPlanMarkdown } = await import("../render/plan-markdown.js");
  const { summaryLine } = await import("../render/plan-text.js");
  const root = target.project?.root ?? target.cwd;
  const identity = {
    project: projectName(target),
    scope: scopeOf(plan.scope === "project" ? [] : paths.map((p) => scopePath(root, resolve(target.cwd, p)))),
  };
  const inActions = ctx.env.GITHUB_ACTIONS === "true";
  // Under GitHub Actions the plan command has put the plan in the job summary already.
  const summaryWritten = inActions && Boolean(ctx.env.GITHUB_STEP_SUMMARY);
  const warn = (message: string) =>
    ctx.stderr.write(
      inActions ? `::warning title=campaignctl plan comment::${message}\n` : `Warning: ${message}\n`,
    );
  const outcome = await publish(
    pullRequest,
    {
      identity,
      fingerprint: planFingerprint(plan),
      markdown: renderPlanMarkdown(plan),
      fallback: [
        `### campaignctl ${plan.operation} plan`,
        "",
        `**${summaryLine(plan)}**`,
        "",
        "The full plan is too long for a pull-request comment: read it in this run's job summary, or download the plan artifact.",
        "",
      ].join("\n"),
      summaryWritten,
    },
    ctx.env,
    warn,
  );
  if (outcome.kind === "comment") {
    ctx.stderr.write(`Plan comment ${outcome.action}: ${outcome.url}\n`);
    return;
  }
  warn(
    `the token may not comment on pull request #${pullRequest.number}${pullRequest.fromFork ? " (it comes from a fork, whose runs get a read-only token)" : ""}; ${
      outcome.summaryWritten
        ? "the plan is in this run's job summary instead"
        : "the plan is in this step's log above"
    }`,
  );
}

/** A manifest path as the marker records it: relative to the project root, `/`-separated. */
function scopePath(root: string, absolute: string): string {
  const rel = relative(root, absolute);
  const inside = rel !== "" && !rel.startsWith("..") && !isAbsolute(rel);
  return (inside ? rel : absolute).split(sep).join("/");
}
