import type { CommandSpec } from "../context.js";
import { EXIT, writeChunks } from "../context.js";
import { cliIoHost } from "../io-host.js";
import { checkFormat, PARALLELISM_OPTION, parallelismFrom, TARGET_OPTIONS } from "../options.js";
import { stderrReporter } from "../reporter.js";
import { targetFrom, useCaseOptions, withEngine } from "../target-args.js";

const FORMATS = ["text", "json"] as const;

export const command: CommandSpec = {
  name: "destroy",
  summary: "Delete drafts and cancel sent campaigns whose cancel window is open",
  usage: "campaignctl destroy [PATH...] [--key KEY]... [--sandbox] [--auto-approve] [--state PATH]",
  details: [
    "Selects the campaigns of the given manifests, the --key values, or (with neither) every campaign",
    "in the state. Plans first, asks for approval, then deletes drafts and cancels sent campaigns",
    "whose cancel window is still open. A campaign whose window has closed is refused, naming the",
    "deadline that passed; the others still go ahead. Exit 1 when anything was refused.",
  ].join("\n"),
  options: {
    ...TARGET_OPTIONS,
    key: {
      type: "string",
      multiple: true,
      valueName: "KEY",
      description: "a campaign key to destroy (repeatable)",
    },
    parallelism: PARALLELISM_OPTION,
    "auto-approve": { type: "boolean", description: "destroy without asking" },
    format: { type: "string", default: "text", valueName: "FORMAT", description: "text or json" },
  },
  allowPositionals: true,
  async run({ values, positionals }, ctx) {
    const format = checkFormat(values.format, FORMATS);
    const { runDestroy } = await import("../../engine/use-cases.js");
    const { planTextChunks, summaryLine } = await import("../../render/plan-text.js");
    const keys = Array.isArray(values.key) ? values.key : undefined;
    const target = await targetFrom(values, ctx, { paths: positionals });
    const io = cliIoHost(ctx, {
      reporter: stderrReporter(ctx),
      autoApprove: values["auto-approve"] === true,
      showPlan: (plan) => {
        if (format === "text") return writeChunks(ctx.stdout, planTextChunks(plan, { color: ctx.color }));
        ctx.stderr.write(`${summaryLine(plan)}\n`);
        return undefined;
      },
    });
    const outcome = await withEngine(target, { io, command: "destroy" }, ({ deps }) =>
      runDestroy(deps, {
        ...useCaseOptions(target),
        ...parallelismFrom(values.parallelism),
        paths: positionals,
        ...(keys ? { keys } : {}),
      }),
    ).catch(async (error: unknown) => {
      await io.planWritten().catch(() => undefined);
      throw error;
    });
    await io.planWritten();
    if (format === "json") {
      const { renderDestroyJson } = await import("../../render/result-json.js");
      ctx.stdout.write(
        renderDestroyJson({ plan: outcome.plan, failed: outcome.failed, stateSerial: outcome.state.serial }),
      );
    } else if (outcome.plan.hasChanges) {
      ctx.stderr.write(
        outcome.failed.length === 0
          ? "Destroy complete.\n"
          : `Destroy finished; refused: ${outcome.failed.map((f) => f.key).join(", ")}.\n`,
      );
    }
    return outcome.failed.length > 0 || outcome.plan.summary.blocked > 0 ? EXIT.error : EXIT.ok;
  },
};
