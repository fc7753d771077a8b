import type { AudienceMapping } from "./types.js";

/**
 * Which cells of an audience's first row may be shown in messages and stored in caches.
 *
 * The first row is meant to be the header, but a file without one starts with a recipient, and a
 * broken file (a stray quote, a CR-only file read the wrong way) can put many recipients into
 * "the first row". So a cell is shown only when it is known to be a column name:
 * - it equals a column the manifest maps (the user wrote that name, so showing it reveals nothing);
 * - or the whole row looks like a header: every cell is a plausible header name (Lob's header
 *   characters, at most MAX_HEADER_NAME characters), at least half of the mapped columns are in
 *   it, and it has as many cells as the first data row. A recipient row does not hold half of the
 *   mapped column names by accident, and a header merged with the next row (a lost line break)
 *   has more cells than the rows below it.
 */
export interface KnownHeader {
  /** True when the whole first row is taken as a header (every cell may be shown). */
  readonly trusted: boolean;
  /** The first row's cells that may be shown, in file order. */
  readonly names: readonly string[];
  /** Cells in the first row. */
  readonly cells: number;
}

/** Longer than any real column name; a longer "name" is data, or a broken file. */
export const MAX_HEADER_NAME = 128;
const PLAUSIBLE_HEADER_NAME = /^[A-Za-z0-9_\-(). ]+$/;

export function mappedColumnNames(mapping: AudienceMapping): string[] {
  const names: (string | null | undefined)[] = [
    ...Object.values(mapping.requiredAddressColumnMapping ?? {}),
    ...Object.values(mapping.optionalAddressColumnMapping ?? {}),
    ...Object.values(mapping.mergeVariableColumnMapping ?? {}),
    ...(mapping.metadata?.columns ?? []),
  ];
  return [...new Set(names.filter((n): n is string => typeof n === "string"))];
}

/** `firstDataCells`: cells in the first data row, undefined when the file has none. */
export function knownHeaderNames(
  firstRow: readonly string[],
  mapping: AudienceMapping,
  firstDataCells: number | undefined,
): KnownHeader {
  const mapped = new Set(mappedColumnNames(mapping));
  const present = new Set(firstRow.filter((cell) => mapped.has(cell)));
  const plausible = firstRow.every(
    (cell) => cell.length <= MAX_HEADER_NAME && PLAUSIBLE_HEADER_NAME.test(cell),
  );
  const trusted =
    plausible &&
    mapped.size > 0 &&
    present.size * 2 >= mapped.size &&
    (firstDataCells === undefined || firstDataCells === firstRow.length);
  return {
    trusted,
    names: trusted ? [...firstRow] : firstRow.filter((cell) => mapped.has(cell)),
    cells: firstRow.length,
  };
}
