import { ARTWORK_FIELDS } from "./types.js";
import type { PathSegment } from "./yaml-nodes.js";
import { formatPath, pointerToSegments } from "./yaml-nodes.js";
import { suggestClosest } from "./suggest.js";

/** The subset of an ajv error (with `verbose: true`) that we read. */
export interface SchemaError {
  readonly instancePath: string;
  readonly schemaPath: string;
  readonly keyword: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly message?: string;
  readonly propertyName?: string;
  readonly data?: unknown;
  readonly parentSchema?: Readonly<Record<string, unknown>>;
}

/** A schema problem in words, pointing at the YAML node it concerns. */
export interface SchemaProblem {
  readonly segments: readonly PathSegment[];
  /** Which node to point at: the value, its key (unknown fields, bad key names) or a mapping that lacks a field. */
  readonly anchor: "value" | "key";
  readonly message: string;
  readonly hint: string;
}

const WIRED_IDS = new Set(["campaign_id", "campaignId"]);
const RESOURCE_LABEL: Readonly<Record<string, string>> = {
  postcard: "a postcard",
  letter: "a letter",
  self_mailer: "a self-mailer",
};

function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  if (typeof value === "string") return value.length <= 60 ? `'${value}'` : "a long string";
  return String(value);
}

function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  if (typeof value === "number") return Number.isInteger(value) ? "a whole number" : "a number";
  if (typeof value === "string") return "a string";
  return `a ${typeof value}`;
}

const TYPE_WORDS: Readonly<Record<string, string>> = {
  string: "a string",
  integer: "a whole number",
  number: "a number",
  boolean: "true or false",
  object: "a mapping",
  array: "a list",
  null: "null",
};

function formatChoices(values: readonly unknown[]): string {
  return values.map((v) => (v === null ? "null" : String(v))).join(", ");
}

function resourceTypeOf(root: unknown): string | undefined {
  const creative = (root as { creative?: { resource_type?: unknown } } | null)?.creative;
  const type = creative?.resource_type;
  return typeof type === "string" && type in RESOURCE_LABEL ? type : undefined;
}

function startsWithSchemaPath(inner: SchemaError, outer: SchemaError): boolean {
  return (
    inner.instancePath.startsWith(outer.instancePath) && inner.schemaPath.startsWith(`${outer.schemaPath}/`)
  );
}

/**
 * Turns ajv's raw errors into one message per actual problem. Drops the noise ajv adds around
 * if/then, anyOf and propertyNames (the wrapper and its branches say the same thing twice), and
 * prefers the schema's own `errorMessage` (also shown by editors) over ajv's wording.
 */
export function describeSchemaErrors(errors: readonly SchemaError[], root: unknown): SchemaProblem[] {
  const combinators = errors.filter((e) => e.keyword === "anyOf" || e.keyword === "oneOf");
  const kept = errors.filter(
    (e) =>
      e.keyword !== "if" &&
      e.keyword !== "propertyNames" &&
      !combinators.some((c) => c !== e && startsWithSchemaPath(e, c)),
  );
  const problems: SchemaProblem[] = [];
  const seen = new Set<string>();
  const typoTargets = new Set(
    kept.flatMap((e) => {
      if (e.keyword !== "additionalProperties") return [];
      const allowed = Object.keys((e.parentSchema?.properties as Record<string, unknown> | undefined) ?? {});
      const guess = suggestClosest(String(e.params.additionalProperty), allowed);
      return guess ? [`${e.instancePath}|${guess}`] : [];
    }),
  );
  for (const error of kept) {
    // "unknown field 'fron' (did you mean 'front'?)" already explains why 'front' is missing.
    if (
      error.keyword === "required" &&
      typoTargets.has(`${error.instancePath}|${String(error.params.missingProperty)}`)
    ) {
      continue;
    }
    const problem = describeOne(error, root);
    const id = `${formatPath(problem.segments)}|${problem.anchor}|${problem.message}`;
    if (seen.has(id)) continue;
    seen.add(id);
    problems.push(problem);
  }
  return problems;
}

