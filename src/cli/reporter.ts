import { formatDiagnosticLine } from "../core/diagnostics.js";
import type { Diagnostic } from "../core/diagnostics.js";
import type { EngineEvent, Reporter } from "../engine/events.js";
import type { ActionKind, Resource } from "../plan/types.js";
import { makeStyle } from "../render/style.js";
import { describeTimeLeft } from "../render/time-left.js";
import type { CliContext } from "./context.js";
import { formatCount } from "../core/en-us.js";

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
            `  ${event.key}: ${stepLabel(event.action, event.resource)}${event.id ? ` ${style.dim(event.id)}` : ""}${event.detail ? ` (${event.detail})` : ""} ✓`,
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
        const line = `  ${event.key}: Lob is validating the audience: ${event.state} (${formatCount(event.validated + event.failed)} rows checked so far)`;
        if (tty) ctx.stderr.write(`\r${line}`);
        else if (event.state !== lastProcessing) write(line);
        lastProcessing = event.state;
        return;
      }
      case "sent":
        if (tty && lastProcessing) ctx.stderr.write("\n");
        write(
          `  ${event.key}: ${style.bold(event.state)}: ${formatCount(event.validated)} pieces validated, ${formatCount(event.failed)} rows failed` +
            ` (of ${formatCount(event.total)}). Cancel window open until ${event.cancelDeadline}.`,
        );
        if (event.failed > 0)
          write(
            `    run 'campaignctl failures ${event.key} --out FILE' to download the failed rows with reasons (the file holds personal data)`,
          );
        return;
      case "cancel_window":
        write(
          `  ${event.key}: cancel window open until ${style.bold(event.cancelDeadline)} (Lob's clock; ${describeTimeLeft(event.cancelDeadline, event.now)}): 'campaignctl destroy --key ${event.key}' cancels it until then`,
        );
        return;
      case "refused":
        write(style.red(`  ${event.key}: ${event.reason}`));
        if (event.hint) write(`    hint: ${event.hint}`);
        return;
      case "plan":
      case "checkpoint":
        // The command shows the plan its own way; checkpoints are for test hosts only.
        return;
    }
  };
}

/** How a finished step reads: `create campaign`, `upload audience`, `SEND`, `CANCEL campaign`. */
export function stepLabel(action: ActionKind, resource?: Resource): string {
  switch (action) {
    case "upload_file":
      return "upload audience";
    case "send":
      return "SEND";
    case "cancel":
      return "CANCEL campaign";
    case "record_send":
      return "record send";
    default:
      return resource ? `${action} ${resource}` : action;
  }
}

export function printDiagnostics(ctx: CliContext, diagnostics: readonly Diagnostic[]): void {
  for (const d of diagnostics) {
    ctx.stderr.write(`${formatDiagnosticLine(d)}\n`);
    if (d.hint) ctx.stderr.write(`  hint: ${d.hint}\n`);
  }
}
