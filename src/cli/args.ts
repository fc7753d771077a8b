import { parseArgs } from "node:util";
import { CampaignctlError } from "../core/errors.js";
import { suggestClosest } from "../manifest/suggest.js";
import type { CommandSpec } from "./context.js";

export interface ParsedArgs {
  readonly values: Record<string, string | boolean | string[] | undefined>;
  readonly positionals: string[];
}

/**
 * argv after the command name → option values and positionals. Node's parser does the work;
 * around it, Terraform's single-dash habit (`-auto-approve`, `-out=plan.json`) is accepted for
 * every long option, and every mistake gets one plain sentence plus the command's usage line
 * instead of Node's parser text.
 */
export function parseCommandArgs(command: CommandSpec, args: readonly string[]): ParsedArgs {
  const normalised = normaliseArgs(command, args);
  const options: Record<string, { type: "string" | "boolean"; short?: string; multiple?: boolean }> = {};
  for (const [name, spec] of Object.entries(command.options)) {
    options[name] = {
      type: spec.type,
      ...(spec.short ? { short: spec.short } : {}),
      ...(spec.multiple ? { multiple: true } : {}),
    };
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: normalised,
      options,
      allowPositionals: command.allowPositionals,
      strict: true,
    });
  } catch (error) {
    throw usageError(command, describeParseError(command, error));
  }
  const values = { ...parsed.values } as Record<string, string | boolean | string[] | undefined>;
  for (const [name, spec] of Object.entries(command.options)) {
    if (values[name] === undefined && spec.default !== undefined) values[name] = spec.default;
  }
  return { values, positionals: parsed.positionals };
}

/** `-name` / `-name=value` → `--name…` for the command's long options; unknown options refused here. */
function normaliseArgs(command: CommandSpec, args: readonly string[]): string[] {
  const out: string[] = [];
  let expectValue = false;
  for (const [i, arg] of args.entries()) {
    if (arg === "--") {
      out.push(...args.slice(i));
      break;
    }
    if (expectValue) {
      // The value of the previous string option, even if it starts with a dash (Node's parser
      // would call `--out -x` ambiguous; `--out=-x` is not).
      out.push(`${out.pop()!}=${arg}`);
      expectValue = false;
      continue;
    }
    const match = /^(--?)([^=]+)(=.*)?$/.exec(arg);
    if (!match || arg === "-") {
      out.push(arg);
      continue;
    }
    const [, dashes, name, inlineValue] = match as unknown as [string, string, string, string | undefined];
    const shortOption = Object.values(command.options).find((spec) => spec.short === name);
    if (dashes === "-" && name.length === 1) {
      if (!shortOption) throw unknownOption(command, arg, name);
      // Left to Node's parser as it is, value and all (no command has a short option taking one).
      out.push(arg);
      continue;
    }
    const spec = Object.hasOwn(command.options, name) ? command.options[name] : undefined;
    if (!spec) {
      // `-yes`-style clusters of short flags are not supported: a single-dash word is a long option.
      throw unknownOption(command, `${dashes}${name}`, name);
    }
    out.push(`--${name}${inlineValue ?? ""}`);
    expectValue = spec.type === "string" && inlineValue === undefined;
  }
  return out;
}

function unknownOption(command: CommandSpec, shown: string, name: string): CampaignctlError {
  const guess = suggestClosest(name, Object.keys(command.options));
  return usageError(command, `unknown option '${shown}'${guess ? ` (did you mean --${guess}?)` : ""}`);
}

/** Node's parser messages (ERR_PARSE_ARGS_*) → one plain sentence naming the option. */
function describeParseError(command: CommandSpec, error: unknown): string {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  const option = /'(-[^' ]+)/.exec(message)?.[1];
  if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE" && option) {
    const name = option.replace(/^-+/, "");
    const spec = command.options[name] ?? Object.values(command.options).find((s) => s.short === name);
    return spec?.type === "boolean"
      ? `option '${option}' takes no value`
      : `option '${option}' needs a value${spec?.valueName ? ` (${option} ${spec.valueName})` : ""}`;
  }
  if (code === "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL") {
    const argument = /'([^']*)'/.exec(message)?.[1] ?? "";
    return `unexpected argument '${argument}': ${command.name} takes no paths or other arguments`;
  }
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" && option) return `unknown option '${option}'`;
  return message.split("\n")[0]!.replace(/\.\s.*$/, "");
}

function usageError(command: CommandSpec, message: string): CampaignctlError {
  return new CampaignctlError({
    code: "USAGE",
    message,
    hint: `usage: ${command.usage}\n  run 'campaignctl help ${command.name}' for every option`,
  });
}