function describeOne(error: SchemaError, root: unknown): SchemaProblem {
  const segments = pointerToSegments(error.instancePath);
  const parent = error.parentSchema ?? {};
  const custom = typeof parent.errorMessage === "string" ? parent.errorMessage : undefined;
  const last = segments[segments.length - 1];
  const resourceType = resourceTypeOf(root);
  const inCreative = segments[0] === "creative";
  const forType =
    inCreative && resourceType && segments.length <= 2 && (segments.length === 1 || segments[1] === "details")
      ? ` for ${RESOURCE_LABEL[resourceType]}`
      : "";
  const described = typeof parent.description === "string" ? parent.description : undefined;

  switch (error.keyword) {
    case "required": {
      const missing = String(error.params.missingProperty);
      const property = (parent.properties as Record<string, Record<string, unknown>> | undefined)?.[missing];
      let detail = "";
      if (property && Array.isArray(property.enum)) detail = ` (one of ${formatChoices(property.enum)})`;
      else if (property && property.type === "boolean") detail = " (true or false)";
      return {
        segments,
        anchor: "value",
        message: `'${missing}' is required${forType}${detail}`,
        hint: requiredHint(segments, missing, resourceType),
      };
    }
    case "additionalProperties": {
      const field = String(error.params.additionalProperty);
      const fieldSegments = [...segments, field];
      if (WIRED_IDS.has(field)) {
        return {
          segments: fieldSegments,
          anchor: "key",
          message: `'${field}' must not appear in a manifest: campaignctl creates the campaign and wires its id itself`,
          hint: `delete the '${field}' line`,
        };
      }
      const allowed = Object.keys((parent.properties as Record<string, unknown> | undefined) ?? {}).filter(
        (name) => name !== "$schema",
      );
      const guess = suggestClosest(field, allowed);
      return {
        segments: fieldSegments,
        anchor: "key",
        message: `unknown field '${field}'${guess ? ` (did you mean '${guess}'?)` : ""}`,
        hint: allowed.length > 0 ? `allowed fields here: ${allowed.join(", ")}` : "remove it",
      };
    }
    case "false schema": {
      const owners = resourceType ? ARTWORK_FIELDS[resourceType as keyof typeof ARTWORK_FIELDS] : undefined;
      return {
        segments,
        anchor: "key",
        message: `'${String(last)}' is not used by ${resourceType ? RESOURCE_LABEL[resourceType] : "this resource_type"}`,
        hint: owners
          ? `${RESOURCE_LABEL[resourceType!]} takes ${owners.join(" and ")}; remove '${String(last)}' or change resource_type`
          : "remove it or change resource_type",
      };
    }
    case "enum":
    case "const": {
      const choices =
        error.keyword === "enum" ? (error.params.allowedValues as unknown[]) : [error.params.allowedValue];
      const got = error.data;
      const guess =
        typeof got === "string"
          ? suggestClosest(
              got,
              choices.filter((c): c is string => typeof c === "string"),
            )
          : undefined;
      const head =
        choices.length === 1
          ? `must be ${formatChoices(choices)}`
          : `must be one of ${formatChoices(choices)}`;
      return {
        segments,
        anchor: "value",
        message: `${head} (got ${describeValue(got)})${guess ? `; did you mean '${guess}'?` : ""}`,
        hint: guess
          ? `change it to '${guess}'`
          : `use ${choices.length === 1 ? "" : "one of "}${formatChoices(choices)}`,
      };
    }
    case "type": {
      const types = ([] as unknown[])
        .concat(error.params.type)
        .map((t) => TYPE_WORDS[String(t)] ?? String(t));
      if (segments.length === 2 && segments[0] === "creative" && segments[1] === "from") {
        return {
          segments,
          anchor: "value",
          message: `must be an address id (adr_…) or an inline address mapping (got ${kindOf(error.data)})`,
          hint: "see examples/letter/campaign.yaml for an inline return address",
        };
      }
      const hint =
        types.includes("a string") && typeof error.data === "number"
          ? "quote the value in YAML so it stays a string (e.g. '02139')"
          : `write ${types.join(" or ")} here`;
      return {
        segments,
        anchor: "value",
        message: `must be ${types.join(" or ")} (got ${kindOf(error.data)})`,
        hint: segments.length === 0 ? "a manifest document is a mapping that starts with 'version: 1'" : hint,
      };
    }
    case "pattern": {
      if (error.propertyName !== undefined) return describeKeyName(error, segments, custom);
      return {
        segments,
        anchor: "value",
        message: `${custom ?? `must match ${String(error.params.pattern)}`} (got ${describeValue(error.data)})`,
        hint: described ?? "see the field's description: campaignctl schema",
      };
    }
    case "maxLength":
    case "minLength": {
      if (error.propertyName !== undefined) return describeKeyName(error, segments, custom);
      const limit = Number(error.params.limit);
      const length = typeof error.data === "string" ? [...error.data].length : 0;
      const message =
        error.keyword === "minLength" && limit === 1
          ? "must not be empty"
          : error.keyword === "maxLength"
            ? `must be at most ${limit} characters (has ${length})`
            : `must be at least ${limit} characters (has ${length})`;
      return { segments, anchor: "value", message, hint: custom ?? "shorten it" };
    }
    case "maxProperties":
      return {
        segments,
        anchor: "value",
        message: `has ${Object.keys((error.data as object | null) ?? {}).length} entries; at most ${String(error.params.limit)} are allowed`,
        hint: custom ?? "remove some entries (Lob limit)",
      };
    case "maxItems":
      return {
        segments,
        anchor: "value",
        message: `has ${Array.isArray(error.data) ? error.data.length : "too many"} items; at most ${String(error.params.limit)} are allowed`,
        hint: "remove some items",
      };
    case "uniqueItems":
      return {
        segments,
        anchor: "value",
        message: `items ${String(error.params.j)} and ${String(error.params.i)} are the same`,
        hint: "list each value once",
      };
    case "minimum":
    case "maximum":
    case "exclusiveMinimum":
      return {
        segments,
        anchor: "value",
        message: `must be ${String(error.params.comparison)} ${String(error.params.limit)} (got ${describeValue(error.data)})`,
        hint: "change the number",
      };
    default:
      return {
        segments,
        anchor: "value",
        message: custom ?? error.message ?? `fails the '${error.keyword}' rule`,
        hint: described ?? "see the field's description: campaignctl schema",
      };
  }
}

