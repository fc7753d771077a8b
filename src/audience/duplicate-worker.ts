import { setFlagsFromString } from "node:v8";
import { Worker } from "node:worker_threads";
import type * as WorkerThreads from "node:worker_threads";
import { createDuplicateFeed } from "./duplicate-feed.js";
import type { EntryConsumer, RecipientColumns } from "./duplicate-feed.js";
import { ENTRY_INTS, createDuplicateTable } from "./duplicate-table.js";
import type { DuplicateTally } from "./duplicate-table.js";
import { DUPLICATE_FINGERPRINT_CAP } from "./duplicates.js";
import type { DuplicateCheck, DuplicateCheckOptions } from "./duplicates.js";

/**
 * Duplicate detection on the second core. The parsing thread only copies chunk text and writes
 * entries (duplicate-feed.ts) into rings in SharedArrayBuffers; a worker thread fingerprints the
 * rows, does the table lookups (the cache misses) and keeps the tally, taking entries in order, so
 * the verdicts are those of createDuplicateCheck.
 *
 * Starting a worker costs a few milliseconds of this thread and some more of the other, so
 * preflight uses it only for large files. The worker runs the source text of createDuplicateTable
 * and of workerMain below, so it needs no file of its own and works the same from dist/ and from
 * the TypeScript sources under test.
 */

// Entries (64 bytes each) the parser may run ahead of the worker: 512 KiB.
const RING_ENTRIES = 1 << 13;
// Chunk text in flight: 4 MiB, so a chunk (120 KiB read, up to 512 KiB with a long record) is copied whole.
const RING_BYTES = 4 * 1024 * 1024;

// Control words, shared with workerMain (which repeats them as literals).
const WRITTEN = 0;
const TAKEN = 1;
const DONE = 2;
const SIGNAL = 3;
const FAILED = 4;
const WORKER_SLEEPS = 5;
const PARSER_WAITS = 6;
// A sleeping worker is woken once this many entries wait for it: fewer wake-ups, fewer switches.
const WAKE_EVERY = 2048;

export function createWorkerDuplicateCheck(
  columns: RecipientColumns,
  options: DuplicateCheckOptions,
): DuplicateCheck {
  const control = new Int32Array(new SharedArrayBuffer(8 * 4));
  const ringEntries = options.ringEntries ?? RING_ENTRIES;
  const entries = new Int32Array(new SharedArrayBuffer(ringEntries * ENTRY_INTS * 4));
  const text = new Uint8Array(new SharedArrayBuffer(options.ringBytes ?? RING_BYTES));
  const source =
    `"use strict";\nconst createDuplicateTable = ${createDuplicateTable.toString()};\n` +
    `(${workerMain.toString()})(require("node:worker_threads"), createDuplicateTable);\n`;
  const worker = new Worker(source, {
    eval: true,
    workerData: {
      control,
      entries,
      text,
      cap: options.cap ?? DUPLICATE_FINGERPRINT_CAP,
      expectedRows: options.expectedRows ?? 0,
      maxRows: options.maxRows,
    },
    // The table and rings live outside the heap; the worker's own heap stays tiny.
    resourceLimits: { maxYoungGenerationSizeMb: 2, maxOldGenerationSizeMb: 16 },
  });
  const result = new Promise<DuplicateTally>((resolve, reject) => {
    worker.once("message", (tally: DuplicateTally) => resolve(tally));
    worker.once("error", reject);
    worker.once("exit", (code) => reject(new Error(`the duplicate-check worker exited (${code})`)));
  });
  // Awaited in finish(); a failure before then also shows in the FAILED word.
  result.catch(() => undefined);
  let releaseHeap = (): void => undefined;
  worker.once("online", () => {
    releaseHeap = holdYoungGeneration();
  });

  let notified = 0;
  /**
   * Publishes `written` and wakes the worker if it sleeps and enough waits for it (or `force`).
   * The worker sets WORKER_SLEEPS, then reads WRITTEN and DONE once more before sleeping, and this
   * side stores them before reading WORKER_SLEEPS: either side sees the other, so no wake-up is lost.
   */
  function signal(written: number, force: boolean): void {
    Atomics.store(control, WRITTEN, written | 0);
    if ((force || written - notified >= WAKE_EVERY) && Atomics.load(control, WORKER_SLEEPS) === 1) {
      notified = written;
      Atomics.add(control, SIGNAL, 1);
      Atomics.notify(control, SIGNAL);
    }
  }
  const consumer: EntryConsumer = {
    publish(written) {
      // Counts cross as int32 and are only ever compared as differences.
      signal(written, false);
    },
    waitTaken(target, written) {
      signal(written, true);
      for (let stalled = 0; ;) {
        const seen = Atomics.load(control, TAKEN);
        // `written` is at most ringEntries ahead of the worker, so the int32 difference is exact.
        const taken = written - ((written - seen) | 0);
        if (taken >= target) return taken;
        if (Atomics.load(control, FAILED) !== 0) throw new Error("the duplicate-check worker failed");
        // A worker that died without a word (killed) would otherwise block this thread forever.
        if (++stalled > 120) throw new Error("the duplicate-check worker stopped taking rows");
        Atomics.store(control, PARSER_WAITS, 1);
        Atomics.wait(control, TAKEN, seen, 500);
        Atomics.store(control, PARSER_WAITS, 0);
      }
    },
  };
  const feed = createDuplicateFeed(columns, entries, text, consumer);

  return {
    add: feed.add,
    async finish(): Promise<DuplicateTally> {
      // The final count first: a worker that sees DONE must also see every entry.
      Atomics.store(control, WRITTEN, feed.written() | 0);
      Atomics.store(control, DONE, 1);
      signal(feed.written(), true);
      try {
        return await result;
      } finally {
        releaseHeap();
        void worker.terminate();
      }
    },
    abort(): void {
      releaseHeap();
      void worker.terminate();
    },
  };
}

