import { ISO_COUNTRY_CODES, US_STATE_CODES } from "./codes.js";
import type { CsvRecordView } from "./csv.js";
import type { AudienceMapping, MissingColumn, RowFailure, RowFailureCode } from "./types.js";

/**
 * Lob's per-row value rules (help centre "Campaign audience guide"), compiled once per header so
 * each row costs a handful of comparisons. Values are trimmed before checking because Lob trims.
 * Lengths count Unicode code points. State and country codes are accepted in any letter case.
 *
 * Bump RULES_VERSION whenever a rule or its wording changes: it is part of the preflight cache key.
 */
export const RULES_VERSION = "lob-audience-rules/1";

export const NAME_MAX = 40;
export const ADDRESS_LINE_MAX = 64;
export const CITY_MAX = 200;
export const COMPANY_MAX = 40;
/** Lob's per-piece metadata value limit. */
export const METADATA_VALUE_MAX = 500;

const KIND_MAX = 0;
const KIND_STATE = 1;
const KIND_ZIP = 2;
const KIND_COUNTRY = 3;
const KIND_NON_EMPTY = 4;
/** address_country of a usps_standard campaign: only US (any letter case). */
const KIND_US = 5;

interface CompiledRule {
  readonly kind: number;
  readonly index: number;
  readonly max: number;
  readonly failure: RowFailure;
  /** For required fields: the failure when the trimmed value is empty. */
  readonly missing: RowFailure | undefined;
}

/** Column indexes forming a recipient's identity for duplicate detection (-1: not mapped). */
export interface RecipientColumns {
  readonly name: number;
  readonly line1: number;
  readonly line2: number;
  readonly city: number;
  readonly state: number;
  readonly zip: number;
}

export interface AudienceRules {
  readonly header: readonly string[];
  readonly missingColumns: readonly MissingColumn[];
  readonly identity: RecipientColumns;
  /** Failures of one record; a shared empty array when it passes. */
  checkRecord(record: CsvRecordView): readonly RowFailure[];
  /** The same for a row given as strings (tests, tools). */
  checkRow(fields: readonly string[]): readonly RowFailure[];
}

const NO_FAILURES: readonly RowFailure[] = Object.freeze([]);

/** Two-letter code lookup keyed by (upper-cased first char << 8 | second). */
function codeTable(codes: ReadonlySet<string>): Uint8Array {
  const table = new Uint8Array(1 << 16);
  for (const code of codes) table[(code.charCodeAt(0) << 8) | code.charCodeAt(1)] = 1;
  return table;
}
const STATE_TABLE = codeTable(US_STATE_CODES);
const COUNTRY_TABLE = codeTable(ISO_COUNTRY_CODES);

/** The trimmed value is `US` in any letter case. */
function isUs(s: string, a: number, b: number): boolean {
  return b - a === 2 && (s.charCodeAt(a) | 32) === 117 && (s.charCodeAt(a + 1) | 32) === 115;
}

function isAsciiSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

function isLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

// Trimmed bounds of the field being checked; module-level so checking allocates nothing.
let trimStart = 0;
let trimEnd = 0;

/**
 * Trims a latin1 range (bytes): ASCII whitespace and U+00A0 (C2 A0). Lob's trim may know more
 * Unicode spaces; those are rare in addresses and only make a length check stricter.
 */
function trimRange(s: string, a: number, b: number): void {
  for (;;) {
    if (a < b && isAsciiSpace(s.charCodeAt(a))) a++;
    else if (a + 1 < b && s.charCodeAt(a) === 0xc2 && s.charCodeAt(a + 1) === 0xa0) a += 2;
    else break;
  }
  for (;;) {
    if (b > a && isAsciiSpace(s.charCodeAt(b - 1))) b--;
    else if (b - 1 > a && s.charCodeAt(b - 1) === 0xa0 && s.charCodeAt(b - 2) === 0xc2) b -= 2;
    else break;
  }
  trimStart = a;
  trimEnd = b;
}