function describeKeyName(
  error: SchemaError,
  segments: readonly PathSegment[],
  custom: string | undefined,
): SchemaProblem {
  const name = String(error.propertyName);
  const tooLong = error.keyword === "maxLength";
  return {
    segments: [...segments, name],
    anchor: "key",
    message: tooLong
      ? `key '${name}' is longer than ${String(error.params.limit)} characters`
      : `key '${name}' is not allowed: ${custom ?? `must match ${String(error.params.pattern)}`}`,
    hint: custom ?? "rename the key",
  };
}

function requiredHint(
  segments: readonly PathSegment[],
  missing: string,
  resourceType: string | undefined,
): string {
  const where = segments.length === 0 ? "at the top level" : `under ${formatPath(segments)}`;
  if (segments.length === 1 && segments[0] === "creative" && resourceType) {
    const artwork = ARTWORK_FIELDS[resourceType as keyof typeof ARTWORK_FIELDS];
    if (artwork.includes(missing as never)) {
      return `add '${missing}:' ${where}: a template id (tmpl_…), an https:// URL or a local .html/.pdf/.png/.jpg file`;
    }
  }
  if (segments[0] === "audience" && segments[1] === "optionalAddressColumnMapping") {
    return `Lob needs all three keys; add '${missing}: null' ${where} if you do not use it`;
  }
  return `add '${missing}:' ${where}`;
}
