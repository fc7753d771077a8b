import type { Document, LineCounter, Node, Pair } from "yaml";
import type { Diagnostic } from "../core/diagnostics.js";
import { isAlias, isMap, isPair, isScalar, isSeq } from "yaml";

/** A step into a manifest value: a mapping key or a sequence index. */
export type PathSegment = string | number;

export interface Position {
  readonly line: number;
  readonly col: number;
}

/** `creative.details.size`, `audience.metadata.columns[2]`; empty for the document itself. */
export function formatPath(segments: readonly PathSegment[]): string {
  let out = "";
  for (const segment of segments) {
    if (typeof segment === "number") out += `[${segment}]`;
    else out += out === "" ? segment : `.${segment}`;
  }
  return out;
}

/** Parses `creative.details.size`, `metadata.columns[0]` or `metadata.columns.0` back into segments. */
export function parsePath(path: string): PathSegment[] {
  const segments: PathSegment[] = [];
  for (const part of path.split(/\.|(?=\[)/)) {
    if (part === "") continue;
    const index = /^\[(\d+)\]$/.exec(part);
    if (index) segments.push(Number(index[1]));
    else if (/^\d+$/.test(part)) segments.push(Number(part));
    else segments.push(part);
  }
  return segments;
}

/** JSON pointer (ajv's instancePath) to segments; numeric parts stay strings until a node says otherwise. */
export function pointerToSegments(pointer: string): PathSegment[] {
  if (pointer === "") return [];
  return pointer
    .slice(1)
    .split("/")
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

function resolveAlias(node: unknown, doc: Document): unknown {
  return isAlias(node) ? node.resolve(doc) : node;
}

function findPair(map: unknown, key: PathSegment): Pair | undefined {
  if (!isMap(map)) return undefined;
  return map.items.find((item) => {
    const k = item.key;
    const value = isScalar(k) ? k.value : k;
    return String(value) === String(key);
  });
}

interface Located {
  /** The deepest node that exists along the path. */
  readonly node: Node | null;
  /** The key node of the last segment when the path ends at a mapping entry. */
  readonly keyNode: Node | null;
  /** How many segments were found. */
  readonly depth: number;
}

/** Walks the YAML AST along `segments`, stopping at the deepest node that exists. */
export function locate(doc: Document, segments: readonly PathSegment[]): Located {
  let node: unknown = resolveAlias(doc.contents, doc);
  let keyNode: Node | null = null;
  let depth = 0;
  for (const segment of segments) {
    let next: unknown;
    let nextKey: Node | null = null;
    if (isSeq(node) && typeof segment === "number") {
      next = node.items[segment];
    } else {
      const pair = findPair(node, segment);
      if (pair) {
        next = pair.value ?? pair.key;
        nextKey = (pair.key as Node | null) ?? null;
      }
    }
    if (next === undefined) break;
    node = resolveAlias(next, doc);
    keyNode = nextKey;
    depth++;
  }
  return {
    node: (node as Node | null) ?? null,
    keyNode: depth === segments.length ? keyNode : null,
    depth,
  };
}

export function positionOfNode(node: Node | null | undefined, lineCounter: LineCounter): Position {
  const offset = node?.range?.[0];
  if (offset === undefined) return { line: 1, col: 1 };
  return lineCounter.linePos(offset);
}

/** Segments of a node reached by `visit`, from its ancestor chain. */
export function segmentsFromAncestors(
  ancestors: readonly unknown[],
  last: PathSegment | null,
): PathSegment[] {
  const segments: PathSegment[] = [];
  for (let i = 0; i < ancestors.length; i++) {
    const ancestor = ancestors[i];
    const child = ancestors[i + 1];
    if (isPair(ancestor)) {
      const k = ancestor.key;
      segments.push(String(isScalar(k) ? k.value : k));
    } else if (isSeq(ancestor) && child !== undefined) {
      segments.push(ancestor.items.indexOf(child as never));
    }
  }
  if (last !== null) segments.push(last);
  return segments;
}

/**
 * A YAML parse error (or a repeated key) as a diagnostic at its line and column. The parser's own
 * "at line N, column M" suffix is dropped: the location is the diagnostic's.
 */
export function yamlSyntaxDiagnostic(
  error: {
    readonly pos: readonly [number, number] | readonly number[];
    readonly message: string;
    readonly code?: string;
  },
  lineCounter: LineCounter,
  file: string,
): Diagnostic {
  const { line, col } = lineCounter.linePos(error.pos[0] ?? 0);
  return {
    severity: "error",
    code: "YAML_SYNTAX",
    file,
    line,
    col,
    path: "",
    message: error.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, ""),
    hint:
      error.code === "DUPLICATE_KEY"
        ? "a field may appear only once in a mapping; delete the repeated one"
        : "fix the YAML syntax (indent with spaces; quote values that contain ': ' or start with special characters)",
  };
}
