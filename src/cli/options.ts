import { CampaignctlError } from "../core/errors.js";
import type { OptionSpec } from "./context.js";

/** Command-line options every command that talks to Lob shares, and their parsing. */

/** Options every command that talks to Lob shares. */
export const TARGET_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  sandbox: {
    type: "boolean",
    description:
      "run against an embedded local Lob emulator (no key; nothing is mailed); state in .campaignctl/sandbox/",
  },
  state: {
    type: "string",
    valueName: "PATH|URL",
    description:
      "state file, or a postgres://… URL (default: CAMPAIGNCTL_STATE, the project's state, .campaignctl/state.json)",
  },
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
