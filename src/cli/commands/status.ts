import type { CommandSpec } from "../context.js";
import { EXIT } from "../context.js";
import { cliIoHost } from "../io-host.js";
import { checkFormat, TARGET_OPTIONS } from "../options.js";
import { stderrReporter } from "../reporter.js";
import { targetFrom, withEngine } from "../target-args.js";

const FORMATS = ["text", "json"] as const;

export const command: CommandSpec = {
  name: "status",
  summary: "Show each managed campaign as Lob holds it now (sent, validated, cancel window)",
  usage: "campaignctl status [--key KEY]... [--format text|json] [--sandbox] [--state PATH]",
  details: [
    "Reads the state and one refresh from Lob. Read-only: it takes no lock, so it works while an",
    "apply runs. Shows counts and states only, never audience rows.",
  ].join("\n"),
  options: {
    ...TARGET_OPTIONS,
    key: {
      type: "string",
      multiple: true,
      valueName: "KEY",
      description: "only this campaign key (repeatable)",
    },
    format: { type: "string", default: "text", valueName: "FORMAT", description: "text or json" },
  },
  allowPositionals: false,
  async run({ values }, ctx) {
    const format = checkFormat(values.format, FORMATS);
    const { runStatus } = await import("../../engine/status.js");
    const keys = Array.isArray(values.key) ? values.key : undefined;
    const target = await targetFrom(values, ctx);
    const io = cliIoHost(ctx, { reporter: stderrReporter(ctx) });
    const outcome = await withEngine(target, { io, command: "status", readOnly: true }, ({ deps }) =>
      runStatus(deps, { ...(target.project ? { project: target.project } : {}), ...(keys ? { keys } : {}) }),
    );
    if (format === "json") {
      ctx.stdout.write(`${JSON.stringify({ version: 1, ...outcome }, null, 2)}\n`);
    } else {
      const { renderStatusText } = await import("../../render/status-text.js");
      ctx.stdout.write(renderStatusText(outcome));
    }
    return EXIT.ok;
  },
};
