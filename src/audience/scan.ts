import type { Diagnostic } from "../core/diagnostics.js";
import { csvFields, parseCsvRecords } from "./csv.js";
import type { ChunkHasher, CsvProblem, CsvRecordView, CsvRecordViewHandler } from "./csv.js";
import { compileAudienceRules } from "./rules.js";
import type { AudienceRules } from "./rules.js";
import type { AudienceMapping, RowFailure } from "./types.js";

/** Characters Lob allows in header names. */
const HEADER_NAME = /^[A-Za-z0-9_\-(). ]*$/;

export interface AudienceRow {
  /** Data rows, 1-based, header not counted. */
  readonly rowNumber: number;
  /** Physical line where the row starts (1-based, header is line 1). */
  readonly line: number;
  readonly failures: readonly RowFailure[];
  /**
   * The row's cells, as a view valid only during the callback (csvFields() copies them).
   * Personal data: never log or report them.
   */
  readonly record: CsvRecordView;
}

export interface AudienceScanResult {
  readonly header: readonly string[];
  readonly totalRows: number;
  readonly validRows: number;
  readonly failedRows: number;
  readonly bytes: number;
  readonly sha256: string;
  /** Errors about the file as a whole: encoding, quoting, header. Includes COLUMN_MISSING. */
  readonly structural: readonly Diagnostic[];
}

export interface AudienceScanOptions {
  readonly header?: (header: readonly string[], rules: AudienceRules) => void;
  /** How diagnostics name the file (default ""). */
  readonly displayFile?: string;
  /** Where the sha256 is computed (default: on this thread). */
  readonly hasher?: ChunkHasher;
}

const HINTS = {
  CSV_NOT_UTF8: "Save the file as UTF-8 (in Excel: CSV UTF-8 (Comma delimited)).",
  CSV_MALFORMED:
    "Check the quoting near that line: a field that starts with a double quote must end with one, and quotes inside it are written twice.",
  CSV_EMPTY: "The file has no header row; export the audience again.",
  CSV_NO_ROWS: "Add at least one recipient row below the header.",
  CSV_DUPLICATE_HEADER: "Rename one of the columns; Lob needs unique header names.",
  HEADER_CHARACTERS: "Rename the column using only letters, digits, spaces and _ - ( ) .",
  COLUMN_MISSING: "Fix the mapping in the manifest or add the column to the CSV.",
} as const;

