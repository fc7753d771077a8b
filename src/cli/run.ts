import { CampaignctlError, isCampaignctlError } from "../core/errors.js";
import type { Diagnostic } from "../core/diagnostics.js";
import { registerSecret } from "../core/active-secrets.js";
import { redactSecrets } from "../core/redact.js";
import { packageVersion } from "../package-info.js";
import { parseCommandArgs } from "./args.js";
import { COMMANDS } from "./commands/index.js";
import type { CliContext, CommandSpec } from "./context.js";
import { EXIT } from "./context.js";
import { printDiagnostics } from "./reporter.js";
import { redactingStream } from "./redacting-stream.js";

/**
 * Parse argv, dispatch to a command, and turn every failure into a message and an exit code.
 * Never lets a stack trace reach the user: a CampaignctlError is expected and shown with its hint;
 * anything else is a bug and says so (exit 3), still without a stack unless CAMPAIGNCTL_DEBUG=1.
 */
export async function runCli(outside: CliContext): Promise<number> {
  // Everything printed passes the redaction of the key (LOB_API_KEY, even when --sandbox leaves it
  // unused): the last line of defence behind every message that should never have held it.
  registerSecret(outside.env.LOB_API_KEY);
  const ctx: CliContext = {
    ...outside,
    stdout: redactingStream(outside.stdout),
    stderr: redactingStream(outside.stderr),
  };
  const [first, ...rest] = ctx.argv;
  try {
    if (first === undefined || first === "--help" || first === "-h") {
      ctx.stdout.write(globalHelp());
      return first === undefined ? EXIT.error : EXIT.ok;
    }
    if (first === "--version" || first === "-v" || first === "version") {
      ctx.stdout.write(`campaignctl ${packageVersion()}\n`);
      return EXIT.ok;
    }
    if (first === "help") {
      const topic = rest[0];
      if (topic === undefined) {
        ctx.stdout.write(globalHelp());
        return EXIT.ok;
      }
      const command = await loadCommand(topic);
      ctx.stdout.write(commandHelp(command));
      return EXIT.ok;
    }
    const command = await loadCommand(first);
    if (rest.includes("--help") || rest.includes("-h") || rest.includes("-help")) {
      ctx.stdout.write(commandHelp(command));
      return EXIT.ok;
    }
    const parsed = parseCommandArgs(command, rest);
    return await command.run(parsed, ctx);
  } catch (error) {
    return reportError(error, ctx);
  }
}

async function loadCommand(name: string): Promise<CommandSpec> {
  const entry = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!entry) {
    throw new CampaignctlError({
      code: "USAGE",
      message: `unknown command '${name}'`,
      hint: `run 'campaignctl --help' to see the commands (${Object.keys(COMMANDS).join(", ")})`,
    });
  }
  return entry.load();
}

export function reportError(error: unknown, ctx: CliContext): number {
  const secrets = [ctx.env.LOB_API_KEY ?? ""].filter((s) => s.length > 0);
  // A broken invariant (code INTERNAL) is a bug like any other exception: exit 3, said so.
  if (isCampaignctlError(error) && error.code !== "INTERNAL") {
    // Errors that carry diagnostics (invalid manifests) show every one of them first.
    const diagnostics = (error as { diagnostics?: unknown }).diagnostics;
    if (Array.isArray(diagnostics)) printDiagnostics(ctx, diagnostics as Diagnostic[]);
    const lines = [`Error: ${error.message}`];
    if (error.hint) lines.push(`  hint: ${error.hint}`);
    ctx.stderr.write(redactSecrets(`${lines.join("\n")}\n`, secrets));
    return EXIT.error;
  }
  const detail = isCampaignctlError(error)
    ? error.message
    : error instanceof Error
      ? `${error.name}: ${error.message}`
      : String(error);
  const hint =
    (isCampaignctlError(error) ? error.hint : undefined) ??
    "please report it with the command you ran; nothing was sent on your behalf after this point";
  const lines = [`Internal error (this is a bug in campaignctl): ${detail}`, `  hint: ${hint}`];
  if (ctx.env.CAMPAIGNCTL_DEBUG === "1" && error instanceof Error && error.stack) lines.push(error.stack);
  ctx.stderr.write(redactSecrets(`${lines.join("\n")}\n`, secrets));
  return EXIT.internal;
}

function globalHelp(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length));
  const rows = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return [
    "campaignctl: infrastructure-as-code for Lob direct-mail campaigns",
    "",
    "Usage: campaignctl <command> [options]",
    "",
    "Commands:",
    ...rows,
    "",
    "Global:",
    "  --help, -h     show help (also: campaignctl help <command>)",
    "  --version, -v  print the version",
    "Long options also take one dash, as in Terraform: -auto-approve, -out FILE, -detailed-exitcode.",
    "",
    "Environment: LOB_API_KEY (test_… or live_…), LOB_API_URL (default https://api.lob.com/v1),",
    "CAMPAIGNCTL_STATE (a state file or a postgres://… URL; --state wins over it),",
    "NO_COLOR=1 / FORCE_COLOR=1|0 (colour off / on even when piped / off).",
    "Exit codes: 0 ok, 1 error or invalid input, 2 changes present (plan --detailed-exitcode), 3 internal error.",
    "",
  ].join("\n");
}

export function commandHelp(command: CommandSpec): string {
  const optionRows = Object.entries(command.options).map(([name, spec]) => {
    const flag = `--${name}${spec.type === "string" ? ` ${spec.valueName ?? "VALUE"}` : ""}`;
    const short = spec.short ? `-${spec.short}, ` : "";
    return [
      `${short}${flag}`,
      spec.description +
        (spec.default !== undefined && spec.type === "string" ? ` (default ${String(spec.default)})` : ""),
    ];
  });
  const width = Math.max(0, ...optionRows.map(([f]) => f!.length));
  return [
    `Usage: ${command.usage}`,
    "",
    command.summary,
    ...(command.details ? ["", command.details.trimEnd()] : []),
    "",
    "Options:",
    ...optionRows.map(([f, d]) => `  ${f!.padEnd(width)}  ${d}`),
    `  ${"--help".padEnd(width)}  show this help`,
    "",
  ].join("\n");
}
