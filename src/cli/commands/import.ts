import { CampaignctlError } from "../../core/errors.js";
import type { CommandSpec } from "../context.js";
import { EXIT } from "../context.js";
import { cliIoHost } from "../io-host.js";
import { checkFormat, TARGET_OPTIONS } from "../options.js";
import { stderrReporter } from "../reporter.js";
import { targetFrom, withEngine } from "../target-args.js";

const FORMATS = ["text", "json"] as const;

export const command: CommandSpec = {
  name: "import",
  summary: "Adopt a campaign created elsewhere (e.g. Lob's dashboard) under a manifest key",
  usage: "campaignctl import KEY CMP_ID [--sandbox] [--state PATH]",
  details: [
    "Tags campaign CMP_ID with KEY (and this state's lineage and project) in Lob and records it, so the",
    "next plan shows only how it differs from the manifest. If Lob refuses the tag (a sent campaign),",
    "it is recorded anyway, with a warning that from now on only the state protects it. Takes the state lock.",
  ].join("\n"),
  options: {
    ...TARGET_OPTIONS,
    format: { type: "string", default: "text", valueName: "FORMAT", description: "text or json" },
  },
  allowPositionals: true,
  async run({ values, positionals }, ctx) {
    const format = checkFormat(values.format, FORMATS);
    if (positionals.length !== 2) {
      throw new CampaignctlError({
        code: "USAGE",
        message: "import takes a key and a campaign id",
        hint: "e.g. campaignctl import spring-promo cmp_e05ee61ff80764b",
      });
    }
    const [key, campaignId] = positionals as [string, string];
    const { runImport } = await import("../../engine/state-commands.js");
    const target = await targetFrom(values, ctx);
    const io = cliIoHost(ctx, { reporter: stderrReporter(ctx, { quiet: format === "json" }) });
    const result = await withEngine(target, { io, command: "import" }, ({ deps }) =>
      runImport(deps, { ...(target.project ? { project: target.project } : {}) }, key, campaignId),
    );
    if (format === "json") {
      ctx.stdout.write(`${JSON.stringify({ version: 1, ...result }, null, 2)}\n`);
    } else {
      if (result.note) ctx.stderr.write(`Warning: ${result.note}\n`);
      ctx.stdout.write(
        `Imported ${result.sent ? "sent " : ""}campaign ${campaignId} as '${key}'${result.tagged ? " (tagged in Lob)" : ""}. Run 'campaignctl plan' to see how it differs from the manifest.\n`,
      );
    }
    return EXIT.ok;
  },
};
