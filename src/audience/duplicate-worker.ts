import { setFlagsFromString } from "node:v8";
import { Worker } from "node:worker_threads";
import type * as Crypto from "node:crypto";
import type * as WorkerThreads from "node:worker_threads";
import { internalError } from "../core/errors.js";
import type { ChunkHasher } from "./csv.js";
import { createDuplicateFeed } from "./duplicate-feed.js";
import type { EntryConsumer, RecipientColumns } from "./duplicate-feed.js";
import { ENTRY_INTS, createDuplicateTable } from "./duplicate-table.js";
import type { DuplicateTally } from "./duplicate-table.js";
import { DUPLICATE_FINGERPRINT_CAP } from "./duplicates.js";
import type { DuplicateCheck, DuplicateCheckOptions } from "./duplicates.js";

/**
 * Preflight's second core: the file's sha256 and the duplicate check. The parsing thread only
 * copies bytes and writes entries (duplicate-feed.ts) into rings in SharedArrayBuffers; a worker
 * thread hashes the bytes, fingerprints the rows, does the table lookups (the cache misses) and
 * keeps the tally, taking entries in order, so the verdicts are those of createDuplicateCheck and
 * the digest is that of the bytes the parser read, in the order it read them.
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
// File bytes waiting to be hashed: room for the ~40 ms the worker takes to start on a busy machine.
const HASH_RING_BYTES = 4 * 1024 * 1024;

// Control words, shared with workerMain (which repeats them as literals).
const WRITTEN = 0;
const TAKEN = 1;
const DONE = 2;
const SIGNAL = 3;
const FAILED = 4;
const WORKER_SLEEPS = 5;
const PARSER_WAITS = 6;
const HASH_WRITTEN = 7;
const HASH_TAKEN = 8;
const HASH_END = 9;
const HASHER_WAITS = 10;
const CONTROL_WORDS = 12;
// A worker with nothing to do looks again after this long (see wake()). The rings hold ~8 ms of
// rows and ~40 ms of bytes, so it never holds up the parser by sleeping.
const POLL_MS = 1;

export interface PreflightWorkerOptions extends DuplicateCheckOptions {
  /** Whether the worker hashes the file (`hasher`); default true. */
  readonly hash?: boolean;
  /** Hash ring size in bytes; tests make it small to exercise reuse. */
  readonly hashRingBytes?: number;
}

export interface PreflightWorker {
  /** sha256 of the bytes given to update(), computed on the worker; update copies them. */
  readonly hasher: ChunkHasher;
  /** The duplicate check on this worker; at most one, created once the header is known. */
  duplicateCheck(columns: RecipientColumns): DuplicateCheck;
  /** Stops the worker (an I/O error, or no duplicate check was needed after all). */
  abort(): void;
}

/** A duplicate check alone on a worker thread (the file is hashed elsewhere). */
export function createWorkerDuplicateCheck(
  columns: RecipientColumns,
  options: DuplicateCheckOptions,
): DuplicateCheck {
  return startPreflightWorker({ ...options, hash: false }).duplicateCheck(columns);
}

/**
 * Starts the worker before the pass, so that it hashes from the first byte and is running by the
 * time the first rows are fed to it; the duplicate check attaches once the header is parsed.
 */
