import type { CommandSpec } from "../context.js";
import { reportBlocked } from "../blocked.js";
import { EXIT, writeChunks } from "../context.js";
import { RECREATE_OPTION, recreateFrom, SETTLE_OPTION, settleFrom } from "../identity-args.js";
import { cliIoHost } from "../io-host.js";
import { preparePlanComment, publishPlanComment } from "../plan-comment.js";
import { checkFormat, TARGET_OPTIONS } from "../options.js";
import { stderrReporter } from "../reporter.js";
import { targetFrom, useCaseOptions, withEngine } from "../target-args.js";

const FORMATS = ["text", "markdown", "json"] as const;

export const command: CommandSpec = {
  name: "plan",
  summary: "Show what apply would change in Lob",
  usage:
    "campaignctl plan [PATH...] [--sandbox] [--format text|markdown|json] [--detailed-exitcode] [--out FILE] [--comment] [--state PATH]",
  details: [
    "Reads the manifests (PATH: files or directories; default: the whole project), the state, and",
    "one refresh of the managed campaigns from Lob, and prints the actions apply would take.",
    "Needs LOB_API_KEY (and optionally LOB_API_URL), or --sandbox.",
    "Without PATH the run covers the whole project (a draft whose manifest was removed is deleted);",
    "with PATHs it touches only their campaigns. A directory is searched recursively.",
    "Exit codes: 0 success; 1 error or any blocked change; with --detailed-exitcode 0 = no changes,",
    "2 = changes present.",
    "--comment (in a GitHub Actions pull_request run; needs GITHUB_TOKEN) also creates or updates",
    "one sticky plan comment on the pull request, found again by a hidden marker naming the project",
    "and the paths' scope. With a read-only token (a fork) it writes the job summary and warns instead.",
  ].join("\n"),
  options: {
    ...TARGET_OPTIONS,
    settle: SETTLE_OPTION,
    recreate: RECREATE_OPTION,
    format: {
      type: "string",
      default: "text",
      valueName: "FORMAT",
      description: "text, markdown (for PR comments) or json",
    },
    out: {
      type: "string",
      valueName: "FILE",
      description: "also save the plan; 'apply --plan FILE' applies it only if nothing changed since",
    },
    "detailed-exitcode": { type: "boolean", description: "exit 2 when there are changes, 0 when none" },
    comment: {
      type: "boolean",
      description:
        "create or update the pull request's sticky plan comment (GitHub Actions, needs GITHUB_TOKEN)",
    },
  },
  allowPositionals: true,
  async run({ values, positionals }, ctx) {
    const format = checkFormat(values.format, FORMATS);
    const { runPlan } = await import("../../engine/use-cases.js");
    const { planTextChunks } = await import("../../render/plan-text.js");
    const { renderPlanMarkdown } = await import("../../render/plan-markdown.js");
    const { renderPlanJson } = await import("../../render/plan-json.js");
    const target = await targetFrom(values, ctx, { paths: positionals });
    // Checked before planning, so a job that cannot comment fails at once.
    const pullRequest = values.comment === true ? await preparePlanComment(ctx) : undefined;
    const io = cliIoHost(ctx, { reporter: stderrReporter(ctx) });
    const github = ctx.env.GITHUB_ACTIONS === "true" ? await import("../github-actions/index.js") : undefined;
    const { plan } = await withEngine(target, { io, command: "plan" }, ({ deps }) =>
      runPlan(deps, positionals, {
        ...useCaseOptions(target),
        ...settleFrom(values),
        ...recreateFrom(values),
        ...(typeof values.out === "string" ? { out: values.out } : {}),
      }),
    ).catch(async (error: unknown) => {
      await github?.reportFailure(error, "plan", ctx);
      throw error;
    });
    if (format === "json") ctx.stdout.write(renderPlanJson(plan));
    else if (format === "markdown") ctx.stdout.write(renderPlanMarkdown(plan));
    else await writeChunks(ctx.stdout, planTextChunks(plan, { color: ctx.color }));
    await github?.reportPlan(plan, ctx);
    const blocked = reportBlocked(plan, ctx);
    if (pullRequest) await publishPlanComment(pullRequest, plan, positionals, target, ctx);
    if (blocked > 0) return EXIT.error;
    if (values["detailed-exitcode"] === true) return plan.hasChanges ? EXIT.changes : EXIT.ok;
    return EXIT.ok;
  },
};
