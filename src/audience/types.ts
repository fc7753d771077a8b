import type { Diagnostic } from "../core/diagnostics.js";
import type {
  MergeVariableColumnMapping,
  OptionalAddressColumnMapping,
  RequiredAddressColumnMapping,
  UploadMetadata,
} from "../lob/wire.js";

/** The upload's column mappings: which CSV header feeds which Lob field. Values are header names. */
export interface AudienceMapping {
  readonly requiredAddressColumnMapping: RequiredAddressColumnMapping;
  readonly optionalAddressColumnMapping: OptionalAddressColumnMapping;
  readonly mergeVariableColumnMapping: MergeVariableColumnMapping;
  readonly metadata: UploadMetadata;
  /**
   * Not a Lob field: set for usps_standard campaigns, which mail only to US addresses, so rows
   * whose address_country is another country fail (`address_country_not_us`).
   */
  readonly usOnly?: boolean;
}

/**
 * Why a row fails Lob's per-row rules. Stable codes; the text shown to people comes from
 * `describeRowFailure` in audience/rules.ts and never includes the cell value.
 */
export type RowFailureCode =
  | "name_missing"
  | "name_too_long"
  | "address_line1_missing"
  | "address_line1_too_long"
  | "address_line2_too_long"
  | "address_city_missing"
  | "address_city_too_long"
  | "address_state_missing"
  | "address_state_invalid"
  | "address_zip_missing"
  | "address_zip_invalid"
  | "company_too_long"
  | "address_country_invalid"
  | "address_country_not_us"
  | "merge_variable_empty"
  | "metadata_too_long"
  | "column_count";

export interface RowFailure {
  readonly code: RowFailureCode;
  /** The CSV header name concerned (never the value); "" for `column_count`. */
  readonly column: string;
}

/** A mapped column that the CSV header does not have. */
export interface MissingColumn {
  /** Where the mapping names it, e.g. "requiredAddressColumnMapping.address_zip", "metadata.columns[0]". */
  readonly mappingPath: string;
  /** The header name the mapping asked for. */
  readonly column: string;
}

export interface FailureGroup {
  readonly code: RowFailureCode;
  readonly column: string;
  /** Human text without any cell value, e.g. "address_zip (column 'zip_code') is not 12345 or 12345-6789". */
  readonly reason: string;
  readonly count: number;
  /** The first few failing row numbers, ascending (data rows, 1-based, header not counted). */
  readonly firstRows: readonly number[];
}

/**
 * Preflight reports shared by the manifests of one load, by cache entry (the audience's sha256 and
 * the mapping, so an entry is never stale): 1,000 manifests over one audience share one report,
 * and one scan on a cold cache, instead of each parsing a copy of its own (issue 11: those copies
 * were megabytes of an apply's heap). `sha256Matches` is false when the file changed while it was
 * scanned: that report is its caller's alone.
 */
export interface SharedPreflightReport {
  readonly report: PreflightReport;
  readonly sha256Matches: boolean;
}
export type SharedPreflightReports = Map<string, Promise<SharedPreflightReport>>;

export interface PreflightReport {
  readonly file: string;
  readonly sha256: string;
  readonly bytes: number;
  /**
   * The first row's cells known to be column names (see audience/header-trust.ts): all of them
   * when the row is trusted as a header, else only those the mapping names. Never other cells: a
   * file without a header row starts with a recipient.
   */
  readonly header: readonly string[];
  /** True when the whole first row was taken as a header (absent in reports built elsewhere). */
  readonly headerTrusted?: boolean;
  /** Cells in the first row (absent in reports built elsewhere). */
  readonly headerCells?: number;
  /** Data rows (header excluded). */
  readonly totalRows: number;
  readonly passingRows: number;
  readonly failingRows: number;
  readonly failures: readonly FailureGroup[];
  /** Rows whose normalised name+address repeats an earlier row. */
  readonly duplicates: {
    readonly count: number;
    readonly firstRows: readonly number[];
    /**
     * Rows that took part in duplicate detection (the first N data rows). Equals `totalRows` unless
     * the audience has more distinct recipients than the bounded fingerprint table holds
     * (see DUPLICATE_FINGERPRINT_CAP in audience/duplicates.ts); absent in reports built elsewhere.
     */
    readonly checkedRows?: number;
  };
  /**
   * Mapped columns the header lacks. Not repeated in `diagnostics`: the manifest validator reports
   * them at the mapping's YAML node. Rules for a missing column are skipped.
   */
  readonly missingColumns: readonly MissingColumn[];
  /** Structural problems (errors) and row-level summaries (warnings), ready to print. */
  readonly diagnostics: readonly Diagnostic[];
}