/** Whether the UTF-8 bytes in s[a..b) (latin1) hold more than `max` code points. */
function exceedsCodePoints(s: string, a: number, b: number, max: number): boolean {
  if (b - a <= max) return false;
  let count = 0;
  for (let i = a; i < b; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80 || c >= 0xc0) {
      if (++count > max) return true;
    }
  }
  return false;
}

function isZip(s: string, a: number, b: number): boolean {
  const len = b - a;
  if (len !== 5 && len !== 10) return false;
  for (let i = 0; i < 5; i++) if (!isDigit(s.charCodeAt(a + i))) return false;
  if (len === 5) return true;
  if (s.charCodeAt(a + 5) !== 45) return false;
  for (let i = 6; i < 10; i++) if (!isDigit(s.charCodeAt(a + i))) return false;
  return true;
}

function isCode(table: Uint8Array, s: string, a: number, b: number): boolean {
  if (b - a !== 2) return false;
  const c0 = s.charCodeAt(a);
  const c1 = s.charCodeAt(a + 1);
  if (!isLetter(c0) || !isLetter(c1)) return false;
  return table[((c0 & 0xdf) << 8) | (c1 & 0xdf)] === 1;
}

/** A record view over plain strings, for checking rows that did not come from the parser. */
export function recordViewOf(fields: readonly string[]): CsvRecordView {
  const src = fields.map((f) => Buffer.from(f, "utf8").toString("latin1"));
  return {
    count: fields.length,
    src,
    starts: new Int32Array(fields.length),
    ends: Int32Array.from(src, (f) => f.length),
    line: 0,
    columns: undefined,
  };
}

type AddressField =
  | "name"
  | "address_line1"
  | "address_line2"
  | "address_city"
  | "address_state"
  | "address_zip"
  | "company"
  | "address_country";

interface AddressRuleSpec {
  readonly field: AddressField;
  readonly group: "requiredAddressColumnMapping" | "optionalAddressColumnMapping";
  readonly required: boolean;
  readonly check: "max" | "state" | "zip" | "country";
  readonly max: number;
}

const ADDRESS_RULES: readonly AddressRuleSpec[] = [
  { field: "name", group: "requiredAddressColumnMapping", required: true, check: "max", max: NAME_MAX },
  {
    field: "address_line1",
    group: "requiredAddressColumnMapping",
    required: true,
    check: "max",
    max: ADDRESS_LINE_MAX,
  },
  {
    field: "address_city",
    group: "requiredAddressColumnMapping",
    required: true,
    check: "max",
    max: CITY_MAX,
  },
  { field: "address_state", group: "requiredAddressColumnMapping", required: true, check: "state", max: 0 },
  { field: "address_zip", group: "requiredAddressColumnMapping", required: true, check: "zip", max: 0 },
  {
    field: "address_line2",
    group: "optionalAddressColumnMapping",
    required: false,
    check: "max",
    max: ADDRESS_LINE_MAX,
  },
  {
    field: "company",
    group: "optionalAddressColumnMapping",
    required: false,
    check: "max",
    max: COMPANY_MAX,
  },
  {
    field: "address_country",
    group: "optionalAddressColumnMapping",
    required: false,
    check: "country",
    max: 0,
  },
];

function addressColumn(mapping: AudienceMapping, spec: AddressRuleSpec): string | null {
  const group = mapping[spec.group] as unknown as Readonly<Record<string, string | null>> | undefined | null;
  const column = group?.[spec.field];
  return typeof column === "string" ? column : null;
}

/** Every column the mapping names, with where it names it. */
export function listMappedColumns(mapping: AudienceMapping): readonly MissingColumn[] {
  const out: MissingColumn[] = [];
  for (const spec of ADDRESS_RULES) {
    const column = addressColumn(mapping, spec);
    if (column !== null) out.push({ mappingPath: `${spec.group}.${spec.field}`, column });
  }
  for (const [name, column] of Object.entries(mapping.mergeVariableColumnMapping ?? {})) {
    if (typeof column === "string") out.push({ mappingPath: `mergeVariableColumnMapping.${name}`, column });
  }
  (mapping.metadata?.columns ?? []).forEach((column, i) => {
    out.push({ mappingPath: `metadata.columns[${i}]`, column });
  });
  return out;
}

