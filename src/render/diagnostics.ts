import type { PreflightReport } from "../audience/types.js";
import type { Diagnostic } from "../core/diagnostics.js";
import { formatDiagnosticLine } from "../core/diagnostics.js";

/** What `campaignctl validate` found, as plain data for the three formats below. */
export interface ValidationOutcome {
  readonly diagnostics: readonly Diagnostic[];
  /** Number of manifest files read. */
  readonly manifestFiles: number;
  /** Campaign documents without errors, in load order. */
  readonly campaigns: ReadonlyArray<{ readonly key: string; readonly file: string }>;
  /** Audience preflight reports by campaign key (absent with --no-preflight or when the audience could not be checked). */
  readonly preflight: ReadonlyMap<string, PreflightReport>;
}

/** The `--format json` document (version 1). Documented in docs/diagnostics.md; only ever extended. */
export interface ValidationJson {
  readonly version: 1;
  readonly valid: boolean;
  readonly summary: {
    readonly errors: number;
    readonly warnings: number;
    readonly manifests: number;
    readonly campaigns: number;
  };
  readonly diagnostics: ReadonlyArray<{
    readonly severity: Diagnostic["severity"];
    readonly code: Diagnostic["code"];
    readonly file: string;
    readonly line: number;
    readonly col: number;
    readonly path: string;
    readonly message: string;
    readonly hint: string;
  }>;
  readonly campaigns: ReadonlyArray<{
    readonly key: string;
    readonly file: string;
    readonly audience: AudienceJson | null;
  }>;
}

export interface AudienceJson {
  readonly file: string;
  readonly sha256: string;
  readonly totalRows: number;
  readonly passingRows: number;
  readonly failingRows: number;
  readonly failures: ReadonlyArray<{
    readonly code: string;
    readonly column: string;
    readonly reason: string;
    readonly count: number;
    readonly firstRows: readonly number[];
  }>;
  readonly duplicates: { readonly count: number; readonly firstRows: readonly number[] };
}

function count(diagnostics: readonly Diagnostic[], severity: Diagnostic["severity"]): number {
  return diagnostics.filter((d) => d.severity === severity).length;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

function formatRows(rows: readonly number[], total: number): string {
  const shown = rows.join(", ");
  return total > rows.length ? `rows ${shown}, …` : rows.length === 1 ? `row ${shown}` : `rows ${shown}`;
}

export function formatValidationText(outcome: ValidationOutcome): string {
  const lines: string[] = [];
  for (const d of outcome.diagnostics) {
    lines.push(formatDiagnosticLine(d));
    if (d.hint) lines.push(`  hint: ${d.hint}`);
  }
  for (const campaign of outcome.campaigns) {
    const report = outcome.preflight.get(campaign.key);
    if (report === undefined) continue;
    if (lines.length > 0) lines.push("");
    lines.push(
      `${campaign.key} (${campaign.file}): audience ${report.file}: ${plural(report.totalRows, "row")}, ${report.passingRows} passing, ${report.failingRows} failing`,
    );
    for (const group of report.failures) {
      lines.push(
        `  - ${group.reason}: ${plural(group.count, "row")} (${formatRows(group.firstRows, group.count)})`,
      );
    }
    if (report.duplicates.count > 0) {
      lines.push(
        `  - duplicate recipients: ${plural(report.duplicates.count, "row")} (${formatRows(report.duplicates.firstRows, report.duplicates.count)})`,
      );
    }
  }
  if (lines.length > 0) lines.push("");
  lines.push(summaryLine(outcome));
  return `${lines.join("\n")}\n`;
}

function summaryLine(outcome: ValidationOutcome): string {
  const errors = count(outcome.diagnostics, "error");
  const warnings = count(outcome.diagnostics, "warning");
  if (errors === 0) {
    const suffix = warnings > 0 ? ` (${plural(warnings, "warning")})` : "";
    return `OK: ${plural(outcome.campaigns.length, "campaign")} valid in ${plural(outcome.manifestFiles, "manifest")}${suffix}`;
  }
  return `${plural(errors, "error")}, ${plural(warnings, "warning")} in ${plural(outcome.manifestFiles, "manifest")}`;
}

/** GitHub Actions workflow commands: annotations on the PR diff. */
export function formatValidationGithub(outcome: ValidationOutcome): string {
  const lines = outcome.diagnostics.map((d) => {
    const props = [`file=${escapeProperty(d.file)}`];
    if (d.line > 0) props.push(`line=${d.line}`, `col=${d.col}`);
    props.push(`title=${escapeProperty(d.code)}`);
    const text = `${d.path ? `${d.path}: ` : ""}${d.message}${d.hint ? `\nhint: ${d.hint}` : ""}`;
    return `::${d.severity} ${props.join(",")}::${escapeData(text)}`;
  });
  lines.push(summaryLine(outcome));
  return `${lines.join("\n")}\n`;
}

function escapeData(text: string): string {
  return text.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, "%3A").replace(/,/g, "%2C");
}

export function buildValidationJson(outcome: ValidationOutcome): ValidationJson {
  const errors = count(outcome.diagnostics, "error");
  return {
    version: 1,
    valid: errors === 0,
    summary: {
      errors,
      warnings: count(outcome.diagnostics, "warning"),
      manifests: outcome.manifestFiles,
      campaigns: outcome.campaigns.length,
    },
    diagnostics: outcome.diagnostics.map((d) => ({
      severity: d.severity,
      code: d.code,
      file: d.file,
      line: d.line,
      col: d.col,
      path: d.path,
      message: d.message,
      hint: d.hint,
    })),
    campaigns: outcome.campaigns.map((c) => {
      const report = outcome.preflight.get(c.key);
      return { key: c.key, file: c.file, audience: report ? toAudienceJson(report) : null };
    }),
  };
}

function toAudienceJson(report: PreflightReport): AudienceJson {
  return {
    file: report.file,
    sha256: report.sha256,
    totalRows: report.totalRows,
    passingRows: report.passingRows,
    failingRows: report.failingRows,
    failures: report.failures.map((g) => ({
      code: g.code,
      column: g.column,
      reason: g.reason,
      count: g.count,
      firstRows: g.firstRows,
    })),
    duplicates: { count: report.duplicates.count, firstRows: report.duplicates.firstRows },
  };
}

export function formatValidationJson(outcome: ValidationOutcome): string {
  return `${JSON.stringify(buildValidationJson(outcome), null, 2)}\n`;
}
