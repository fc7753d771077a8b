import type { ErrorObject, ValidateFunction } from "ajv/dist/2020.js";
import { CampaignctlError } from "../core/errors.js";
import { validate as validateState } from "./generated/state-validator.js";
import { backupPathFor } from "./paths.js";
import type { StateFile } from "./types.js";

/** The one state format this build reads and writes. */
export const STATE_VERSION = 1;

/**
 * The state schema, precompiled by scripts/compile-schemas.mjs: compiling it with ajv at runtime
 * cost every plan/apply 250-400 ms before its first request.
 */
const stateValidator = (): ValidateFunction => validateState as unknown as ValidateFunction;

/**
 * Every problem with a parsed state value, as short human phrases ("/serial: must be integer").
 * Empty when the value is a valid version-1 state.
 */
export function findStateProblems(value: unknown): string[] {
  const validate = stateValidator();
  const problems: string[] = [];
  if (!validate(value)) {
    for (const error of validate.errors ?? []) problems.push(describeSchemaError(error));
  }
  // A rule the schema cannot say: each record sits under its own key, so a hand edit that renames
  // one side is caught before apply acts on the wrong campaign.
  if (problems.length === 0) {
    for (const [key, record] of Object.entries((value as StateFile).campaigns)) {
      if (record.key !== key) problems.push(`/campaigns/${key}/key: is '${record.key}', expected '${key}'`);
    }
  }
  return problems;
}

function describeSchemaError(error: ErrorObject): string {
  const where = error.instancePath === "" ? "(top level)" : error.instancePath;
  if (error.keyword === "additionalProperties") {
    const extra = (error.params as { additionalProperty?: string }).additionalProperty;
    return `${where}: unknown member '${extra ?? "?"}'`;
  }
  if (error.keyword === "enum") {
    const allowed = (error.params as { allowedValues?: unknown[] }).allowedValues ?? [];
    return `${where}: must be one of ${allowed.map((v) => JSON.stringify(v)).join(", ")}`;
  }
  return `${where}: ${error.message ?? error.keyword}`;
}

/**
 * Parse and validate the text of a state file. `filePath` is only used in messages.
 * Throws STATE_CORRUPT naming the file, what is wrong, and the backup to restore.
 */
export function parseState(text: string, filePath: string): StateFile {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw corrupt(filePath, describeJsonError(text, error));
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw corrupt(filePath, "it does not hold a JSON object");
  }
  const version = (value as { version?: unknown }).version;
  if (typeof version === "number" && Number.isInteger(version) && version > STATE_VERSION) {
    throw new CampaignctlError({
      code: "STATE_CORRUPT",
      message: `state file ${filePath} has format version ${version}, written by a newer campaignctl; this campaignctl reads version ${STATE_VERSION} only`,
      hint: "upgrade campaignctl to the version that wrote this state (the file was left untouched)",
    });
  }
  const problems = findStateProblems(value);
  if (problems.length > 0) {
    const shown = problems.slice(0, 10);
    const more = problems.length > shown.length ? `; and ${problems.length - shown.length} more` : "";
    throw corrupt(filePath, `it does not match the state schema: ${shown.join("; ")}${more}`);
  }
  return value as StateFile;
}

// JSON.parse messages quote the offending text; a corrupt file could hold anything, so we say
// only where the problem is.
function describeJsonError(text: string, error: unknown): string {
  if (text.trim() === "") return "it is empty";
  const reason = error instanceof Error ? error.message : "";
  if (/end of JSON input|Unterminated/i.test(reason))
    return "it is not valid JSON (it ends early; truncated?)";
  const position = /position (\d+)/.exec(reason)?.[1];
  if (position === undefined) return "it is not valid JSON";
  const before = text.slice(0, Number(position));
  const line = before.split("\n").length;
  const col = Number(position) - before.lastIndexOf("\n");
  return `it is not valid JSON (at line ${line}, column ${col})`;
}

function corrupt(filePath: string, what: string): CampaignctlError {
  const backup = backupPathFor(filePath);
  return new CampaignctlError({
    code: "STATE_CORRUPT",
    message: `state file ${filePath} is corrupt: ${what}`,
    hint: `restore the previous version with 'cp ${backup} ${filePath}' (then run 'campaignctl plan' to check it), or fix the file by hand`,
  });
}
