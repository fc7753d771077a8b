import { createInterface } from "node:readline";
import { CampaignctlError } from "../core/errors.js";
import { formatDiagnosticLine } from "../core/diagnostics.js";
import type { Diagnostic } from "../core/diagnostics.js";
import type { EngineEvent, Reporter } from "../engine/events.js";
import type { Plan } from "../plan/types.js";
import { makeStyle } from "../render/style.js";
import type { CliContext, OptionSpec } from "./context.js";

/** Options every command that talks to Lob shares. */
export const TARGET_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  sandbox: {
    type: "boolean",
    description:
      "run against an embedded local Lob emulator (no key; nothing is mailed); state in .campaignctl/sandbox/",
  },
  state: { type: "string", valueName: "PATH", description: "state file (default .campaignctl/state.json)" },
  "lock-timeout": {
    type: "string",
    valueName: "DURATION",
    default: "0s",
    description: "wait this long for another run's state lock: 30s, 2m, 500ms, 1h; a bare number is seconds",
  },
};

/** `30s`, `2m`, `500ms`, `1h` → milliseconds; a bare number (`30`, `0`) is seconds. */
export function parseDuration(text: string, flag: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!match) {
    throw new CampaignctlError({
      code: "USAGE",
      message: `${flag} '${text}' is not a duration`,
      hint: `write it like 30s, 2m, 500ms or 1h (a bare number is seconds)`,
    });
  }
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[match[2] ?? "s"]!;
  return Math.round(Number(match[1]) * unit);
}

/**
 * `--parallelism N` (a whole number from 1 to 64, in plain decimal digits) → engine options.
 * Number() alone would take `0x10`, `1e1`, ` 8 ` or `0b11`.
 */
export function parallelismFrom(value: unknown): { parallelism?: number } {
  if (value === undefined) return {};
  const n = typeof value === "string" && /^[0-9]+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isInteger(n) || n < 1 || n > 64) {
    throw new CampaignctlError({
      code: "USAGE",
      message: `--parallelism '${String(value)}' is not a whole number from 1 to 64`,
      hint: "e.g. --parallelism 8 (the default); 1 applies one campaign at a time",
    });
  }
  return { parallelism: n };
}

export const PARALLELISM_OPTION: OptionSpec = {
  type: "string",
  valueName: "N",
  description: "campaigns worked on at once (default 8; steps within a campaign always run in order)",
};

export function checkFormat<T extends string>(value: unknown, allowed: readonly T[]): T {
  if (typeof value === "string" && (allowed as readonly string[]).includes(value)) return value as T;
  throw new CampaignctlError({
    code: "USAGE",
    message: `unknown format '${String(value)}'`,
    hint: `use one of: ${allowed.join(", ")}`,
  });
}

/**
 * Engine events → human lines on stderr. On a terminal, upload and processing progress redraw
 * one line; elsewhere (CI logs) only state changes are printed, so logs stay short.
 */