export function compileAudienceRules(mapping: AudienceMapping, header: readonly string[]): AudienceRules {
  const indexOf = new Map<string, number>();
  header.forEach((name, i) => {
    if (!indexOf.has(name)) indexOf.set(name, i);
  });
  const missingColumns = listMappedColumns(mapping).filter((m) => !indexOf.has(m.column));
  const rules: CompiledRule[] = [];
  const identity = { name: -1, line1: -1, line2: -1, city: -1, state: -1, zip: -1 };
  const addressColumns = new Map<string, string>();

  for (const spec of ADDRESS_RULES) {
    const column = addressColumn(mapping, spec);
    if (column === null) continue;
    addressColumns.set(spec.field, column);
    const index = indexOf.get(column);
    if (index === undefined) continue;
    const fail = (code: RowFailureCode): RowFailure => ({ code, column });
    rules.push({
      kind:
        spec.check === "max"
          ? KIND_MAX
          : spec.check === "state"
            ? KIND_STATE
            : spec.check === "zip"
              ? KIND_ZIP
              : mapping.usOnly === true
                ? KIND_US
                : KIND_COUNTRY,
      index,
      max: spec.max,
      failure:
        spec.check === "country" && mapping.usOnly === true
          ? fail("address_country_not_us")
          : fail(`${spec.field}_${spec.check === "max" ? "too_long" : "invalid"}` as RowFailureCode),
      missing: spec.required ? fail(`${spec.field}_missing` as RowFailureCode) : undefined,
    });
    if (spec.field === "name") identity.name = index;
    else if (spec.field === "address_line1") identity.line1 = index;
    else if (spec.field === "address_line2") identity.line2 = index;
    else if (spec.field === "address_city") identity.city = index;
    else if (spec.field === "address_state") identity.state = index;
    else if (spec.field === "address_zip") identity.zip = index;
  }

  const requiredColumns = new Set(
    ADDRESS_RULES.filter((spec) => spec.required)
      .map((spec) => addressColumn(mapping, spec))
      .filter((column): column is string => column !== null),
  );
  // A merge variable named like an address field reads the address mapping's column (Lob
  // overwrites it), and several variables on one column need only one check.
  const mergeColumns = new Set<string>();
  for (const [name, column] of Object.entries(mapping.mergeVariableColumnMapping ?? {})) {
    if (typeof column !== "string") continue;
    mergeColumns.add(addressColumns.get(name) ?? column);
  }
  for (const column of mergeColumns) {
    const index = indexOf.get(column);
    // A required address rule on the same column already reports it empty.
    if (index === undefined || requiredColumns.has(column)) continue;
    rules.push({
      kind: KIND_NON_EMPTY,
      index,
      max: 0,
      failure: { code: "merge_variable_empty", column },
      missing: undefined,
    });
  }
  const metadataColumns = new Set(mapping.metadata?.columns ?? []);
  for (const column of metadataColumns) {
    const index = indexOf.get(column);
    if (index === undefined) continue;
    rules.push({
      kind: KIND_MAX,
      index,
      max: METADATA_VALUE_MAX,
      failure: { code: "metadata_too_long", column },
      missing: undefined,
    });
  }

  const columnCountFailure: readonly RowFailure[] = Object.freeze([{ code: "column_count", column: "" }]);
  const width = header.length;

  function checkRecord(record: CsvRecordView): readonly RowFailure[] {
    if (record.count !== width) return columnCountFailure;
    const { src, starts, ends } = record;
    let failures: RowFailure[] | undefined;
    for (let r = 0; r < rules.length; r++) {
      const rule = rules[r]!;
      const s = src[rule.index]!;
      let a = starts[rule.index]!;
      let b = ends[rule.index]!;
      if (a < b) {
        const first = s.charCodeAt(a);
        const last = s.charCodeAt(b - 1);
        if (first <= 32 || first === 0xc2 || last <= 32 || last === 0xa0) {
          trimRange(s, a, b);
          a = trimStart;
          b = trimEnd;
        }
      }
      let failure: RowFailure | undefined;
      if (a === b) {
        if (rule.missing !== undefined) failure = rule.missing;
        else if (rule.kind === KIND_NON_EMPTY) failure = rule.failure;
      } else if (rule.kind === KIND_MAX) {
        if (exceedsCodePoints(s, a, b, rule.max)) failure = rule.failure;
      } else if (rule.kind === KIND_ZIP) {
        if (!isZip(s, a, b)) failure = rule.failure;
      } else if (rule.kind === KIND_STATE) {
        if (!isCode(STATE_TABLE, s, a, b)) failure = rule.failure;
      } else if (rule.kind === KIND_COUNTRY) {
        if (!isCode(COUNTRY_TABLE, s, a, b)) failure = rule.failure;
      } else if (rule.kind === KIND_US) {
        if (!isUs(s, a, b)) failure = rule.failure;
      }
      if (failure !== undefined) (failures ??= []).push(failure);
    }
    return failures ?? NO_FAILURES;
  }

  return {
    header,
    missingColumns,
    identity,
    checkRecord,
    checkRow: (fields) => checkRecord(recordViewOf(fields)),
  };
}

