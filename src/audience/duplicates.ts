import type { CsvRecordView } from "./csv.js";
import { createDuplicateFeed } from "./duplicate-feed.js";
import type { EntryConsumer, RecipientColumns } from "./duplicate-feed.js";
import { ENTRY_INTS, createDuplicateTable } from "./duplicate-table.js";
import type { DuplicateTable, DuplicateTally } from "./duplicate-table.js";

/**
 * Bounded duplicate-recipient detection. Each recipient (name + address, case-folded, whitespace
 * collapsed, ZIP cut to 5 digits) becomes a 64-bit fingerprint kept in a table of at most
 * DUPLICATE_FINGERPRINT_CAP distinct recipients (duplicate-table.ts, at most 16 MiB); once it is
 * full, later rows are no longer checked and the report says how many were. A false match needs a
 * 64-bit collision (about 1e-7 at the cap).
 *
 * Preflight uses a DuplicateCheck: rows go in as they are parsed (duplicate-feed.ts) and the tally
 * comes out at the end, so rows can be decided in batches, here or on a worker thread
 * (duplicate-worker.ts), with the same verdicts either way.
 */

export type { RecipientColumns } from "./duplicate-feed.js";
export type { DuplicateTally } from "./duplicate-table.js";

export const DUPLICATE_FINGERPRINT_CAP = 1_500_000;

export type DuplicateVerdict = "unique" | "duplicate" | "unchecked";

/** Duplicate detection for a whole pass: rows in, in order; the tally once they are all in. */
export interface DuplicateCheck {
  /** A row that passed Lob's rules; the record view is read before this returns. */
  add(record: CsvRecordView, rowNumber: number, line: number): void;
  finish(): Promise<DuplicateTally>;
  /** Frees what the check holds when the pass ends without finish() (an I/O error). */
  abort(): void;
}

export interface DuplicateCheckOptions {
  readonly cap?: number;
  /** A guess of the row count, to size the table once. */
  readonly expectedRows?: number;
  /** Duplicate row numbers kept for the report. */
  readonly maxRows: number;
  /** Ring sizes (entries, text bytes); tests make them small to exercise reuse. */
  readonly ringEntries?: number;
  readonly ringBytes?: number;
}

// On this thread the rings only need to hold one batch of rows and their text.
const LOCAL_RING_ENTRIES = 512;
const LOCAL_RING_BYTES = 4 * 1024 * 1024;

/** A consumer that decides entries on this thread as soon as they are published. */
function localConsumer(
  table: DuplicateTable,
  entries: Int32Array,
  text: Uint8Array,
  verdicts?: Uint8Array,
): EntryConsumer & { taken(): number } {
  const ring = entries.length / ENTRY_INTS;
  let taken = 0;
  const consumer = {
    publish(written: number): void {
      while (taken < written) {
        const first = taken % ring;
        const run = Math.min(written - taken, ring - first);
        table.take(entries, text, first, run, verdicts);
        taken += run;
      }
    },
    waitTaken(_target: number, written: number): number {
      consumer.publish(written);
      return taken;
    },
    taken: () => taken,
  };
  return consumer;
}

/** A DuplicateCheck on this thread. */
export function createDuplicateCheck(
  columns: RecipientColumns,
  options: DuplicateCheckOptions,
): DuplicateCheck {
  const table = createDuplicateTable(
    options.cap ?? DUPLICATE_FINGERPRINT_CAP,
    options.expectedRows ?? 0,
    options.maxRows,
  );
  const entries = new Int32Array((options.ringEntries ?? LOCAL_RING_ENTRIES) * ENTRY_INTS);
  const text = new Uint8Array(options.ringBytes ?? LOCAL_RING_BYTES);
  const consumer = localConsumer(table, entries, text);
  const feed = createDuplicateFeed(columns, entries, text, consumer);
  return {
    add: feed.add,
    finish() {
      consumer.publish(feed.written());
      return Promise.resolve(table.tally());
    },
    abort() {},
  };
}

export interface DuplicateDetector {
  observe(record: CsvRecordView): DuplicateVerdict;
  /** Rows observed before the table filled up. */
  readonly checkedRows: () => number;
}

/** Row-at-a-time detection, with each row's verdict at once (tests, tools). */
export function createDuplicateDetector(
  columns: RecipientColumns,
  cap: number = DUPLICATE_FINGERPRINT_CAP,
  /** A guess of the row count (e.g. from the file size) to size the table once instead of growing it. */
  expectedRows = 0,
): DuplicateDetector {
  const table = createDuplicateTable(cap, expectedRows, 0);
  const entries = new Int32Array(LOCAL_RING_ENTRIES * ENTRY_INTS);
  const text = new Uint8Array(64 * 1024);
  const verdict = new Uint8Array(1);
  const consumer = localConsumer(table, entries, text, verdict);
  const feed = createDuplicateFeed(columns, entries, text, consumer);
  const names: readonly DuplicateVerdict[] = ["unique", "duplicate", "unchecked"];
  return {
    observe(record) {
      feed.add(record, 0, 0);
      consumer.publish(feed.written());
      return names[verdict[0]!]!;
    },
    checkedRows: () => table.tally().checkedRows,
  };
}
