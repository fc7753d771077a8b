import type { Plan } from "../../plan/types.js";
import type { ApplyCounts } from "../apply-tally.js";
import { createApplyTally, describeCounts } from "../apply-tally.js";
import type { CommandSpec } from "../context.js";
import { reportBlocked } from "../blocked.js";
import { EXIT, writeChunks } from "../context.js";
import { RECREATE_OPTION, recreateFrom, SETTLE_OPTION, settleFrom } from "../identity-args.js";
import { cliIoHost } from "../io-host.js";
import { checkFormat, PARALLELISM_OPTION, parallelismFrom, TARGET_OPTIONS } from "../options.js";
import { stderrReporter } from "../reporter.js";
import { targetFrom, useCaseOptions, withEngine } from "../target-args.js";

const FORMATS = ["text", "json"] as const;

export const command: CommandSpec = {
  name: "apply",
  summary: "Create, update and (with --allow-send) send campaigns to match the manifests",
  usage:
    "campaignctl apply [PATH...] [--sandbox] [--auto-approve | --plan FILE] [--allow-send] [--no-wait] [--state PATH]",
  details: [
    "Plans like 'campaignctl plan', shows the plan, asks for approval ('yes') on a terminal, then applies",
    "it step by step (campaign → creative → upload → file → send), saving state after every step.",
    "An interrupted apply resumes where it stopped; nothing is ever created twice.",
    "Without a terminal it refuses unless --auto-approve is given. Sends need --allow-send as well;",
    "without it they are skipped with a message and everything else is applied.",
  ].join("\n"),
  options: {
    ...TARGET_OPTIONS,
    settle: SETTLE_OPTION,
    recreate: RECREATE_OPTION,
    parallelism: PARALLELISM_OPTION,
    plan: {
      type: "string",
      valueName: "FILE",
      description: "apply a plan saved by 'plan --out FILE', refusing if anything changed since (no prompt)",
    },
    "auto-approve": { type: "boolean", description: "apply without asking" },
    "allow-send": { type: "boolean", description: "allow SEND actions (irreversible; costs money)" },
    "no-wait": { type: "boolean", description: "after a send, do not wait for Lob to validate the audience" },
    format: {
      type: "string",
      default: "text",
      valueName: "FORMAT",
      description: "text or json (result object on stdout)",
    },
  },
  allowPositionals: true,
  async run({ values, positionals }, ctx) {
    const format = checkFormat(values.format, FORMATS);
    const { runApply } = await import("../../engine/use-cases.js");
    const { planTextChunks, summaryLine } = await import("../../render/plan-text.js");
    const allowSend = values["allow-send"] === true;
    const target = await targetFrom(values, ctx, { paths: positionals });
    let shown: Plan | undefined;
    const tally = createApplyTally(stderrReporter(ctx), (key) => expectedPieces(shown, key));
    const io = cliIoHost(ctx, {
      reporter: tally.reporter,
      autoApprove: values["auto-approve"] === true,
      // The plan is the result a person reviews: stdout for text; JSON mode prints it at the end.
      showPlan: (plan) => {
        shown = plan;
        if (format === "text") return writeChunks(ctx.stdout, planTextChunks(plan, { color: ctx.color }));
        ctx.stderr.write(`${summaryLine(plan)}\n`);
        return undefined;
      },
    });
    const onInterrupt = (signal: NodeJS.Signals) =>
      ctx.stderr.write(interruptMessage(signal, tally.counts()));
    const github = ctx.env.GITHUB_ACTIONS === "true" ? await import("../github-actions/index.js") : undefined;
    const outcome = await withEngine(target, { io, command: "apply", onInterrupt }, ({ deps, sandbox }) =>
      runApply(deps, positionals, {
        ...useCaseOptions(target),
        ...settleFrom(values),
        ...recreateFrom(values),
        ...parallelismFrom(values.parallelism),
        allowSend,
        ...(typeof values.plan === "string" ? { savedPlanFile: values.plan } : {}),
        waitForProcessing: values["no-wait"] !== true,
        // The sandbox validates in moments: poll it often.
        ...(sandbox ? { pollIntervalMs: 200 } : {}),
      }),
    ).catch(async (error: unknown) => {
      await io.planWritten().catch(() => undefined);
      await github?.reportFailure(error, "apply", ctx);
      throw error;
    });
    await io.planWritten();
    const blocked = reportBlocked(outcome.plan, ctx);
    if (format === "json") {
      const { renderApplyJson } = await import("../../render/result-json.js");
      ctx.stdout.write(
        renderApplyJson({
          plan: outcome.plan,
          counts: tally.counts(),
          sent: outcome.sent,
          skippedSends: outcome.skippedSends,
          cancelWindows: cancelWindowsOf(outcome),
          cancelled: outcome.cancelled ?? [],
          failed: outcome.failed,
          stateSerial: outcome.state.serial,
          requests: outcome.requests,
        }),
      );
    }
    const failed = outcome.failed.length;
    const counts = describeCounts(tally.counts());
    // Keys send.max_failed_ratio cancelled are done with, not waiting for another apply.
    const cancelled = outcome.cancelled ?? [];
    const unconverged = outcome.failed.filter((f) => !cancelled.includes(f.key));
    const resultLine = !outcome.plan.hasChanges
      ? "Apply complete: no changes."
      : failed === 0
        ? `Apply complete: ${counts}.${outcome.skippedSends.length > 0 ? ` ${outcome.skippedSends.length} send(s) skipped (no --allow-send).` : ""}`
        : unconverged.length === 0
          ? `Apply finished: ${counts}; CANCELLED for too many failed rows (send.max_failed_ratio): ${cancelled.join(", ")}.`
          : `Apply finished with ${unconverged.length} campaign(s) not converged: ${unconverged.map((f) => f.key).join(", ")}.${cancelled.length > 0 ? ` CANCELLED for too many failed rows: ${cancelled.join(", ")}.` : ""} Done so far: ${counts}. Run 'campaignctl apply' again to resume.`;
    if (format !== "json" && outcome.plan.hasChanges) ctx.stderr.write(`${resultLine}\n`);
    await github?.reportPlan(outcome.plan, ctx, {
      result: [
        `### campaignctl apply: ${failed === 0 && blocked === 0 ? "done" : "not converged"}`,
        resultLine,
      ],
    });
    return outcome.failed.length > 0 || blocked > 0 ? EXIT.error : EXIT.ok;
  },
};