/**
 * Keeps this thread's young generation at its current size until the returned function is called.
 *
 * V8 doubles the young generation each time the bytes surviving scavenges add up to its size. A
 * pass over a large CSV keeps one chunk of text alive at every scavenge, so over a long file the
 * young generation reaches its maximum and peak RSS grows with the row count (validate: 109 MB at
 * 1M rows, 126-139 MB at 10M). A growth factor of 1 keeps it flat at no CPU cost (the chunks die
 * young anyway). The flag is read at each resize, so it works when set at run time, but a worker's
 * start resets V8's flags: hence it is set once the worker is online, and restored to V8's default.
 */
function holdYoungGeneration(): () => void {
  setFlagsFromString("--semi-space-growth-factor=1");
  let held = true;
  return () => {
    if (held) setFlagsFromString("--semi-space-growth-factor=2");
    held = false;
  };
}

/**
 * The worker's loop. It runs from its source text, so it may use only its parameters and globals.
 * See signal() for how it sleeps without missing a wake-up.
 */
function workerMain(threads: typeof WorkerThreads, makeTable: typeof createDuplicateTable): void {
  const data = threads.workerData as {
    control: Int32Array;
    entries: Int32Array;
    text: Uint8Array;
    cap: number;
    expectedRows: number;
    maxRows: number;
  };
  const { control, entries, text } = data;
  const ring = entries.length / 16;
  try {
    const table = makeTable(data.cap, data.expectedRows, data.maxRows);
    let taken = 0;
    for (;;) {
      const signal = Atomics.load(control, 3);
      let n = (Atomics.load(control, 0) - taken) | 0;
      if (n === 0) {
        if (Atomics.load(control, 2) === 1 && Atomics.load(control, 0) === taken) break;
        Atomics.store(control, 5, 1);
        if (Atomics.load(control, 0) === taken && Atomics.load(control, 2) === 0)
          Atomics.wait(control, 3, signal);
        Atomics.store(control, 5, 0);
        continue;
      }
      while (n > 0) {
        const first = (taken >>> 0) % ring;
        // Slices of 1024, so a parser waiting for room waits for little.
        const run = Math.min(n, ring - first, 1024);
        table.take(entries, text, first, run);
        taken = (taken + run) | 0;
        n -= run;
        Atomics.store(control, 1, taken);
        if (Atomics.load(control, 6) === 1) Atomics.notify(control, 1);
      }
    }
    threads.parentPort!.postMessage(table.tally());
  } catch (error) {
    Atomics.store(control, 4, 1);
    Atomics.notify(control, 1);
    throw error;
  }
}
