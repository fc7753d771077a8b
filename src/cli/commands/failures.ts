import { isAbsolute, relative } from "node:path";
import { CampaignctlError } from "../../core/errors.js";
import { makeStyle } from "../../render/style.js";
import type { CommandSpec } from "../context.js";
import { EXIT } from "../context.js";
import { cliIoHost } from "../io-host.js";
import { TARGET_OPTIONS } from "../options.js";
import { stderrReporter } from "../reporter.js";
import { targetFrom, useCaseOptions, withEngine } from "../target-args.js";
import { formatCount } from "../../core/en-us.js";

export const command: CommandSpec = {
  name: "failures",
  summary: "Export and download the failed rows of a sent campaign",
  usage: "campaignctl failures KEY --out FILE [--sandbox] [--state PATH]",
  details: [
    "Asks Lob for a failures export of the campaign's audience, waits for it, and downloads the CSV to",
    "FILE. The file holds recipients' personal data (names, addresses): --out is required so that it",
    "never lands in the repository by default; keep it outside the working tree, or make sure",
    ".gitignore covers it. campaignctl never prints its content.",
  ].join("\n"),
  options: {
    ...TARGET_OPTIONS,
    out: {
      type: "string",
      valueName: "FILE",
      description: "where to write the CSV (required; it holds personal data: keep it out of git)",
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
    if (typeof values.out !== "string" || values.out.trim() === "") {
      throw new CampaignctlError({
        code: "USAGE",
        message: `failures needs --out FILE: the export holds recipients' personal data, so campaignctl does not pick a place for it`,
        hint: `e.g. campaignctl failures ${key} --out ~/Downloads/${key}-failures.csv (outside the repository), or a path your .gitignore covers`,
      });
    }
    const { runFailures } = await import("../../engine/use-cases.js");
    const target = await targetFrom(values, ctx);
    const out = values.out;
    const io = cliIoHost(ctx, { reporter: stderrReporter(ctx) });
    const outcome = await withEngine(target, { io, command: "failures" }, ({ deps, sandbox }) =>
      runFailures(deps, {
        ...useCaseOptions(target),
        key,
        out,
        // The sandbox builds exports in moments: poll it often.
        ...(sandbox ? { pollIntervalMs: 100 } : {}),
      }),
    );
    ctx.stderr.write(
      `Wrote ${outcome.file} (${formatCount(outcome.bytes)} bytes): ${formatCount(outcome.failedRows)} failed of ${formatCount(outcome.totalRows)} rows.\n`,
    );
    const inside = isInside(outcome.file, ctx.cwd) || isInside(outcome.file, target.project?.root ?? ctx.cwd);
    ctx.stderr.write(
      `${makeStyle(ctx.color).yellow(
        `Warning: ${outcome.file} holds recipients' personal data (names and addresses).${
          inside
            ? " It is inside the working directory or the project: make sure .gitignore covers it, and delete it when done."
            : " Delete it when done; if you move it into a repository, make sure .gitignore covers it."
        }`,
      )}\n`,
    );
    ctx.stdout.write(`${outcome.file}\n`);
    return EXIT.ok;
  },
};

function isInside(file: string, dir: string): boolean {
  const rel = relative(dir, file);
  return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel));
}
