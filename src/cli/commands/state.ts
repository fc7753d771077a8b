import { CampaignctlError } from "../../core/errors.js";
import type { StateVersion } from "../../state/types.js";
import type { CommandSpec } from "../context.js";
import { EXIT } from "../context.js";
import { cliIoHost } from "../io-host.js";
import { checkFormat, TARGET_OPTIONS } from "../options.js";
import { stderrReporter } from "../reporter.js";
import { targetFrom, withEngine } from "../target-args.js";

const FORMATS = ["text", "json"] as const;

/** How many positionals each subcommand takes after its name. */
const SUBCOMMANDS: Readonly<Record<string, { args: readonly string[] }>> = {
  list: { args: [] },
  show: { args: ["KEY"] },
  rm: { args: ["KEY"] },
  mv: { args: ["OLD", "NEW"] },
  rebuild: { args: [] },
  history: { args: [] },
  push: { args: [] },
  pull: { args: [] },
};

/** `--limit N` for state history: a whole number from 1 up. */
function limitFrom(value: unknown): number {
  if (value === undefined) return 100;
  const n = typeof value === "string" && /^[0-9]+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new CampaignctlError({
      code: "USAGE",
      message: `--limit '${String(value)}' is not a whole number of 1 or more`,
      hint: "e.g. --limit 10 shows the ten most recent versions",
    });
  }
  return n;
}