export function stderrReporter(ctx: CliContext, options: { quiet?: boolean } = {}): Reporter {
  const style = makeStyle(ctx.color);
  const tty = ctx.interactive;
  let lastProcessing = "";
  let lastPercent = -1;
  const write = (line: string) => ctx.stderr.write(`${line}\n`);
  return (event: EngineEvent) => {
    switch (event.type) {
      case "info":
        if (!options.quiet) write(event.message);
        return;
      case "warn":
        write(style.yellow(`Warning: ${event.message}`));
        return;
      case "step":
        if (event.status === "done" && !options.quiet) {
          write(
            `  ${event.key}: ${event.action}${event.id ? ` ${style.dim(event.id)}` : ""}${event.detail ? ` (${event.detail})` : ""} ✓`,
          );
        }
        return;
      case "upload_progress": {
        const percent = event.totalBytes > 0 ? Math.floor((event.sentBytes / event.totalBytes) * 100) : 100;
        if (!tty || percent === lastPercent) return;
        lastPercent = percent;
        const width = 30;
        const filled = Math.round((percent / 100) * width);
        ctx.stderr.write(
          `\r  ${event.key}: uploading [${"#".repeat(filled)}${" ".repeat(width - filled)}] ${percent}%${percent === 100 ? "\n" : ""}`,
        );
        return;
      }
      case "processing": {
        // Lob's totalMailpieces grows while it validates, so it is no denominator yet.
        const line = `  ${event.key}: Lob is validating the audience: ${event.state} (${(event.validated + event.failed).toLocaleString("en-US")} rows checked so far)`;
        if (tty) ctx.stderr.write(`\r${line}`);
        else if (event.state !== lastProcessing) write(line);
        lastProcessing = event.state;
        return;
      }
      case "sent":
        if (tty && lastProcessing) ctx.stderr.write("\n");
        write(
          `  ${event.key}: ${style.bold(event.state)}: ${event.validated.toLocaleString("en-US")} pieces validated, ${event.failed.toLocaleString("en-US")} rows failed` +
            ` (of ${event.total.toLocaleString("en-US")}). Cancel window open until ${event.cancelDeadline}.`,
        );
        if (event.failed > 0)
          write(
            `    run 'campaignctl failures ${event.key} --out FILE' to download the failed rows with reasons (the file holds personal data)`,
          );
        return;
      case "refused":
        write(style.red(`  ${event.key}: ${event.reason}`));
        if (event.hint) write(`    hint: ${event.hint}`);
        return;
    }
  };
}

export function printDiagnostics(ctx: CliContext, diagnostics: readonly Diagnostic[]): void {
  for (const d of diagnostics) {
    ctx.stderr.write(`${formatDiagnosticLine(d)}\n`);
    if (d.hint) ctx.stderr.write(`  hint: ${d.hint}\n`);
  }
}

/**
 * Terraform's contract: on a terminal, list the changes and accept only "yes"; without a
 * terminal, never wait for input — refuse unless --auto-approve was given.
 */
export async function approve(
  ctx: CliContext,
  plan: Plan,
  flags: { autoApprove: boolean; allowSend: boolean },
): Promise<void> {
  if (flags.autoApprove) return;
  if (!ctx.interactive) {
    throw new CampaignctlError({
      code: "APPROVAL_REQUIRED",
      message: `${plan.operation} needs approval, and there is no terminal to ask on`,
      hint: "review the plan above, then run again with --auto-approve (sends also need --allow-send)",
    });
  }
  const style = makeStyle(ctx.color);
  const s = plan.summary;
  const lines = [""];
  if (s.send > 0 && flags.allowSend) {
    lines.push(
      style.red(
        style.bold(
          `This will SEND ${s.send} campaign(s): ${s.sendPieces.toLocaleString("en-US")} pieces. Sending is irreversible and costs money.`,
        ),
      ),
    );
  } else if (s.send > 0) {
    lines.push(style.yellow(`${s.send} send(s) will be SKIPPED: --allow-send was not given.`));
  }
  if (s.cancel > 0) lines.push(style.red(style.bold(`This will CANCEL ${s.cancel} sent campaign(s).`)));
  lines.push(`Do you want to perform these actions? Only 'yes' will be accepted.`, "");
  ctx.stderr.write(lines.join("\n"));
  ctx.stderr.write("  Enter a value: ");
  const answer = await readLine(ctx);
  if (answer.trim() !== "yes") {
    throw new CampaignctlError({
      code: "APPROVAL_DECLINED",
      message: `${plan.operation} cancelled: nothing was changed`,
    });
  }
}

function readLine(ctx: CliContext): Promise<string> {
  return new Promise((resolve) => {
    const rl = createInterface({ input: ctx.stdin, terminal: false });
    rl.once("line", (line) => {
      // Resolve first: close() emits "close" synchronously, which would resolve with "".
      resolve(line);
      rl.close();
    });
    rl.once("close", () => resolve(""));
  });
}
