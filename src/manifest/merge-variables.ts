/**
 * Finds handlebars-style merge variables in HTML artwork, the way Lob reads them: `{{var}}` and
 * `{{{var}}}`. Block helpers' own tags (`{{/if}}`, `{{else}}`), comments and partials are not
 * variables, but the argument of `{{#if var}}` / `{{#unless var}}` / `{{#each var}}` /
 * `{{#with var}}` is a use of `var`: Lob fills it from the same mapping.
 */
export interface MergeVariableUse {
  readonly name: string;
  /** 1-based position of the opening `{{`. */
  readonly line: number;
  readonly col: number;
  /** True when the name has spaces inside the braces (`{{ name }}`), which Lob rejects. */
  readonly whitespace: boolean;
}

const BLOCK_HELPERS = new Set(["if", "unless", "each", "with"]);

/** Characters Lob refuses in merge variable names (besides whitespace). */
export const FORBIDDEN_NAME_CHARACTERS = `!"#%&'()*+,/;<=>@[\\]^\`{|}~`;

export function isValidMergeVariableName(name: string): boolean {
  if (name.length === 0 || /\s/.test(name)) return false;
  for (const ch of name) if (FORBIDDEN_NAME_CHARACTERS.includes(ch)) return false;
  return true;
}

export function extractMergeVariables(html: string): MergeVariableUse[] {
  const uses: MergeVariableUse[] = [];
  const lineStarts = [0];
  for (let i = 0; i < html.length; i++) if (html.charCodeAt(i) === 10) lineStarts.push(i + 1);
  const positionOf = (offset: number) => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, col: offset - lineStarts[lo]! + 1 };
  };

  let from = 0;
  for (;;) {
    const open = html.indexOf("{{", from);
    if (open < 0) break;
    const triple = html.startsWith("{{{", open);
    const bodyStart = open + (triple ? 3 : 2);
    if (html.startsWith("!--", bodyStart)) {
      const end = html.indexOf("--}}", bodyStart);
      from = end < 0 ? html.length : end + 4;
      continue;
    }
    const close = html.indexOf(triple ? "}}}" : "}}", bodyStart);
    if (close < 0) break;
    from = close + (triple ? 3 : 2);
    const inner = html.slice(bodyStart, close);
    const trimmed = inner.trim();
    const first = trimmed.charAt(0);
    if (trimmed === "" || first === "!" || first === "/" || first === ">" || first === "^") continue;
    if (trimmed === "else" || trimmed.startsWith("else ")) continue;
    if (first === "#") {
      const [helper, argument] = trimmed.slice(1).trim().split(/\s+/);
      if (helper !== undefined && BLOCK_HELPERS.has(helper) && argument && /^[^"'\d(]/.test(argument)) {
        uses.push({ name: argument, ...positionOf(open), whitespace: false });
      }
      continue;
    }
    const name = trimmed.replace(/^&/, "");
    uses.push({ name, ...positionOf(open), whitespace: inner !== trimmed });
  }
  return uses;
}