export const command: CommandSpec = {
  name: "state",
  summary:
    "List, show, forget, rename, rebuild or move what the state records, or its history (state list|show|rm|mv|rebuild|history|push|pull)",
  usage:
    "campaignctl state list | show KEY | rm KEY | mv OLD NEW | rebuild | history [--limit N] | push --to URL | pull --to PATH [--sandbox] [--state PATH|URL]",
  details: [
    "list          every key the state records (and the keys destroy removed)",
    "show KEY      one record, as JSON (ids, send time, cancel deadline, applied hashes)",
    "rm KEY        stop managing KEY: remove campaignctl's tags from its campaign where Lob accepts a",
    "              metadata change (it says so where Lob doesn't), then forget it. Nothing is deleted.",
    "mv OLD NEW    rename a key without a new campaign: retags the campaign in Lob, and is refused when",
    "              Lob won't (the tag is what stops a second mailing after the state is lost).",
    "rebuild       rebuild the state from Lob's tags for this project: ids, sent status, cancel deadlines.",
    "              Hashes only an apply can know are marked unknown; the next plan says what it can't compare.",
    "history       the most recent versions of the state: serial, time, command, keys touched (--limit N,",
    "              default 100, the most a file state keeps). Reads only: takes no lock.",
    "push --to URL copy this state (e.g. the local file) to another place (e.g. postgres://…), keeping its",
    "              lineage and serial and its artwork; refused if the destination holds another or a newer state.",
    "pull --to PATH the same the other way: copy this state (e.g. --state postgres://…) to a file.",
    "The others take the state lock, like apply. To adopt a campaign made elsewhere: 'campaignctl import KEY CMP_ID'.",
  ].join("\n"),
  options: {
    ...TARGET_OPTIONS,
    format: { type: "string", default: "text", valueName: "FORMAT", description: "text or json" },
    to: {
      type: "string",
      valueName: "PATH|URL",
      description: "push/pull: where to copy the state (a file path or a postgres://… URL)",
    },
    limit: { type: "string", valueName: "N", description: "state history: how many versions (default 100)" },
  },
  allowPositionals: true,
  async run({ values, positionals }, ctx) {
    const format = checkFormat(values.format, FORMATS);
    const [sub, ...args] = positionals;
    const spec = sub === undefined ? undefined : SUBCOMMANDS[sub];
    if (sub === undefined || !spec || !Object.hasOwn(SUBCOMMANDS, sub)) {
      throw new CampaignctlError({
        code: "USAGE",
        message: sub === undefined ? "'state' needs a subcommand" : `unknown state subcommand '${sub}'`,
        hint: `use one of: ${Object.keys(SUBCOMMANDS).join(", ")} (campaignctl help state)`,
      });
    }
    if (args.length !== spec.args.length) {
      throw new CampaignctlError({
        code: "USAGE",
        message: `'state ${sub}' takes ${spec.args.length === 0 ? "no arguments" : spec.args.join(" ")}`,
        hint: "run 'campaignctl help state'",
      });
    }
    const moving = sub === "push" || sub === "pull";
    if (moving !== (typeof values.to === "string" && values.to !== "")) {
      throw new CampaignctlError({
        code: "USAGE",
        message: moving
          ? `'state ${sub}' needs --to ${sub === "push" ? "URL" : "PATH"}`
          : `--to is only for 'state push' and 'state pull'`,
        hint: "run 'campaignctl help state'",
      });
    }
    const limit = sub === "history" ? limitFrom(values.limit) : undefined;
    const engine = await import("../../engine/state-commands.js");
    const target = await targetFrom(values, ctx);
    const io = cliIoHost(ctx, { reporter: stderrReporter(ctx, { quiet: format === "json" }) });
    const options = target.project ? { project: target.project } : {};
    const out = (value: unknown) =>
      ctx.stdout.write(`${JSON.stringify({ version: 1, ...(value as object) }, null, 2)}\n`);
    // history only reads; push/pull lock both stores themselves (the sandbox must not take the
    // source's lock early).
    const readOnly = sub === "history" || moving;
    return withEngine(target, { io, command: `state ${sub}`, readOnly }, async ({ deps }) => {
      switch (sub) {
        case "history": {
          const history = await engine.runStateHistory(deps, limit!);
          if (format === "json") out({ history });
          else ctx.stdout.write(renderHistory(history));
          return EXIT.ok;
        }
        case "push":
        case "pull": {
          const { moveState } = await import("../../engine/state-move.js");
          const { openSelectedStore } = await import("../../state/open.js");
          const { selectState } = await import("../../state/select.js");
          const destination = await openSelectedStore(
            selectState({ cwd: ctx.cwd, statePath: String(values.to) }),
            {
              project: target.project?.name ?? "default",
              target: deps.target,
              secrets: [],
            },
          );
          try {
            const moved = await moveState(deps.stateStore, destination, {
              command: `state ${sub}`,
              lockTimeoutMs: target.lockTimeoutMs,
            });
            if (format === "json") out(moved);
            else
              ctx.stdout.write(
                moved.unchanged
                  ? `${moved.to} already holds this state (lineage ${moved.lineage}, serial ${moved.serial}); nothing to copy.\n`
                  : `Copied the state (lineage ${moved.lineage}, serial ${moved.serial}: ${moved.campaigns} campaign(s), ${moved.destroyed} destroyed, ${moved.blobs} artwork blob(s)) from ${moved.from} to ${moved.to}.\n`,
              );
          } finally {
            await destination.close();
          }
          return EXIT.ok;
        }
        case "list": {
          const listing = await engine.runStateList(deps);
          if (format === "json") out(listing);
          else {
            const lines = listing.campaigns.map(
              (r) =>
                `${r.key}  ${r.campaignId ?? "(no campaign yet)"}  ${r.sentAt ? `sent at ${r.sentAt}` : r.campaignId ? "draft" : "pending"}${r.applied.unknown?.length ? "  (hashes unknown)" : ""}`,
            );
            for (const d of listing.destroyed)
              lines.push(`${d.key}  ${d.campaignId ?? "-"}  destroyed (${d.how}) at ${d.at}`);
            ctx.stdout.write(
              lines.length > 0 ? `${lines.join("\n")}\n` : "The state records no campaigns.\n",
            );
          }
          return EXIT.ok;
        }
        case "show":
          out(await engine.runStateShow(deps, options, args[0]!));
          return EXIT.ok;
        case "rm": {
          const result = await engine.runStateRm(deps, options, args[0]!);
          if (format === "json") out(result);
          else {
            if (!result.untagged && result.note) ctx.stderr.write(`Warning: ${result.note}\n`);
            ctx.stdout.write(
              `Forgot '${args[0]}'${result.campaignId ? ` (campaign ${result.campaignId}${result.untagged ? ", campaignctl's tags removed in Lob" : ""})` : ""}. Nothing was deleted in Lob.\n`,
            );
          }
          return EXIT.ok;
        }
        case "mv": {
          const result = await engine.runStateMv(deps, options, args[0]!, args[1]!);
          if (format === "json") out(result);
          else
            ctx.stdout.write(
              `Moved '${args[0]}' to '${args[1]}' (campaign ${result.campaignId ?? "-"} retagged in Lob).\n`,
            );
          return EXIT.ok;
        }
        case "rebuild": {
          const result = await engine.runStateRebuild(deps, options);
          if (format === "json") out(result);
          else {
            const lines = [
              `Rebuilt the state from Lob: ${result.found.length} campaign(s) (lineage ${result.lineage}).`,
              ...result.found.map((f) => `  ${f.key}  ${f.campaignId}  ${f.sent ? "sent" : "draft"}`),
              ...result.dropped.map((k) => `  ${k}: dropped (its campaign is no longer in Lob)`),
              ...result.duplicates.map(
                (d) => `  ${d.key}: ${d.campaignId} also carries this key (left alone)`,
              ),
              "Artwork and audience hashes are unknown for campaigns the state did not record; 'campaignctl plan' says what it can't compare.",
            ];
            ctx.stdout.write(`${lines.join("\n")}\n`);
          }
          return EXIT.ok;
        }
      }
      return EXIT.internal;
    });
  },
};

function renderHistory(history: readonly StateVersion[]): string {
  if (history.length === 0) return "The state has no recorded history yet.\n";
  const rows = history.map((v) => [
    String(v.serial),
    v.at,
    v.command,
    v.keys.length === 0 ? "-" : v.keys.includes("*") ? "(whole state)" : v.keys.join(", "),
  ]);
  const header = ["SERIAL", "TIME", "COMMAND", "KEYS"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd();
  return `${[line(header), ...rows.map(line)].join("\n")}\n`;
}
