import type { CommandSpec } from "../context.js";
import { EXIT } from "../context.js";
import { approve, checkFormat, PARALLELISM_OPTION, parallelismFrom, TARGET_OPTIONS } from "../engine-io.js";
import { RECREATE_OPTION, recreateFrom, SETTLE_OPTION, settleFrom } from "../identity-args.js";
import { crashHookFrom, targetOptionsFrom } from "../target-args.js";

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
    const { renderPlanText, summaryLine } = await import("../../render/plan-text.js");
    const allowSend = values["allow-send"] === true;
    const crash = crashHookFrom(ctx);
    const outcome = await runApply(positionals, {
      ...targetOptionsFrom(values, ctx),
      ...settleFrom(values),
      ...recreateFrom(values),
      ...parallelismFrom(values.parallelism),
      ...parallelismFrom(values.parallelism),
      allowSend,
      ...(typeof values.plan === "string" ? { savedPlanFile: values.plan } : {}),
      waitForProcessing: values["no-wait"] !== true,
      ...(crash ? { crash } : {}),
      // The plan is the result a person reviews: stdout for text; JSON mode prints it at the end.
      showPlan: (plan) => {
        if (format === "text") ctx.stdout.write(renderPlanText(plan, { color: ctx.color }));
        else ctx.stderr.write(`${summaryLine(plan)}\n`);
      },
      confirm: (plan) => approve(ctx, plan, { autoApprove: values["auto-approve"] === true, allowSend }),
    });
    const blocked = outcome.plan.summary.blocked;
    if (format === "json") {
      ctx.stdout.write(
        `${JSON.stringify(
          {
            version: 1,
            plan: outcome.plan,
            result: {
              sent: outcome.sent,
              skippedSends: outcome.skippedSends,
              failed: outcome.failed,
              stateSerial: outcome.state.serial,
              requests: outcome.requests,
            },
          },
          null,
          2,
        )}\n`,
      );
    } else if (outcome.plan.hasChanges) {
      const failed = outcome.failed.length;
      ctx.stderr.write(
        failed === 0
          ? `Apply complete.${outcome.skippedSends.length > 0 ? ` ${outcome.skippedSends.length} send(s) skipped (no --allow-send).` : ""}\n`
          : `Apply finished with ${failed} campaign(s) not converged: ${outcome.failed.map((f) => f.key).join(", ")}. Run 'campaignctl apply' again to resume.\n`,
      );
    }
    return outcome.failed.length > 0 || blocked > 0 ? EXIT.error : EXIT.ok;
  },
};