export function startPreflightWorker(options: PreflightWorkerOptions): PreflightWorker {
  const hashing = options.hash ?? true;
  // The worker's counts wrap at 2^32 and give ring positions modulo the ring's size.
  for (const size of [options.ringEntries, options.hashRingBytes])
    if (size !== undefined && (size & (size - 1)) !== 0)
      throw internalError("ring sizes must be powers of two");
  const control = new Int32Array(new SharedArrayBuffer(CONTROL_WORDS * 4));
  const ringEntries = options.ringEntries ?? RING_ENTRIES;
  const entries = new Int32Array(new SharedArrayBuffer(ringEntries * ENTRY_INTS * 4));
  const text = new Uint8Array(new SharedArrayBuffer(options.ringBytes ?? RING_BYTES));
  const hashRing = new Uint8Array(
    new SharedArrayBuffer(hashing ? (options.hashRingBytes ?? HASH_RING_BYTES) : 8),
  );
  const source =
    `"use strict";\nconst createDuplicateTable = ${createDuplicateTable.toString()};\n` +
    `(${workerMain.toString()})(require("node:worker_threads"), require("node:crypto"), createDuplicateTable, ${POLL_MS});\n`;
  const worker = new Worker(source, {
    eval: true,
    workerData: {
      control,
      entries,
      text,
      hashRing,
      hashing,
      cap: options.cap ?? DUPLICATE_FINGERPRINT_CAP,
      expectedRows: options.expectedRows ?? 0,
      maxRows: options.maxRows,
    },
    // The table and rings live outside the heap; the worker's own heap stays tiny.
    resourceLimits: { maxYoungGenerationSizeMb: 2, maxOldGenerationSizeMb: 16 },
  });
  let resolveDigest: (hex: string) => void = () => undefined;
  let resolveTally: (tally: DuplicateTally) => void = () => undefined;
  const digest = new Promise<string>((resolve) => (resolveDigest = resolve));
  const tally = new Promise<DuplicateTally>((resolve) => (resolveTally = resolve));
  const failed = new Promise<never>((_resolve, reject) => {
    worker.on("message", (message: { sha256?: string; tally?: DuplicateTally }) => {
      if (message.sha256 !== undefined) resolveDigest(message.sha256);
      if (message.tally !== undefined) resolveTally(message.tally);
    });
    worker.once("error", reject);
    worker.once("exit", (code) => reject(internalError(`the preflight worker exited (${code})`)));
  });
  // Awaited with the results; a failure before then also shows in the FAILED word.
  failed.catch(() => undefined);
  let releaseHeap = (): void => undefined;
  worker.once("online", () => {
    releaseHeap = holdYoungGeneration();
  });
  function stop(): void {
    releaseHeap();
    void worker.terminate();
  }

  /**
   * Wakes the worker now if it sleeps. Only for a parser about to wait and for the end of the
   * pass: otherwise the worker looks again by itself within POLL_MS, because Atomics.notify on
   * every batch cost the parsing thread a futex call each time (tens of ms per 1M rows, hundreds
   * on a loaded machine). The caller stores its counts first; the worker sets WORKER_SLEEPS, then
   * reads the counts and DONE/HASH_END once more before sleeping, and this side reads
   * WORKER_SLEEPS after its stores: either side sees the other, so no wake-up is lost.
   */
  function wake(force: boolean): void {
    if (!force || Atomics.load(control, WORKER_SLEEPS) !== 1) return;
    Atomics.add(control, SIGNAL, 1);
    Atomics.notify(control, SIGNAL);
  }
  function signal(written: number, force: boolean): void {
    Atomics.store(control, WRITTEN, written | 0);
    wake(force);
  }

  /** Blocks until the worker's count in `word` is at least `target` (counts are int32 differences from `written`). */
  function waitFor(word: number, flag: number, target: number, written: number, what: string): number {
    for (let stalled = 0; ;) {
      const seen = Atomics.load(control, word);
      // `written` is at most a ring ahead of the worker, so the int32 difference is exact.
      const taken = written - ((written - seen) | 0);
      if (taken >= target) return taken;
      if (Atomics.load(control, FAILED) !== 0) throw internalError("the preflight worker failed");
      // A worker that died without a word (killed) would otherwise block this thread forever.
      if (++stalled > 120) throw internalError(`the preflight worker stopped taking ${what}`);
      Atomics.store(control, flag, 1);
      Atomics.wait(control, word, seen, 500);
      Atomics.store(control, flag, 0);
    }
  }

  const hashRingBytes = hashRing.length;
  let hashWritten = 0;
  let hashTaken = 0;
  const hasher: ChunkHasher = {
    update(chunk) {
      if (!hashing) throw internalError("this preflight worker does not hash");
      let from = 0;
      while (from < chunk.length) {
        if (hashWritten - hashTaken === hashRingBytes) {
          wake(true);
          hashTaken = waitFor(
            HASH_TAKEN,
            HASHER_WAITS,
            hashWritten - hashRingBytes + 1,
            hashWritten,
            "bytes",
          );
        }
        const at = hashWritten % hashRingBytes;
        const n = Math.min(
          chunk.length - from,
          hashRingBytes - at,
          hashRingBytes - (hashWritten - hashTaken),
        );
        hashRing.set(chunk.subarray(from, from + n), at);
        from += n;
        hashWritten += n;
        Atomics.store(control, HASH_WRITTEN, hashWritten | 0);
      }
      wake(false);
    },
    async digest() {
      Atomics.store(control, HASH_END, 1);
      wake(true);
      return Promise.race([digest, failed]);
    },
  };

  let checked = false;
  return {
    hasher,
    abort: stop,
    duplicateCheck(columns) {
      if (checked) throw internalError("one duplicate check per preflight worker");
      checked = true;
      const consumer: EntryConsumer = {
        publish(written) {
          // Counts cross as int32 and are only ever compared as differences.
          signal(written, false);
        },
        waitTaken(target, written) {
          signal(written, true);
          return waitFor(TAKEN, PARSER_WAITS, target, written, "rows");
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
            return await Promise.race([tally, failed]);
          } finally {
            stop();
          }
        },
        abort: stop,
      };
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
 * See wake() for how it sleeps without missing a wake-up. It hashes (when asked) and takes entries
 * in turns, in slices, so neither ring holds up the parser for long; it posts the digest once the
 * bytes end and the tally once the entries end.
 */
function workerMain(
  threads: typeof WorkerThreads,
  crypto: typeof Crypto,
  makeTable: typeof createDuplicateTable,
  pollMs: number,
): void {
  const data = threads.workerData as {
    control: Int32Array;
    entries: Int32Array;
    text: Uint8Array;
    hashRing: Uint8Array;
    hashing: boolean;
    cap: number;
    expectedRows: number;
    maxRows: number;
  };
  const { control, entries, text, hashRing } = data;
  const ring = entries.length / 16;
  const hashRingBytes = hashRing.length;
  const port = threads.parentPort!;
  try {
    const hash = data.hashing ? crypto.createHash("sha256") : undefined;
    let hashDone = !data.hashing;
    let hashTaken = 0;
    let table: ReturnType<typeof makeTable> | undefined;
    let taken = 0;
    for (;;) {
      const signal = Atomics.load(control, 3);
      const n = (Atomics.load(control, 0) - taken) | 0;
      const h = hashDone ? 0 : (Atomics.load(control, 7) - hashTaken) | 0;
      if (n === 0 && h === 0) {
        if (!hashDone && Atomics.load(control, 9) === 1 && Atomics.load(control, 7) === hashTaken) {
          hashDone = true;
          port.postMessage({ sha256: hash!.digest("hex") });
          continue;
        }
        if (hashDone && Atomics.load(control, 2) === 1 && Atomics.load(control, 0) === taken) break;
        Atomics.store(control, 5, 1);
        if (
          Atomics.load(control, 0) === taken &&
          Atomics.load(control, 2) === 0 &&
          (hashDone || (Atomics.load(control, 7) === hashTaken && Atomics.load(control, 9) === 0))
        )
          Atomics.wait(control, 3, signal, pollMs);
        Atomics.store(control, 5, 0);
        continue;
      }
      // Slices of 1024 entries and 256 KiB, so a parser waiting for room waits for little.
      if (n > 0) {
        table ??= makeTable(data.cap, data.expectedRows, data.maxRows);
        const first = (taken >>> 0) % ring;
        const run = Math.min(n, ring - first, 1024);
        table.take(entries, text, first, run);
        taken = (taken + run) | 0;
        Atomics.store(control, 1, taken);
        if (Atomics.load(control, 6) === 1) Atomics.notify(control, 1);
      }
      if (h > 0) {
        const at = (hashTaken >>> 0) % hashRingBytes;
        const run = Math.min(h, hashRingBytes - at, 256 * 1024);
        hash!.update(hashRing.subarray(at, at + run));
        hashTaken = (hashTaken + run) | 0;
        Atomics.store(control, 8, hashTaken);
        if (Atomics.load(control, 10) === 1) Atomics.notify(control, 8);
      }
    }
    port.postMessage({ tally: (table ?? makeTable(data.cap, 0, data.maxRows)).tally() });
  } catch (error) {
    Atomics.store(control, 4, 1);
    Atomics.notify(control, 1);
    Atomics.notify(control, 8);
    throw error;
  }
}
