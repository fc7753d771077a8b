import type { CsvRecordView } from "./csv.js";
import type { RecipientColumns } from "./rules.js";

/**
 * Bounded duplicate-recipient detection. Each recipient (name + address, case-folded, whitespace
 * collapsed, ZIP cut to 5 digits) becomes a 64-bit fingerprint stored in an open-addressing table
 * held as pairs in one Uint32Array. The table doubles as it fills but never beyond DUPLICATE_FINGERPRINT_CAP
 * distinct recipients (a table of at most 2^21 slots = 16 MiB); once full, later rows are no longer
 * checked and the report says how many rows were. A false match needs a 64-bit collision
 * (about 1e-7 at the cap).
 */

export const DUPLICATE_FINGERPRINT_CAP = 1_500_000;

const INITIAL_SLOTS = 1 << 16;

export type DuplicateVerdict = "unique" | "duplicate" | "unchecked";

export interface DuplicateDetector {
  observe(record: CsvRecordView): DuplicateVerdict;
  /** Rows observed before the table filled up. */
  readonly checkedRows: () => number;
}

// Running hash state; module-level so hashing a row allocates nothing.
let h1 = 0;
let h2 = 0;

function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

/**
 * Hashes one field given as latin1 text (UTF-8 bytes): case-folded (ASCII, and Latin-1 letters
 * U+00C0..U+00DE encoded C3 80..C3 9E), whitespace collapsed and trimmed. A ZIP keeps its first 5
 * digits.
 */
/** Latin1 char -> case-folded char, 0 for ASCII whitespace. */
const FOLD = new Uint8Array(256).map((_, c) => (isSpace(c) ? 0 : c >= 65 && c <= 90 ? c + 32 : c));

function hashField(s: string, a: number, b: number, zip: boolean): void {
  let x = h1;
  let y = h2;
  while (a < b && isSpace(s.charCodeAt(a))) a++;
  while (b > a && isSpace(s.charCodeAt(b - 1))) b--;
  if (zip && b - a >= 5) {
    let digits = true;
    for (let i = a; i < a + 5; i++) {
      const c = s.charCodeAt(i);
      if (c < 48 || c > 57) digits = false;
    }
    if (digits) b = a + 5;
  }
  let space = false;
  let prev = 0;
  for (let i = a; i < b; i++) {
    let c = FOLD[s.charCodeAt(i)]!;
    if (c === 0) {
      space = true;
      continue;
    }
    if (space) {
      x = Math.imul(x ^ 32, 0x01000193);
      y = Math.imul(y + 32, 0x5bd1e995);
      space = false;
    }
    // Latin-1 capitals U+00C0..U+00DE (but not U+00D7) are C3 80..C3 9E in UTF-8.
    if (c >= 0x80 && prev === 0xc3 && c <= 0x9e && c !== 0x97) c += 32;
    prev = c;
    x = Math.imul(x ^ c, 0x01000193);
    y = Math.imul(y + c, 0x5bd1e995);
  }
  h1 = Math.imul(x ^ 0x1f, 0x01000193);
  h2 = Math.imul((y ^ (y >>> 15)) + 0x1f, 0x5bd1e995);
}

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export function createDuplicateDetector(
  columns: RecipientColumns,
  cap: number = DUPLICATE_FINGERPRINT_CAP,
  /** A guess of the row count (e.g. from the file size) to size the table once instead of growing it. */
  expectedRows = 0,
): DuplicateDetector {
  const indexes = [columns.name, columns.line1, columns.line2, columns.city, columns.state];
  let slots = INITIAL_SLOTS;
  const wanted = Math.min(expectedRows, cap) * (4 / 3);
  while (slots < wanted) slots *= 2;
  // Both halves of a fingerprint side by side: one cache line per probe.
  let table = new Uint32Array(slots * 2);
  let size = 0;
  let checked = 0;
  let full = false;

  function insert(a: number, b: number, into: Uint32Array, mask: number): boolean {
    let i = (a ^ Math.imul(b, 0x9e3779b1)) & mask;
    for (;;) {
      const x = into[2 * i]!;
      const y = into[2 * i + 1]!;
      if (x === 0 && y === 0) {
        into[2 * i] = a;
        into[2 * i + 1] = b;
        return true;
      }
      if (x === a && y === b) return false;
      i = (i + 1) & mask;
    }
  }

  function grow(): void {
    const next = slots * 2;
    const bigger = new Uint32Array(next * 2);
    for (let i = 0; i < slots; i++) {
      const a = table[2 * i]!;
      const b = table[2 * i + 1]!;
      if (a !== 0 || b !== 0) insert(a, b, bigger, next - 1);
    }
    slots = next;
    table = bigger;
  }

  return {
    observe(record: CsvRecordView): DuplicateVerdict {
      if (full) return "unchecked";
      h1 = 0x811c9dc5;
      h2 = 0x2f8a3b1d;
      const { src, starts, ends, count } = record;
      for (let k = 0; k < indexes.length; k++) {
        const index = indexes[k]!;
        if (index >= 0 && index < count) hashField(src[index]!, starts[index]!, ends[index]!, false);
        else hashField("", 0, 0, false);
      }
      const zip = columns.zip;
      if (zip >= 0 && zip < count) hashField(src[zip]!, starts[zip]!, ends[zip]!, true);
      let a = fmix(h1);
      const b = fmix(h2 ^ a);
      if (a === 0 && b === 0) a = 1;
      if (size >= cap) {
        // Past the cap the report says how many rows were checked rather than guess.
        full = true;
        return "unchecked";
      }
      checked++;
      if (!insert(a, b, table, slots - 1)) return "duplicate";
      size++;
      // Linear probing stays short up to 3/4 full; the cap fits 2^21 slots (16 MiB).
      if (size * 4 > slots * 3) grow();
      return "unique";
    },
    checkedRows: () => checked,
  };
}
