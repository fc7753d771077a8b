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
      markdown: await commentMarkdown(plan, ctx.env),
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

/**
 * The comment's markdown: the plan, then the link to this run's proofs when there are any. The
 * plan shrinks by the link's length, so the whole stays within GitHub's limit with room for the
 * marker.
 */
export async function commentMarkdown(
  plan: Plan,
  env: Readonly<Record<string, string | undefined>>,
): Promise<string> {
  const { COMMENT_MARKER_ROOM, GITHUB_COMMENT_LIMIT, renderPlanMarkdown } =
    await import("../render/plan-markdown.js");
  const proofs = proofsLine(env);
  return (
    renderPlanMarkdown(plan, { maxChars: GITHUB_COMMENT_LIMIT - COMMENT_MARKER_ROOM - proofs.length }) +
    proofs
  );
}

/**
 * A link to this run's redacted proofs, when the workflow uploaded them as an artifact and names it
 * in CAMPAIGNCTL_PROOFS_ARTIFACT (examples/github/plan-on-pull-request.yml): reviewers see the
 * cards, not only the HTML diff. Empty when the run has none.
 */
export function proofsLine(env: Readonly<Record<string, string | undefined>>): string {
  const artifact = env.CAMPAIGNCTL_PROOFS_ARTIFACT?.trim();
  const server = env.GITHUB_SERVER_URL ?? "https://github.com";
  const { GITHUB_REPOSITORY: repository, GITHUB_RUN_ID: runId } = env;
  if (!artifact || !repository || !runId || !/^\d+$/.test(runId)) return "";
  const name = artifact.replace(/[`<>[\]\r\n]/g, "").slice(0, 100);
  return `\n---\n:framed_picture: Proofs of the changed creatives (rendered with placeholder values, no recipient data): artifact \`${name}\` of [this run](${server}/${repository}/actions/runs/${runId}).\n`;
}
