import type { CommandSpec } from "../context.js";
import { EXIT } from "../context.js";
import { cliIoHost } from "../io-host.js";
import {
  checkFormat,
  PARALLELISM_OPTION,
  parallelismFrom,
  parseDuration,
  TARGET_OPTIONS,
} from "../options.js";
import { stderrReporter } from "../reporter.js";
import { targetFrom, useCaseOptions, withEngine } from "../target-args.js";

const FORMATS = ["text", "json"] as const;

export const command: CommandSpec = {
  name: "watch",
  summary: "Watch Lob validate campaigns sent earlier; cancel any over send.max_failed_ratio",
  usage:
    "campaignctl watch [PATH...] [--key KEY]... [--timeout DURATION] [--format text|json] [--sandbox] [--state PATH]",
  details: [
    "The guard apply runs after a send, for campaigns sent by an earlier run (a CI job after an",
    "'apply --no-wait' job). It polls each campaign's upload while Lob validates the audience and",
    "CANCELS the campaign as soon as more than send.max_failed_ratio of the processed rows failed, once",
    "at least min(100, the audience's rows) rows are processed, while its cancel window is open. After",
    "the window it reports that it is too late and tries nothing.",
    "It watches only what it is asked to: the --key campaigns and the campaigns of the manifests given;",
    "with neither, the project's sent campaigns whose manifests set send.max_failed_ratio. A campaign",
    "whose manifest sets no limit is watched, never cancelled.",
    "Exit 0: every watched campaign finished validating within its limit. Exit 1: one was cancelled,",
    "was over its limit too late to cancel, could not be processed (Errored) or was still validating",
    "at --timeout; or an error.",
  ].join("\n"),
  options: {
    ...TARGET_OPTIONS,
    key: {
      type: "string",
      multiple: true,
      valueName: "KEY",
      description: "a sent campaign to watch (repeatable)",
    },
    timeout: {
      type: "string",
      default: "30m",
      valueName: "DURATION",
      description: "stop watching after this long",
    },
    parallelism: PARALLELISM_OPTION,
    format: { type: "string", default: "text", valueName: "FORMAT", description: "text or json" },
  },
  allowPositionals: true,
  async run({ values, positionals }, ctx) {
    const format = checkFormat(values.format, FORMATS);
    const timeoutMs = parseDuration(String(values.timeout ?? "30m"), "--timeout");
    const { runWatch } = await import("../../engine/watch.js");
    const keys = Array.isArray(values.key) ? values.key : undefined;
    const target = await targetFrom(values, ctx, { paths: positionals });
    const io = cliIoHost(ctx, { reporter: stderrReporter(ctx) });
    const outcome = await withEngine(target, { io, command: "watch" }, ({ deps, sandbox }) =>
      runWatch(deps, {
        ...useCaseOptions(target),
        ...parallelismFrom(values.parallelism),
        paths: positionals,
        ...(keys ? { keys } : {}),
        timeoutMs,
        // The sandbox validates in moments: poll it often.
        ...(sandbox ? { pollIntervalMs: 200 } : {}),
      }),
    );
    if (format === "json") {
      ctx.stdout.write(`${JSON.stringify({ version: 1, ...outcome }, null, 2)}\n`);
    } else {
      for (const c of outcome.campaigns) {
        ctx.stdout.write(`${c.key}: ${c.result.toUpperCase().replace("_", " ")}: ${c.message}\n`);
        if (c.hint) ctx.stdout.write(`  hint: ${c.hint}\n`);
      }
    }
    return outcome.failed ? EXIT.error : EXIT.ok;
  },
};
