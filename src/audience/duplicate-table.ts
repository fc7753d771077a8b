/**
 * The bounded table behind duplicate detection: each recipient's identity becomes a 64-bit
 * fingerprint, kept in a table of at most `cap` distinct ones; plus the tally the report needs.
 *
 * Input is a batch of entries (ENTRY_INTS int32s each: row number, line, then the byte range of
 * each identity field in `text`, ZIP last) and `text`, a byte buffer holding those fields as UTF-8.
 * The identity is compared as a person would compare recipients: ASCII whitespace trimmed and runs
 * of it collapsed to one space, ASCII and Latin-1 capitals (U+00C0..U+00DE except U+00D7) folded to
 * lower case, a ZIP cut to its first 5 digits. Each field's normalised bytes are hashed in one pass
 * (two multiplicative lanes), then its length, so field boundaries cannot shift; a false match
 * needs a 64-bit collision (about 1e-7 at the default cap).
 *
 * The table is open addressing with linear probing over pairs in one Int32Array (8 bytes a slot,
 * both halves in one cache line). It is sized once from a guess of the row count, doubles while it
 * fills, and holds at most `cap` fingerprints (2^21 slots = 16 MiB at the default cap); from the
 * first entry that finds it full on, entries are "unchecked" and the tally says how many were
 * checked. A batch is fingerprinted first, then a pass touches every home slot so the cache misses
 * overlap instead of coming one after another, then entries are inserted in order.
 *
 * createDuplicateTable must stay self-contained (no imports, no outer variables): the worker
 * thread of duplicate-worker.ts runs its source text.
 */

/** Int32s per entry: row number, line, six [start, end) byte ranges, two spare. */
export const ENTRY_INTS = 16;
/** Offset of the first field range in an entry; fields are name, line1, line2, city, state, ZIP. */
export const ENTRY_FIELDS = 2;
export const IDENTITY_FIELDS = 6;

export interface DuplicateTally {
  /** Entries that repeat an earlier fingerprint. */
  readonly count: number;
  /** The first `maxRows` of those entries' row numbers, in order. */
  readonly firstRows: number[];
  /** Line of the first duplicate entry, 0 if none. */
  readonly firstLine: number;
  /** Entries taken before the table was full. */
  readonly checkedRows: number;
}

export interface DuplicateTable {
  /**
   * Decides entries `first .. first + n - 1` of `entries`, in order. With `verdicts`, writes each
   * entry's verdict there: 0 unique, 1 duplicate, 2 unchecked.
   */
  take(entries: Int32Array, text: Uint8Array, first: number, n: number, verdicts?: Uint8Array): void;
  tally(): DuplicateTally;
}

