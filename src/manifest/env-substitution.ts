import { readFileSync } from "node:fs";
import type { Document } from "yaml";
import { visit } from "yaml";
import type { PathSegment } from "./yaml-nodes.js";
import { formatPath, segmentsFromAncestors } from "./yaml-nodes.js";

/**
 * `${env:NAME}` in manifest values.
 *
 * - Inside any string, each reference is replaced by the variable's text.
 * - A value that is one reference and nothing else, where the schema wants a boolean or a number
 *   (`send.enabled`, `send.max_pieces`, `cancel_window_campaign_minutes`, …), becomes that type:
 *   `true`/`false`, or a decimal number. So one manifest serves test and live
 *   (`enabled: ${env:SEND_ENABLED}`).
 * - The Lob API key never enters a manifest: `${env:LOB_API_KEY}`, and any variable whose value
 *   contains the active key, is refused (a description or name would carry it into plans, PR
 *   comments and the state).
 * - Messages about a substituted value name the reference, never the value (`substitutedValues`).
 */

export interface EnvFinding {
  readonly code: "ENV_MISSING" | "ENV_KEY_REFUSED" | "SCHEMA";
  readonly segments: readonly PathSegment[];
  readonly message: string;
  readonly hint: string;
}

export interface EnvSubstitution {
  readonly findings: readonly EnvFinding[];
  /** Paths left as `${env:…}` because a variable was missing or refused. */
  readonly unresolvedPaths: readonly string[];
  /** What was substituted where, so messages can show the reference instead of the value. */
  readonly substituted: readonly {
    readonly path: string;
    readonly value: string;
    readonly reference: string;
  }[];
}

const ENV_REFERENCE = /\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g;
const WHOLE_REFERENCE = /^\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}$/;
const KEY_VARIABLE = "LOB_API_KEY";
/** Shorter "keys" (a test's placeholder) would match ordinary values by accident. */
const MIN_KEY_LENGTH = 8;

export function substituteEnv(
  doc: Document.Parsed,
  env: Readonly<Record<string, string | undefined>>,
): EnvSubstitution {
  const findings: EnvFinding[] = [];
  const unresolvedPaths: string[] = [];
  const substituted: { path: string; value: string; reference: string }[] = [];
  const activeKey = (env[KEY_VARIABLE] ?? "").trim();
  const carriesKey = (name: string, value: string): boolean =>
    name === KEY_VARIABLE || (activeKey.length >= MIN_KEY_LENGTH && value.includes(activeKey));

  visit(doc, {
    Scalar(key, node, ancestors) {
      if (key === "key" || typeof node.value !== "string" || !node.value.includes("${env:")) return;
      const segments = segmentsFromAncestors(ancestors, typeof key === "number" ? key : null);
      const path = formatPath(segments);
      const text = node.value;
      const missing: string[] = [];
      const refused: string[] = [];
      const replaced = text.replace(ENV_REFERENCE, (whole, name: string) => {
        const value = env[name];
        // Refused by name even when unset: the manifest would leak the key wherever it is set.
        if (name !== KEY_VARIABLE && value === undefined) {
          missing.push(name);
          return whole;
        }
        if (value === undefined || carriesKey(name, value)) {
          refused.push(name);
          return whole;
        }
        substituted.push({ path, value, reference: whole });
        return value;
      });
      for (const name of missing) {
        findings.push({
          code: "ENV_MISSING",
          segments,
          message: `environment variable ${name} is not set`,
          hint: `export ${name}=… before running campaignctl, or write the value into the manifest`,
        });
      }
      for (const name of refused) {
        findings.push({
          code: "ENV_KEY_REFUSED",
          segments,
          message:
            name === KEY_VARIABLE
              ? `\${env:${KEY_VARIABLE}} would put the Lob API key into the manifest, and from there into plans, PR comments and the state`
              : `\${env:${name}} holds the Lob API key, which would go into plans, PR comments and the state`,
          hint: "remove the reference: the key belongs only in the LOB_API_KEY environment variable, which campaignctl reads itself",
        });
      }
      if (missing.length > 0 || refused.length > 0) {
        unresolvedPaths.push(path);
        return;
      }
      const whole = WHOLE_REFERENCE.exec(text);
      const wanted = whole ? scalarTypeAt(segments) : undefined;
      if (whole && wanted !== undefined) {
        const typed = toTyped(replaced, wanted);
        if (typed === undefined) {
          unresolvedPaths.push(path);
          findings.push({
            code: "SCHEMA",
            segments,
            message: `\${env:${whole[1]}} must hold ${wanted === "boolean" ? "true or false" : wanted === "integer" ? "a whole number" : "a number"} here (its value is not shown)`,
            hint: `set ${whole[1]} to ${wanted === "boolean" ? "true or false" : "digits only, e.g. 5000"}`,
          });
          return;
        }
        node.value = typed;
        return;
      }
      node.value = replaced;
    },
  });
  return { findings, unresolvedPaths, substituted };
}

