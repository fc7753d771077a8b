import Mustache from "mustache";
import type { AudienceMapping } from "../audience/types.js";

/**
 * Fills an HTML artwork's merge variables from one audience row, the way Lob does for a campaign:
 * each key of `mergeVariableColumnMapping` takes its column's value, except that a key which is also
 * an address field (`name`, `address_line1`, …) takes the address mapping's column (Lob overwrites
 * it during processing). Templating is Mustache (`{{var}}`, dotted paths, sections), the engine
 * Lob's default templating is based on.
 *
 * A variable the row does not supply (unmapped, or an empty cell) renders visibly, as a highlighted `{{name}}`, so a reviewer
 * sees it on the card. How bad that is depends on the account's `merge_strictness`: `relaxed`
 * (Lob's default) mails the piece with an empty value (a warning here); `strict` makes Lob refuse
 * the piece (an error here).
 */
export type MergeStrictness = "strict" | "relaxed";

export interface MergeValue {
  /** The CSV column it comes from (named in messages and in redacted placeholders). */
  readonly column: string;
  /** The recipient's value: personal data, never printed. */
  readonly value: string;
}

/** Merge variable name → its value for one row. */
export type MergeValues = ReadonlyMap<string, MergeValue>;

const ADDRESS_KEYS = [
  "name",
  "address_line1",
  "address_line2",
  "address_city",
  "address_state",
  "address_zip",
  "company",
  "address_country",
] as const;

/** The merge values of one row, mapped as Lob maps them. */
export function mergeValuesFor(
  mapping: AudienceMapping,
  header: readonly string[],
  fields: readonly string[],
): MergeValues {
  const address: Record<string, string | null> = {
    ...mapping.requiredAddressColumnMapping,
    ...mapping.optionalAddressColumnMapping,
  };
  const out = new Map<string, MergeValue>();
  for (const [name, mapped] of Object.entries(mapping.mergeVariableColumnMapping ?? {})) {
    const fromAddress = (ADDRESS_KEYS as readonly string[]).includes(name) ? address[name] : undefined;
    const column = fromAddress ?? mapped;
    const index = header.indexOf(column);
    // Lob trims values; a column that is not in the header leaves the variable missing.
    if (index >= 0) out.set(name, { column, value: (fields[index] ?? "").trim() });
  }
  return out;
}

/**
 * Placeholders for artifacts anyone may see: each value becomes its column's name, repeated or cut
 * to the value's length so the layout (line breaks, overflow) stays close to the real one.
 */
export function redactValues(values: MergeValues): MergeValues {
  const out = new Map<string, MergeValue>();
  for (const [name, { column, value }] of values) {
    const length = [...value].length;
    const unit = [...`${column} `];
    const chars: string[] = [];
    while (chars.length < length) chars.push(unit[chars.length % unit.length]!);
    out.set(name, { column, value: chars.join("").replace(/ $/, "_") });
  }
  return out;
}

export interface MergedHtml {
  readonly html: string;
  /** Variables the artwork uses that the row does not supply, in order of first use. */
  readonly missing: readonly string[];
}

/** Marks a missing variable in the output; replaced by a visible span after rendering. */
const MISSING_OPEN = "\u0000campaignctl-missing:";
const MISSING_CLOSE = "\u0000";
export const MISSING_CLASS = "campaignctl-missing-variable";

type Token = [string, string, number, number, Token[]?, ...unknown[]];

function usedNames(tokens: readonly Token[], into: Set<string>): void {
  for (const token of tokens) {
    const [type, value] = token;
    if (type === "name" || type === "&" || type === "#" || type === "^") {
      if (value !== ".") into.add(value);
    }
    if ((type === "#" || type === "^") && Array.isArray(token[4])) usedNames(token[4], into);
  }
}

function setPath(view: Record<string, unknown>, name: string, value: unknown): void {
  const parts = name.split(".");
  let node = view;
  for (const part of parts.slice(0, -1)) {
    const next = node[part];
    if (typeof next !== "object" || next === null) node[part] = {};
    node = node[part] as Record<string, unknown>;
  }
  node[parts[parts.length - 1]!] = value;
}

function hasPath(view: Record<string, unknown>, name: string): boolean {
  let node: unknown = view;
  for (const part of name.split(".")) {
    if (typeof node !== "object" || node === null || !(part in node)) return false;
    node = (node as Record<string, unknown>)[part];
  }
  return true;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * Lob's artwork often uses Handlebars' block helpers (`{{#if x}}…{{else}}…{{/if}}`, `unless`,
 * `each`, `with`), which Mustache writes as sections on the variable itself. This rewrites just
 * those tags (a stack pairs each `{{/if}}` with its opening) so Mustache renders them as Lob does.
 */
export function helpersToSections(html: string): string {
  const stack: { helper: string; name: string }[] = [];
  return html.replace(
    /\{\{\s*(?:#(if|unless|each|with)\s+([^\s}]+)|(else)|\/(if|unless|each|with))\s*\}\}/g,
    (
      tag,
      open: string | undefined,
      name: string | undefined,
      otherwise: string | undefined,
      close: string | undefined,
    ) => {
      if (open && name) {
        stack.push({ helper: open, name });
        return open === "unless" ? `{{^${name}}}` : `{{#${name}}}`;
      }
      const top = stack[stack.length - 1];
      if (!top) return tag; // unbalanced: left for Mustache to report
      if (otherwise)
        return top.helper === "unless"
          ? `{{/${top.name}}}{{#${top.name}}}`
          : `{{/${top.name}}}{{^${top.name}}}`;
      if (close !== top.helper) return tag;
      stack.pop();
      return `{{/${top.name}}}`;
    },
  );
}

/** Renders `html` with the row's values. Throws Mustache's own error on a malformed template. */
export function mergeHtml(source: string, values: MergeValues): MergedHtml {
  const html = helpersToSections(source);
  const view: Record<string, unknown> = {};
  // A mapping key with a dot is a dotted path for Mustache: `{{a.b}}` reads view.a.b.
  // An empty value counts as missing: Lob mails it empty (relaxed) or refuses the piece (strict).
  for (const [name, { value }] of values) {
    if (value === "") continue;
    if (name.includes(".")) setPath(view, name, value);
    else view[name] = value;
  }
  const names = new Set<string>();
  usedNames(Mustache.parse(html) as unknown as Token[], names);
  const missing = [...names].filter((name) => !hasPath(view, name));
  for (const name of missing) setPath(view, name, `${MISSING_OPEN}${name}${MISSING_CLOSE}`);
  const rendered = Mustache.render(html, view, {}, { escape: (text: unknown) => escapeHtml(String(text)) });
  const marked = rendered.replace(
    new RegExp(`${MISSING_OPEN}([^\\u0000]*)${MISSING_CLOSE}`, "g"),
    (_all, name: string) =>
      `<span class="${MISSING_CLASS}" style="background:#ff0;color:#c00;outline:2px solid #c00">{{${escapeHtml(name)}}}</span>`,
  );
  return { html: marked, missing };
}
