import type { OptionSpec } from "./context.js";
import { parseDuration } from "./options.js";

type Values = Readonly<Record<string, string | boolean | string[] | undefined>>;

/** `--settle DURATION`: how long a create with no answer may still land in Lob (plan and apply). */
export const SETTLE_OPTION: OptionSpec = {
  type: "string",
  valueName: "DURATION",
  default: "2m",
  description: "wait this long (Lob's clock) after a create that got no answer before judging it lost",
};

/** `--recreate KEY`: create again a key that destroy removed (still needs approval and --allow-send to send). */
export const RECREATE_OPTION: OptionSpec = {
  type: "string",
  multiple: true,
  valueName: "KEY",
  description: "create this destroyed key again (repeatable); sending still needs approval and --allow-send",
};

export function settleFrom(values: Values): { settleMs: number } {
  return { settleMs: parseDuration(String(values.settle ?? "2m"), "--settle") };
}

export function recreateFrom(values: Values): { recreate?: readonly string[] } {
  return Array.isArray(values.recreate) && values.recreate.length > 0 ? { recreate: values.recreate } : {};
}
