import type { CsvRecordView } from "./csv.js";
import { ENTRY_FIELDS, ENTRY_INTS, IDENTITY_FIELDS } from "./duplicate-table.js";

/**
 * Turns parsed rows into duplicate-table entries (duplicate-table.ts) without looking at their
 * bytes one by one: the parser's chunk text is copied once into a byte ring (a native latin1
 * write), and each row's entry only records where its identity fields lie in that ring. Fields
 * that are not in the chunk text (a quoted value with doubled quotes gets its own string) are
 * copied on their own, trimmed.
 *
 * The entries and the text go to a consumer that decides them in order, on this thread or on a
 * worker (duplicate-worker.ts). Before ring space is reused the feed waits until the consumer has
 * taken every entry that points into it.
 */

/** Column indexes of a recipient's identity (-1: not mapped). */
export interface RecipientColumns {
  readonly name: number;
  readonly line1: number;
  readonly line2: number;
  readonly city: number;
  readonly state: number;
  readonly zip: number;
}

export interface EntryConsumer {
  /** Entries before `written` (a count since the start) are complete: decide them. */
  publish(written: number): void;
  /** Publishes, then blocks until at least `target` entries are taken; returns how many are. */
  waitTaken(target: number, written: number): number;
}

export interface DuplicateFeed {
  add(record: CsvRecordView, rowNumber: number, line: number): void;
  /** Entries written so far. */
  written(): number;
}

// Entries handed to the consumer at a time.
const PUBLISH_EVERY = 256;

/** Strings this long or longer are copied whole (they are the parser's chunk text). */
const MIRROR_MIN = 4096;

function isAsciiSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

export function createDuplicateFeed(
  columns: RecipientColumns,
  entries: Int32Array,
  text: Uint8Array,
  consumer: EntryConsumer,
): DuplicateFeed {
  const ringEntries = entries.length / ENTRY_INTS;
  const ringBytes = text.length;
  // Larger strings are not copied whole, so that one row never needs more than the ring holds.
  const mirrorMax = ringBytes / 8;
  const textBuffer = Buffer.from(text.buffer, text.byteOffset, text.byteLength);
  const fields = [columns.name, columns.line1, columns.line2, columns.city, columns.state, columns.zip];
  // Counts since the start (numbers, not int32: they never wrap here).
  let written = 0;
  let taken = 0;
  let textHead = 0;
  // The string last copied whole, where its first byte is in the ring, its region, and whether
  // the row being added points into it.
  let mirrored: string | undefined;
  let mirroredAt = 0;
  let mirroredRegion = -1;
  let rowUsesMirror = false;
  // Regions of the ring in use, oldest first: absolute start, and the entry count to wait for
  // before it may be overwritten (Infinity for the mirrored string's, while it is current).
  let regionStart: number[] = [];
  let regionFreeAt: number[] = [];
  let regionHead = 0;

  /** Reserves `length` contiguous bytes and returns their ring offset. */
  function reserve(length: number): number {
    if (length > ringBytes / 2)
      throw new Error(`duplicate check: a ${length}-byte field does not fit its buffer`);
    let at = textHead % ringBytes;
    if (at + length > ringBytes) {
      textHead += ringBytes - at;
      at = 0;
    }
    // Writing [textHead, textHead + length) overwrites what was written ringBytes earlier.
    const limit = textHead + length - ringBytes;
    while (regionHead < regionStart.length && regionStart[regionHead]! < limit) {
      let freeAt = regionFreeAt[regionHead]!;
      if (regionHead === mirroredRegion) {
        // Later fields in the mirrored string must copy it again.
        if (rowUsesMirror) throw new Error("duplicate check: one row's fields overflow its buffer");
        mirrored = undefined;
        mirroredRegion = -1;
        freeAt = written;
      }
      if (freeAt > written) throw new Error("duplicate check: one row's fields overflow its buffer");
      if (taken < freeAt) taken = consumer.waitTaken(freeAt, written);
      regionHead++;
    }
    if (regionHead > 1024 && regionHead * 2 > regionStart.length) {
      regionStart = regionStart.slice(regionHead);
      regionFreeAt = regionFreeAt.slice(regionHead);
      if (mirroredRegion >= 0) mirroredRegion -= regionHead;
      regionHead = 0;
    }
    regionStart.push(textHead);
    regionFreeAt.push(written + 1);
    textHead += length;
    return at;
  }

  /** Copies the parser's chunk text `s` whole; the current row's entry will point into it. */
  function mirror(s: string): void {
    if (mirroredRegion >= 0) regionFreeAt[mirroredRegion] = rowUsesMirror ? written + 1 : written;
    mirrored = undefined;
    mirroredRegion = -1;
    rowUsesMirror = false;
    const at = reserve(s.length);
    textBuffer.write(s, at, s.length, "latin1");
    mirrored = s;
    mirroredAt = at;
    mirroredRegion = regionStart.length - 1;
    regionFreeAt[mirroredRegion] = Infinity;
  }

  return {
    add(record, rowNumber, line) {
      if (written - taken >= ringEntries) taken = consumer.waitTaken(written - ringEntries + 1, written);
      const p = (written % ringEntries) * ENTRY_INTS;
      entries[p] = rowNumber;
      entries[p + 1] = line;
      const { src, starts, ends, count } = record;
      for (let f = 0; f < IDENTITY_FIELDS; f++) {
        const index = fields[f]!;
        const q = p + ENTRY_FIELDS + 2 * f;
        if (index < 0 || index >= count) {
          entries[q] = 0;
          entries[q + 1] = 0;
          continue;
        }
        const s = src[index]!;
        let a = starts[index]!;
        let b = ends[index]!;
        if (s !== mirrored && s.length >= MIRROR_MIN && s.length <= mirrorMax) mirror(s);
        if (s === mirrored) {
          rowUsesMirror = true;
          entries[q] = mirroredAt + a;
          entries[q + 1] = mirroredAt + b;
          continue;
        }
        // A short string (a small file's chunk, an unescaped quoted value): copy the field alone,
        // trimmed (a row that passed Lob's rules has short identity fields once trimmed).
        while (a < b && isAsciiSpace(s.charCodeAt(a))) a++;
        while (b > a && isAsciiSpace(s.charCodeAt(b - 1))) b--;
        const at = reserve(b - a);
        for (let i = a; i < b; i++) text[at + i - a] = s.charCodeAt(i);
        entries[q] = at;
        entries[q + 1] = at + b - a;
      }
      written++;
      rowUsesMirror = false;
      if (written % PUBLISH_EVERY === 0) consumer.publish(written);
    },
    written: () => written,
  };
}