export function createDuplicateTable(cap: number, expectedRows: number, maxRows: number): DuplicateTable {
  const STRIDE = 16; // ENTRY_INTS, repeated here: this function may use nothing from outside.
  // Small to start (8 KiB), so a small audience costs little; sized from expectedRows otherwise.
  let slots = 1 << 10;
  const wanted = Math.min(expectedRows, cap) * (4 / 3);
  while (slots < wanted) slots *= 2;
  let table = new Int32Array(slots * 2);
  let mask = slots - 1;
  let size = 0;
  let checked = 0;
  let full = false;
  let count = 0;
  let firstLine = 0;
  const firstRows: number[] = [];
  const keys = new Int32Array(512);
  // Where the touch pass's loads go, so they cannot be optimised away.
  let sink = 0;

  // Byte -> ASCII-folded byte; 0 for ASCII whitespace (NUL never gets here: the parser refuses it).
  const FOLD = new Uint8Array(256);
  for (let c = 0; c < 256; c++)
    FOLD[c] = c === 32 || (c >= 9 && c <= 13) ? 0 : c >= 65 && c <= 90 ? c + 32 : c;

  function fmix(h: number): number {
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
    return h | 0;
  }

  /** Fingerprint of the entry at `p` into keys[2k], keys[2k + 1] (never both 0). */
  function fingerprint(entries: Int32Array, p: number, text: Uint8Array, k: number): void {
    let x = 0x811c9dc5;
    let y = 0x2f8a3b1d;
    for (let f = 0; f < 6; f++) {
      let a = entries[p + 2 + 2 * f]!;
      let b = entries[p + 3 + 2 * f]!;
      while (a < b && FOLD[text[a]!] === 0) a++;
      while (b > a && FOLD[text[b - 1]!] === 0) b--;
      if (f === 5 && b - a >= 5) {
        let digits = true;
        for (let i = a; i < a + 5; i++) if (text[i]! < 48 || text[i]! > 57) digits = false;
        if (digits) b = a + 5;
      }
      let prev = 0;
      let length = 0;
      let i = a;
      while (i < b) {
        let c = FOLD[text[i]!]!;
        if (c === 0) {
          // A run of whitespace is one space; the field is trimmed, so a non-space follows.
          do i++;
          while (FOLD[text[i]!] === 0);
          c = 32;
        } else {
          i++;
          // Latin-1 capitals U+00C0..U+00DE (not U+00D7) are C3 80..C3 9E in UTF-8.
          if (c >= 0x80 && prev === 0xc3 && c <= 0x9e && c !== 0x97) c += 32;
          prev = c;
        }
        x = Math.imul(x ^ c, 0x01000193);
        y = Math.imul(y + c, 0x5bd1e995);
        length++;
      }
      x = Math.imul(x ^ (length + 0x1f00), 0x01000193);
      y = Math.imul((y ^ (y >>> 15)) + length, 0x5bd1e995);
    }
    let hi = fmix(x);
    const lo = fmix(y ^ hi);
    if (hi === 0 && lo === 0) hi = 1;
    keys[2 * k] = hi;
    keys[2 * k + 1] = lo;
  }

  function insert(into: Int32Array, intoMask: number, hi: number, lo: number): boolean {
    let i = lo & intoMask;
    for (;;) {
      const x = into[2 * i]!;
      const y = into[2 * i + 1]!;
      if (x === 0 && y === 0) {
        into[2 * i] = hi;
        into[2 * i + 1] = lo;
        return true;
      }
      if (x === hi && y === lo) return false;
      i = (i + 1) & intoMask;
    }
  }

  function grow(): void {
    const next = slots * 2;
    const bigger = new Int32Array(next * 2);
    for (let i = 0; i < slots; i++) {
      const x = table[2 * i]!;
      const y = table[2 * i + 1]!;
      if (x !== 0 || y !== 0) insert(bigger, next - 1, x, y);
    }
    slots = next;
    mask = next - 1;
    table = bigger;
  }

  return {
    take(entries, text, first, n, verdicts) {
      for (let done = 0; done < n; done += 256) {
        const m = Math.min(256, n - done);
        for (let k = 0; k < m; k++) fingerprint(entries, (first + done + k) * STRIDE, text, k);
        // Touch pass: independent loads, so the CPU keeps several cache misses in flight.
        for (let k = 0; k < m; k++) sink ^= table[2 * (keys[2 * k + 1]! & mask)]!;
        for (let k = 0; k < m; k++) {
          const v = done + k;
          if (!full && size >= cap) full = true;
          if (full) {
            if (verdicts !== undefined) verdicts[v] = 2;
            continue;
          }
          checked++;
          if (insert(table, mask, keys[2 * k]!, keys[2 * k + 1]!)) {
            size++;
            // Linear probing stays short up to 3/4 full.
            if (size * 4 > slots * 3) grow();
            if (verdicts !== undefined) verdicts[v] = 0;
          } else {
            const p = (first + v) * STRIDE;
            count++;
            if (firstRows.length < maxRows) firstRows.push(entries[p]!);
            if (firstLine === 0) firstLine = entries[p + 1]!;
            if (verdicts !== undefined) verdicts[v] = 1;
          }
        }
      }
    },
    tally: () => ({
      count,
      firstRows: [...firstRows],
      firstLine: firstLine | (sink & 0),
      checkedRows: checked,
    }),
  };
}
