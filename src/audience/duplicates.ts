/**
 * Bounded duplicate-recipient detection. Each recipient (name + address, case-folded, whitespace
 * collapsed, ZIP cut to 5 digits) becomes a 64-bit fingerprint stored in an open-addressing table
 * of two Uint32Arrays. The table doubles as it fills but never beyond DUPLICATE_FINGERPRINT_CAP
 * distinct recipients (table of 2^22 slots = 32 MiB); once full, later rows are no longer
 * checked and the report says how many rows were. A false match needs a 64-bit collision
 * (about 1e-7 at the cap).
 */

export const DUPLICATE_FINGERPRINT_CAP = 2_000_000;

const INITIAL_SLOTS = 1 << 16;

export type DuplicateVerdict = "unique" | "duplicate" | "unchecked";

export interface RecipientColumns {
  readonly name: number;
  readonly line1: number;
  readonly line2: number;
  readonly city: number;
  readonly state: number;
  readonly zip: number;
}

export interface DuplicateDetector {
  observe(fields: readonly string[]): DuplicateVerdict;
  /** Rows observed before the table filled up. */
  readonly checkedRows: () => number;
}

// Running hash state; module-level to avoid allocating per row.
let h1 = 0;
let h2 = 0;

function mix(c: number): void {
  h1 = Math.imul(h1 ^ c, 0x01000193);
  h2 = Math.imul(h2 ^ c, 0x5bd1e995);
  h2 ^= h2 >>> 15;
}

function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13) || c === 0xa0;
}

function hashField(s: string, zip: boolean): void {
  let end = s.length;
  if (zip) {
    const t = s.trim();
    if (t.length >= 5 && /^\d{5}/.test(t)) {
      for (let i = 0; i < 5; i++) mix(t.charCodeAt(i));
      mix(0x1f);
      return;
    }
    s = t;
    end = s.length;
  }
  let started = false;
  let space = false;
  for (let i = 0; i < end; i++) {
    let c = s.charCodeAt(i);
    if (isSpace(c)) {
      space = started;
      continue;
    }
    if (space) {
      mix(32);
      space = false;
    }
    started = true;
    if (c >= 65 && c <= 90) c += 32;
    else if (c >= 0x80) c = String.fromCharCode(c).toLowerCase().charCodeAt(0);
    mix(c);
  }
  mix(0x1f);
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
): DuplicateDetector {
  const indexes = [columns.name, columns.line1, columns.line2, columns.city, columns.state];
  let slots = INITIAL_SLOTS;
  let hi = new Uint32Array(slots);
  let lo = new Uint32Array(slots);
  let size = 0;
  let checked = 0;
  let full = false;

  function insert(a: number, b: number, tableHi: Uint32Array, tableLo: Uint32Array, mask: number): boolean {
    let i = (a ^ Math.imul(b, 0x9e3779b1)) & mask;
    for (;;) {
      const x = tableHi[i]!;
      const y = tableLo[i]!;
      if (x === 0 && y === 0) {
        tableHi[i] = a;
        tableLo[i] = b;
        return true;
      }
      if (x === a && y === b) return false;
      i = (i + 1) & mask;
    }
  }

  function grow(): void {
    const next = slots * 2;
    const nextHi = new Uint32Array(next);
    const nextLo = new Uint32Array(next);
    for (let i = 0; i < slots; i++) {
      const a = hi[i]!;
      const b = lo[i]!;
      if (a !== 0 || b !== 0) insert(a, b, nextHi, nextLo, next - 1);
    }
    slots = next;
    hi = nextHi;
    lo = nextLo;
  }

  return {
    observe(fields: readonly string[]): DuplicateVerdict {
      if (full) return "unchecked";
      h1 = 0x811c9dc5;
      h2 = 0x2f8a3b1d;
      for (const index of indexes) {
        if (index >= 0) hashField(fields[index] ?? "", false);
        else mix(0x1e);
      }
      if (columns.zip >= 0) hashField(fields[columns.zip] ?? "", true);
      let a = fmix(h1);
      const b = fmix(h2 ^ a);
      if (a === 0 && b === 0) a = 1;
      if (size >= cap) {
        // Past the cap the report says how many rows were checked rather than guess.
        full = true;
        return "unchecked";
      }
      checked++;
      if (!insert(a, b, hi, lo, slots - 1)) return "duplicate";
      size++;
      if (size * 2 > slots) grow();
      return "unique";
    },
    checkedRows: () => checked,
  };
}
