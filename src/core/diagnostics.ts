/**
 * A problem found in user input, pinned to a place in a file. Validation collects every
 * diagnostic in one pass and reports them together; it never stops at the first.
 *
 * Diagnostics must never carry an audience cell value or an API key: rows are referred to by
 * number and columns by name.
 */
import { compareText } from "./en-us.js";

export type Severity = "error" | "warning";

/** Stable codes, matched by tests and documented in docs/diagnostics.md. */
export type DiagnosticCode =
  | "YAML_SYNTAX"
  | "SCHEMA"
  | "ENV_MISSING"
  | "DUPLICATE_KEY"
  | "FILE_NOT_FOUND"
  | "FILE_UNREADABLE"
  | "FILE_OUTSIDE_PROJECT"
  | "FILE_TOO_LARGE"
  | "FILE_ENCODING"
  | "ENV_KEY_REFUSED"
  | "YAML_LIMIT"
  | "MERGE_VARIABLE_UNMAPPED"
  | "MERGE_VARIABLE_UNUSED"
  | "MERGE_VARIABLE_NAME"
  | "COLUMN_MISSING"
  | "HEADER_CHARACTERS"
  | "CSV_NOT_UTF8"
  | "CSV_MALFORMED"
  | "CSV_EMPTY"
  | "CSV_NO_ROWS"
  | "CSV_DUPLICATE_HEADER"
  | "ROWS_FAILING"
  | "DUPLICATE_RECIPIENTS"
  | "STANDARD_MAIL_NON_US"
  | "STANDARD_MAIL_MINIMUM"
  | "LETTER_FLAT_ENVELOPE"
  | "LETTER_TOO_MANY_PAGES"
  | "PDF_PAGES_UNKNOWN"
  | "CANCEL_WINDOW_DEFAULT";

export interface Diagnostic {
  readonly severity: Severity;
  readonly code: DiagnosticCode;
  /** Path as the user gave it (relative to cwd when possible). */
  readonly file: string;
  /** 1-based; 0 when the problem concerns the whole file. */
  readonly line: number;
  /** 1-based; 0 when the problem concerns the whole file. */
  readonly col: number;
  /** Dotted path into the manifest, e.g. `creative.details`; empty for whole-file problems. */
  readonly path: string;
  readonly message: string;
  /** How to fix it. */
  readonly hint: string;
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === "error");
}

/** The one way a place in a file is shown: `file:line:col`, or `file` for the whole file. */
export function formatLocation(d: Pick<Diagnostic, "file" | "line" | "col">): string {
  return d.line > 0 ? `${d.file}:${d.line}:${d.col}` : d.file;
}

/** The one diagnostic line: `file:line:col: severity CODE path: message` (the hint goes below it). */
export function formatDiagnosticLine(d: Diagnostic): string {
  return `${formatLocation(d)}: ${d.severity} ${d.code} ${d.path ? `${d.path}: ` : ""}${d.message}`;
}

/** Stable order: by file, then position, then code. */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort(
    (a, b) => compareText(a.file, b.file) || a.line - b.line || a.col - b.col || compareText(a.code, b.code),
  );
}
