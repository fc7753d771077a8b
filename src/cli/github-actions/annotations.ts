import type { Diagnostic } from "../../core/diagnostics.js";
import type { Plan } from "../../plan/types.js";

/**
 * GitHub workflow-command annotations (`::error file=…,line=…,col=…::message`). They hold only
 * what diagnostics and plans already hold: file names, line numbers, codes, column names and rule
 * text, never an audience cell (diagnostics never carry one) nor the key.
 */
export interface Annotation {
  readonly level: "error" | "warning";
  readonly title: string;
  readonly message: string;
  readonly file?: string;
  /** 1-based; absent or 0 when the annotation concerns the whole file. */
  readonly line?: number;
  readonly col?: number;
}

/**
 * GitHub shows at most 10 annotations of each level per step: a few individually, then one that
 * counts the rest by title, so the last slot is never lost to the eleventh of a kind.
 */
export const INDIVIDUAL_ANNOTATIONS = 5;

/** Message data: GitHub's rule is %, CR and LF (so a message stays one command line). */
export function escapeData(text: string): string {
  return text.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

/** Property values additionally escape `:` and `,`, which separate the properties. */
export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, "%3A").replace(/,/g, "%2C");
}

export function formatAnnotation(a: Annotation): string {
  const props: string[] = [];
  if (a.file) props.push(`file=${escapeProperty(a.file)}`);
  if (a.file && a.line !== undefined && a.line > 0) {
    props.push(`line=${a.line}`);
    if (a.col !== undefined && a.col > 0) props.push(`col=${a.col}`);
  }
  props.push(`title=${escapeProperty(a.title)}`);
  return `::${a.level} ${props.join(",")}::${escapeData(a.message)}`;
}

/** The workflow-command lines for a list of annotations, grouped per level (see INDIVIDUAL_ANNOTATIONS). */
export function groupedAnnotationLines(
  annotations: readonly Annotation[],
  individually: number = INDIVIDUAL_ANNOTATIONS,
): string[] {
  const lines: string[] = [];
  for (const level of ["error", "warning"] as const) {
    const all = annotations.filter((a) => a.level === level);
    lines.push(...all.slice(0, individually).map(formatAnnotation));
    const rest = all.slice(individually);
    if (rest.length === 0) continue;
    const byTitle = new Map<string, number>();
    for (const a of rest) byTitle.set(a.title, (byTitle.get(a.title) ?? 0) + 1);
    const counts = [...byTitle].map(([title, n]) => `${title} ×${n}`).join(", ");
    lines.push(
      formatAnnotation({
        level,
        title: `campaignctl: ${rest.length} more ${level}${rest.length === 1 ? "" : "s"}`,
        message: `${counts}. Every one is in the log above and in the job summary.`,
      }),
    );
  }
  return lines;
}

export function diagnosticAnnotations(diagnostics: readonly Diagnostic[]): Annotation[] {
  return diagnostics.map((d) => ({
    level: d.severity,
    title: d.code,
    message: `${d.path ? `${d.path}: ` : ""}${d.message}${d.hint ? `\nhint: ${d.hint}` : ""}`,
    file: d.file,
    line: d.line,
    col: d.col,
  }));
}

/** Blocked actions are errors on the campaign's manifest; rows Lob will skip are warnings on the CSV. */
export function planAnnotations(plan: Plan): Annotation[] {
  const out: Annotation[] = [];
  for (const campaign of plan.campaigns) {
    const where = parseSource(campaign.source);
    for (const action of campaign.actions) {
      if (action.kind !== "blocked") continue;
      out.push({
        level: "error",
        title: `campaignctl: ${campaign.key} blocked`,
        message: `${action.reason}\nhint: ${action.hint}`,
        ...where,
      });
    }
    for (const skip of campaign.audienceSkips ?? []) {
      out.push({
        level: "warning",
        title: "ROWS_FAILING",
        message: `${campaign.key}: ${skip.count} row${skip.count === 1 ? "" : "s"} will be skipped by Lob: ${skip.rule}`,
        file: skip.file,
        ...(skip.line > 0 ? { line: skip.line, col: 1 } : {}),
      });
    }
  }
  return out;
}

/** `file:line:col` (or `file:line`) of a manifest document; a phrase such as `state` has no place. */
function parseSource(source: string): Pick<Annotation, "file" | "line" | "col"> {
  const match = /^(.+?):(\d+)(?::(\d+))?$/.exec(source);
  if (!match) return {};
  return {
    file: match[1]!,
    line: Number(match[2]),
    ...(match[3] !== undefined ? { col: Number(match[3]) } : {}),
  };
}
