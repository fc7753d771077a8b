import { resolve } from "node:path";
import type { CommandSpec } from "../context.js";
import { EXIT, writeChunks } from "../context.js";
import { checkFormat } from "../options.js";
import { CampaignctlError } from "../../core/errors.js";

const FORMATS = ["text", "markdown", "json"] as const;

export const command: CommandSpec = {
  name: "show",
  summary: "Render a plan saved by 'plan --out' (text, markdown or json), like terraform show",
  usage: "campaignctl show PLANFILE [--format text|markdown|json]",
  details: [
    "Reads a plan saved with 'campaignctl plan --out FILE' and prints it; offline, no API key needed.",
    "The file must be a version 1 plan whose fingerprint still matches its actions: one made by",
    "another campaignctl version, or edited, is refused (exit 1). json prints the plan itself, as",
    "'plan --format json' does.",
  ].join("\n"),
  options: {
    format: {
      type: "string",
      default: "text",
      valueName: "FORMAT",
      description: "text, markdown (for PR comments) or json",
    },
  },
  allowPositionals: true,
  async run({ values, positionals }, ctx) {
    const format = checkFormat(values.format, FORMATS);
    const [file, ...extra] = positionals;
    if (file === undefined || extra.length > 0) {
      throw new CampaignctlError({
        code: "USAGE",
        message:
          file === undefined
            ? "show needs the plan file"
            : `show takes one plan file, not ${positionals.length}`,
        hint: "campaignctl show PLANFILE [--format text|markdown|json]",
      });
    }
    const { readSavedPlanStrictly } = await import("../../engine/saved-plan-check.js");
    const saved = await readSavedPlanStrictly(resolve(ctx.cwd, file), file);
    if (format === "json") {
      const { renderPlanJson } = await import("../../render/plan-json.js");
      ctx.stdout.write(renderPlanJson(saved.plan));
    } else if (format === "markdown") {
      const { renderPlanMarkdown } = await import("../../render/plan-markdown.js");
      ctx.stdout.write(renderPlanMarkdown(saved.plan));
    } else {
      const { planTextChunks } = await import("../../render/plan-text.js");
      await writeChunks(ctx.stdout, planTextChunks(saved.plan, { color: ctx.color }));
    }
    return EXIT.ok;
  },
};