const FIELD_LABEL: Readonly<Record<string, string>> = {
  name_: "name",
  address_line1_: "address_line1",
  address_line2_: "address_line2",
  address_city_: "address_city",
  address_state_: "address_state",
  address_zip_: "address_zip",
  company_: "company",
  address_country_: "address_country",
};

function fieldOf(code: RowFailureCode): string {
  for (const prefix of Object.keys(FIELD_LABEL)) {
    if (code.startsWith(prefix)) return FIELD_LABEL[prefix]!;
  }
  return code;
}

/** Human text for a failure. Names the Lob field and the CSV column, never the cell value. */
export function describeRowFailure(failure: RowFailure, mapping?: AudienceMapping): string {
  const col = `column '${failure.column}'`;
  const field = `${fieldOf(failure.code)} (${col})`;
  switch (failure.code) {
    case "name_missing":
    case "address_line1_missing":
    case "address_city_missing":
    case "address_state_missing":
    case "address_zip_missing":
      return `${field} is empty; Lob requires it`;
    case "name_too_long":
      return `${field} is longer than ${NAME_MAX} characters`;
    case "address_line1_too_long":
    case "address_line2_too_long":
      return `${field} is longer than ${ADDRESS_LINE_MAX} characters`;
    case "address_city_too_long":
      return `${field} is longer than ${CITY_MAX} characters`;
    case "company_too_long":
      return `${field} is longer than ${COMPANY_MAX} characters`;
    case "address_state_invalid":
      return `${field} is not a 2-letter US state or territory code`;
    case "address_zip_invalid":
      return `${field} must be 12345 or 12345-6789`;
    case "address_country_invalid":
      return `${field} is not an ISO 3166-1 alpha-2 country code`;
    case "address_country_not_us":
      return `${field} is not US, and usps_standard mails only to US addresses`;
    case "merge_variable_empty": {
      const names = Object.entries(mapping?.mergeVariableColumnMapping ?? {})
        .filter(([, column]) => column === failure.column)
        .map(([name]) => name);
      const label = names.length > 0 ? `merge variable ${names.join(", ")}` : "merge variable";
      return `${label} (${col}) is empty`;
    }
    case "metadata_too_long":
      return `metadata (${col}) is longer than ${METADATA_VALUE_MAX} characters`;
    case "column_count":
      return "the row has a different number of fields than the header";
  }
}
