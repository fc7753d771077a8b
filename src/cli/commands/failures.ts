import { CampaignctlError } from "../../core/errors.js";
import type { CommandSpec } from "../context.js";
import { EXIT } from "../context.js";
import { TARGET_OPTIONS } from "../engine-io.js";
import { targetOptionsFrom } from "../target-args.js";

export const command: CommandSpec = {
  name: "failures",
  summary: "Export and download the failed rows of a sent campaign",
  usage: "campaignctl failures KEY [--out FILE] [--sandbox] [--state PATH]",
  details: [
    "Asks Lob for a failures export of the campaign's audience, waits for it, and downloads the CSV",
    "(default ./KEY-failures.csv). The file holds audience rows; campaignctl never prints its content.",
  ].join("\n"),
  options: {
    ...TARGET_OPTIONS,
    out: {
      type: "string",
      valueName: "FILE",
      description: "where to write the CSV (default ./KEY-failures.csv)",
    },
  },
  allowPositionals: true,
  async run({ values, positionals }, ctx) {
    const [key, ...extra] = positionals;
    if (!key || extra.length > 0) {
      throw new CampaignctlError({
        code: "USAGE",
        message: "failures takes exactly one campaign KEY",
        hint: "campaignctl failures spring-promo --out failed.csv",
      });
    }
    const { runFailures } = await import("../../engine/use-cases.js");
    const outcome = await runFailures({
      ...(await targetOptionsFrom(values, ctx)),
      key,
      ...(typeof values.out === "string" ? { out: values.out } : {}),
    });
    ctx.stderr.write(
      `Wrote ${outcome.file} (${outcome.bytes.toLocaleString("en-US")} bytes): ${outcome.failedRows.toLocaleString("en-US")} failed of ${outcome.totalRows.toLocaleString("en-US")} rows.\n`,
    );
    ctx.stdout.write(`${outcome.file}\n`);
    return EXIT.ok;
  },
};
