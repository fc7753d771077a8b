import { csvFields, readFileChunks, scanAudience } from "../audience/index.js";
import type { AudienceMapping, RowFailure } from "../audience/types.js";
import type { Diagnostic } from "../core/diagnostics.js";
import { CampaignctlError } from "../core/errors.js";

/**
 * Picks the audience rows a proof run renders and reads only their cells. Rows are numbered as
 * everywhere else (data rows, 1-based, header not counted). "Valid" means the row passes
 * preflight's rules (Lob would mail it).
 */
export type RowChoice = { readonly rows: readonly number[] } | { readonly sample: number };

export interface ChosenRow {
  readonly rowNumber: number;
  /** Personal data: never printed. */
  readonly fields: readonly string[];
  /** Why Lob would skip the row (only for rows asked for by number). */
  readonly failures: readonly RowFailure[];
}

export interface ChosenRows {
  readonly header: readonly string[];
  readonly rows: readonly ChosenRow[];
  readonly totalRows: number;
  readonly validRows: number;
  /** Rows asked for by number that the file does not have. */
  readonly absent: readonly number[];
  readonly structural: readonly Diagnostic[];
}

/** `count` row numbers spread evenly over `valid` (first and last included), in order. */
export function spreadSample(valid: readonly number[], count: number): number[] {
  if (count >= valid.length) return [...valid];
  if (count === 1) return [valid[0]!];
  const picked = new Set<number>();
  for (let i = 0; i < count; i++) picked.add(valid[Math.round((i * (valid.length - 1)) / (count - 1))]!);
  return [...picked];
}

async function scan(
  file: string,
  mapping: AudienceMapping,
  displayFile: string,
  onRow: (rowNumber: number, failures: readonly RowFailure[], fields: () => string[]) => void,
) {
  let header: readonly string[] = [];
  const result = await scanAudience(
    readFileChunks(file),
    mapping,
    (row) => onRow(row.rowNumber, row.failures, () => csvFields(row.record)),
    { displayFile, header: (h) => (header = h) },
  );
  return { ...result, header };
}

export async function chooseRows(
  file: string,
  mapping: AudienceMapping,
  choice: RowChoice,
  displayFile: string,
): Promise<ChosenRows> {
  if ("rows" in choice) {
    const wanted = new Set(choice.rows);
    const rows: ChosenRow[] = [];
    const result = await scan(file, mapping, displayFile, (rowNumber, failures, fields) => {
      if (wanted.has(rowNumber)) rows.push({ rowNumber, fields: fields(), failures });
    });
    const order = new Map(choice.rows.map((n, i) => [n, i]));
    rows.sort((a, b) => order.get(a.rowNumber)! - order.get(b.rowNumber)!);
    const absent = choice.rows.filter((n) => n < 1 || n > result.totalRows);
    return { ...result, rows, absent, structural: result.structural };
  }
  // Two passes: the first finds the valid rows (numbers only), the second reads the chosen ones.
  const valid: number[] = [];
  const first = await scan(file, mapping, displayFile, (rowNumber, failures) => {
    if (failures.length === 0) valid.push(rowNumber);
  });
  if (first.structural.length > 0) return { ...first, rows: [], absent: [] };
  const picked = new Set(spreadSample(valid, choice.sample));
  const rows: ChosenRow[] = [];
  await scan(file, mapping, displayFile, (rowNumber, failures, fields) => {
    if (picked.has(rowNumber)) rows.push({ rowNumber, fields: fields(), failures });
  });
  return { ...first, rows, absent: [] };
}

/**
 * chooseRows for one campaign's proofs, whichever renderer: a file CSV cannot read (an unclosed
 * quote, say) or a row number past its end stops the run with the first problem, before anything
 * is rendered or sent.
 */
export async function chooseProofRows(
  key: string,
  file: string,
  mapping: AudienceMapping,
  choice: RowChoice,
  displayFile: string,
): Promise<ChosenRows> {
  const chosen = await chooseRows(file, mapping, choice, displayFile);
  if (chosen.structural.length > 0) {
    const first = chosen.structural[0]!;
    throw new CampaignctlError({
      code: "AUDIENCE_INVALID",
      message: `${first.file}:${first.line}:${first.col}: ${first.message}`,
      hint: `${first.hint ?? ""} (campaignctl validate lists every problem)`.trim(),
    });
  }
  if (chosen.absent.length > 0) {
    throw new CampaignctlError({
      code: "USAGE",
      message: `${key}: the audience ${displayFile} has ${chosen.totalRows} rows; no row ${chosen.absent.join(", ")}`,
      hint: `rows are numbered 1 to ${chosen.totalRows} (data rows, header not counted)`,
    });
  }
  return chosen;
}