type ScalarType = "boolean" | "integer" | "number";

function toTyped(text: string, type: ScalarType): boolean | number | undefined {
  const value = text.trim();
  if (type === "boolean") {
    if (/^true$/i.test(value)) return true;
    if (/^false$/i.test(value)) return false;
    return undefined;
  }
  const pattern = type === "integer" ? /^[-+]?\d{1,15}$/ : /^[-+]?(\d{1,15}(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/;
  return pattern.test(value) ? Number(value) : undefined;
}

// --- The schema's non-string scalar fields, read from the manifest schema on first use. ---

type SchemaNode = Record<string, unknown>;
let schema: SchemaNode | undefined;

function loadSchema(): SchemaNode {
  // schemas/ sits two levels above both src/manifest/ and dist/manifest/.
  schema ??= JSON.parse(
    readFileSync(new URL("../../schemas/manifest.v1.schema.json", import.meta.url), "utf8"),
  ) as SchemaNode;
  return schema;
}

function resolveRef(node: SchemaNode, root: SchemaNode): SchemaNode {
  const ref = node.$ref;
  if (typeof ref !== "string" || !ref.startsWith("#/")) return node;
  let target: unknown = root;
  for (const part of ref.slice(2).split("/")) target = (target as SchemaNode | undefined)?.[part];
  return (target as SchemaNode | undefined) ?? {};
}

/** A schema node and every subschema that may also apply (allOf/anyOf/oneOf/if-then-else, $ref). */
function expand(node: SchemaNode, root: SchemaNode, out: SchemaNode[], depth = 0): void {
  if (depth > 20) return;
  const resolved = resolveRef(node, root);
  out.push(resolved);
  for (const keyword of ["allOf", "anyOf", "oneOf"]) {
    const list = resolved[keyword];
    if (Array.isArray(list)) for (const sub of list) expand(sub as SchemaNode, root, out, depth + 1);
  }
  for (const keyword of ["then", "else"]) {
    const sub = resolved[keyword];
    if (sub !== null && typeof sub === "object") expand(sub as SchemaNode, root, out, depth + 1);
  }
}

/** The non-string scalar type the schema wants at `segments`, if it wants exactly one. */
export function scalarTypeAt(segments: readonly PathSegment[]): ScalarType | undefined {
  const root = loadSchema();
  let nodes: SchemaNode[] = [];
  expand(root, root, nodes);
  for (const segment of segments) {
    const next: SchemaNode[] = [];
    for (const node of nodes) {
      const properties = node.properties as Record<string, SchemaNode> | undefined;
      const child =
        typeof segment === "string" ? properties?.[segment] : (node.items as SchemaNode | undefined);
      if (child !== undefined && child !== null && typeof child === "object") expand(child, root, next);
    }
    if (next.length === 0) return undefined;
    nodes = next;
  }
  const types = new Set<string>();
  for (const node of nodes) {
    const type = node.type;
    for (const t of Array.isArray(type) ? type : [type]) if (typeof t === "string") types.add(t);
  }
  if (types.has("string")) return undefined;
  if (types.has("boolean") && !types.has("integer") && !types.has("number")) return "boolean";
  if (types.has("integer") && !types.has("boolean")) return "integer";
  if (types.has("number") && !types.has("boolean")) return "number";
  return undefined;
}