/** Until when each campaign sent in this run can be cancelled (the deadline the state recorded). */
function cancelWindowsOf(outcome: {
  readonly sent: readonly string[];
  readonly state: { readonly campaigns: Readonly<Record<string, { readonly cancelDeadline?: string }>> };
}): { key: string; cancelDeadline: string }[] {
  return outcome.sent.flatMap((key) => {
    const deadline = outcome.state.campaigns[key]?.cancelDeadline;
    return deadline ? [{ key, cancelDeadline: deadline }] : [];
  });
}

function expectedPieces(plan: Plan | undefined, key: string): number {
  const send = plan?.campaigns.find((c) => c.key === key)?.actions.find((a) => a.kind === "send");
  return send?.kind === "send" ? send.pieces : 0;
}

/** Ctrl-C (or a CI cancel) mid-apply: what was finished, that it is saved, and how to go on. */
function interruptMessage(signal: NodeJS.Signals, counts: ApplyCounts): string {
  const finished =
    counts.touched.length === 0
      ? "No step had finished yet."
      : `Finished before the stop: ${describeCounts(counts)}; campaigns with finished steps: ${counts.touched.join(", ")}.`;
  return [
    "",
    `Interrupted (${signal}). ${finished}`,
    "The state is saved up to the last finished step. Run 'campaignctl apply' again to resume where it stopped:",
    "nothing is created or sent twice.",
    "",
  ].join("\n");
}
