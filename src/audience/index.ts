export { preflightAudience, readFileChunks } from "./preflight.js";
export type { PreflightOptions } from "./preflight.js";
export { validateAudienceRows, scanAudience } from "./scan.js";
export type { AudienceRow, AudienceScanResult, AudienceScanOptions } from "./scan.js";
export {
  describeRowFailure,
  compileAudienceRules,
  listMappedColumns,
  recordViewOf,
  RULES_VERSION,
} from "./rules.js";
export type { AudienceRules } from "./rules.js";
export { parseCsv, parseCsvRecords, csvFields, csvFieldText, DEFAULT_MAX_RECORD_CHARS } from "./csv.js";
export type {
  CsvParseResult,
  CsvProblem,
  CsvProblemCode,
  CsvRecordHandler,
  CsvRecordView,
  CsvRecordViewHandler,
  CsvParseOptions,
} from "./csv.js";
export { DUPLICATE_FINGERPRINT_CAP, createDuplicateDetector } from "./duplicates.js";
export { US_STATE_CODES, ISO_COUNTRY_CODES } from "./codes.js";
export type * from "./types.js";