function headerDiagnostics(file: string, header: readonly string[], starts: readonly number[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  const seen = new Map<string, number>();
  header.forEach((name, i) => {
    const col = starts[i] ?? 0;
    const where = { file, line: 1, col, path: "" };
    if (name.length === 0) {
      out.push({
        ...where,
        severity: "error",
        code: "HEADER_CHARACTERS",
        message: `header cell ${i + 1} is empty; every column needs a name`,
        hint: HINTS.HEADER_CHARACTERS,
      });
      return;
    }
    if (!HEADER_NAME.test(name)) {
      out.push({
        ...where,
        severity: "error",
        code: "HEADER_CHARACTERS",
        // Name the offending characters, not the cell: a file without a header row would put a
        // recipient's name or address here.
        message: `header cell ${i + 1} has characters Lob does not allow in header names (${disallowedCharacters(name)})`,
        hint: HINTS.HEADER_CHARACTERS,
      });
    }
    const first = seen.get(name);
    if (first !== undefined) {
      out.push({
        ...where,
        severity: "error",
        code: "CSV_DUPLICATE_HEADER",
        message: `columns ${first + 1} and ${i + 1} have the same header name`,
        hint: HINTS.CSV_DUPLICATE_HEADER,
      });
    } else {
      seen.set(name, i);
    }
  });
  return out;
}

function disallowedCharacters(name: string): string {
  const bad = [...new Set([...name].filter((ch) => !HEADER_NAME.test(ch)))];
  // A few are enough to find them; a broken file's "header" can hold hundreds.
  const shown = bad.slice(0, 8).map((ch) => (/[\s\p{C}]/u.test(ch) ? JSON.stringify(ch) : `'${ch}'`));
  return bad.length > 8 ? `${shown.join(", ")}, … ${bad.length - 8} more` : shown.join(", ");
}

function problemDiagnostic(file: string, problem: CsvProblem): Diagnostic {
  return {
    severity: "error",
    code: problem.code,
    file,
    line: problem.line,
    col: problem.line > 0 ? Math.max(problem.col, 1) : 0,
    path: "",
    message: problem.message,
    hint: HINTS[problem.code],
  };
}

/**
 * One pass over an audience: parse, header checks, per-row rules, byte count and sha256. Calls
 * `onRow` for every data row (including rows after a structural problem is found: none, since
 * parsing stops there), with one row object updated in place: read it during the call, never
 * keep it.
 */
export async function scanAudience(
  input: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>,
  mapping: AudienceMapping,
  onRow: (row: AudienceRow) => void,
  options: AudienceScanOptions = {},
): Promise<AudienceScanResult> {
  const file = options.displayFile ?? "";
  let header: readonly string[] | undefined;
  let rules: AudienceRules | undefined;
  let checkRecord: (record: CsvRecordView) => readonly RowFailure[] = () => [];
  const structural: Diagnostic[] = [];
  let totalRows = 0;
  let failedRows = 0;
  // One row object for the whole pass, like the parser's record view: no allocation per row.
  const row: { -readonly [K in keyof AudienceRow]: AudienceRow[K] } = {
    rowNumber: 0,
    line: 0,
    failures: [],
    record: undefined as unknown as CsvRecordView,
  };

  const onRecord: CsvRecordViewHandler = (record) => {
    if (header === undefined) {
      const fields = csvFields(record);
      header = fields;
      rules = compileAudienceRules(mapping, fields);
      checkRecord = rules.checkRecord;
      structural.push(...headerDiagnostics(file, fields, record.columns ?? []));
      for (const missing of rules.missingColumns) {
        structural.push({
          severity: "error",
          code: "COLUMN_MISSING",
          file,
          line: 1,
          col: 0,
          path: missing.mappingPath,
          message: `${missing.mappingPath} names column '${missing.column}', which the CSV header does not have`,
          hint: HINTS.COLUMN_MISSING,
        });
      }
      options.header?.(fields, rules);
      return;
    }
    totalRows++;
    const failures = checkRecord(record);
    if (failures.length > 0) failedRows++;
    row.rowNumber = totalRows;
    row.line = record.line;
    row.failures = failures;
    row.record = record;
    onRow(row);
  };
  const parsed = await parseCsvRecords(
    input,
    onRecord,
    options.hasher === undefined ? {} : { hasher: options.hasher },
  );

  if (parsed.problem !== null) structural.push(problemDiagnostic(file, parsed.problem));
  else if (header === undefined) {
    structural.push({
      severity: "error",
      code: "CSV_EMPTY",
      file,
      line: 0,
      col: 0,
      path: "",
      message: parsed.bytes === 0 ? "the audience file is empty" : "the audience file has no header row",
      hint: HINTS.CSV_EMPTY,
    });
  } else if (totalRows === 0) {
    structural.push({
      severity: "error",
      code: "CSV_NO_ROWS",
      file,
      line: 0,
      col: 0,
      path: "",
      message: "the audience file has a header but no recipient rows",
      hint: HINTS.CSV_NO_ROWS,
    });
  }

  return {
    header: header ?? [],
    totalRows,
    validRows: totalRows - failedRows,
    failedRows,
    bytes: parsed.bytes,
    sha256: parsed.sha256,
    structural,
  };
}

/**
 * Row-by-row validation for the emulator: Lob's per-row verdicts with the row's cells, so it can
 * build the line-item report. `structural` holds whole-file errors (including COLUMN_MISSING);
 * when it has any, Lob would error the upload.
 */
export async function validateAudienceRows(
  input: NodeJS.ReadableStream | AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  mapping: AudienceMapping,
  onRow: (row: { rowNumber: number; failures: readonly RowFailure[]; fields: readonly string[] }) => void,
  opts?: { header?: (header: readonly string[]) => void; displayFile?: string },
): Promise<{
  header: readonly string[];
  totalRows: number;
  validRows: number;
  failedRows: number;
  bytes: number;
  sha256: string;
  structural: readonly Diagnostic[];
}> {
  const headerCallback = opts?.header;
  const result = await scanAudience(
    input as AsyncIterable<Uint8Array | string>,
    mapping,
    (row) => onRow({ rowNumber: row.rowNumber, failures: row.failures, fields: csvFields(row.record) }),
    {
      displayFile: opts?.displayFile ?? "",
      ...(headerCallback ? { header: (h: readonly string[]) => headerCallback(h) } : {}),
    },
  );
  return { ...result };
}
