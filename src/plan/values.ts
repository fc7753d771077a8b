/** Small pure helpers for comparing manifest values with what Lob returns. */

import { isPlainObject } from "../core/objects.js";

/** Deep equality for JSON-like values; numeric strings equal their numbers (Lob accepts both). */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined) return normalizeEmpty(a) === normalizeEmpty(b);
  if (typeof a === "number" && typeof b === "string") return b.trim() !== "" && Number(b) === a;
  if (typeof a === "string" && typeof b === "number") return sameValue(b, a);
  if (typeof a === "string" && typeof b === "string") return sameInstant(a, b);
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, i) => sameValue(item, b[i]));
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const key of keys) if (!sameValue(a[key], b[key])) return false;
    return true;
  }
  return false;
}

/** `undefined` and `null` both mean "not set" when comparing with Lob's echo. */
function normalizeEmpty(value: unknown): unknown {
  return value === undefined ? null : value;
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

/** Lob echoes timestamps with milliseconds; `2026-05-01T10:00:00Z` equals `2026-05-01T10:00:00.000Z`. */
function sameInstant(a: string, b: string): boolean {
  if (!ISO_INSTANT.test(a) || !ISO_INSTANT.test(b)) return false;
  return Date.parse(a) === Date.parse(b);
}

/** True when every key set in `wanted` has the same value in `actual` (Lob may add fields). */
export function isSubsetOf(wanted: unknown, actual: unknown): boolean {
  if (isPlainObject(wanted) && isPlainObject(actual)) {
    return Object.entries(wanted).every(([key, value]) =>
      value === undefined ? true : isSubsetOf(value, actual[key]),
    );
  }
  return sameValue(wanted, actual);
}

export function addMinutes(iso: string, minutes: number): string {
  return new Date(Date.parse(iso) + minutes * 60_000).toISOString();
}
