import { createHash } from "node:crypto";
import { open, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { writeFileAtomic } from "../core/atomic-file.js";
import { canonicalJson, sha256Hex } from "../core/canonical.js";
import type { Diagnostic } from "../core/diagnostics.js";
import { DUPLICATE_FINGERPRINT_CAP, createDuplicateCheck } from "./duplicates.js";
import type { DuplicateCheck, DuplicateTally } from "./duplicates.js";
import { knownHeaderNames } from "./header-trust.js";
import { RULES_VERSION, describeRowFailure } from "./rules.js";
import type { AudienceRules } from "./rules.js";
import { scanAudience } from "./scan.js";
import type {
  AudienceMapping,
  FailureGroup,
  MissingColumn,
  PreflightReport,
  RowFailureCode,
  SharedPreflightReport,
  SharedPreflightReports,
} from "./types.js";

export interface PreflightOptions {
  /** Absolute path of the CSV. */
  readonly file: string;
  /** How diagnostics and the report name the file (default: `file`). */
  readonly displayFile?: string;
  readonly mapping: AudienceMapping;
  /** First failing row numbers kept per failure group and for duplicates (default 10). */
  readonly maxRowsPerGroup?: number;
  /** When set, reports are read from and written to this directory, keyed by content. */
  readonly cacheDir?: string;
  /**
   * With `cacheDir`: reports already read or made by the calls sharing this map (one load of
   * many manifests), reused instead of read again (see SharedPreflightReports).
   */
  readonly shared?: SharedPreflightReports;
}

// Below Node's 1 MB threshold for external strings, whose characters V8 reads more slowly, and
// below V8's 128 KiB limit for regular objects: each chunk's text is then a young object that dies
// in a cheap scavenge instead of a large object kept until a full GC (measured: ~13 MB less peak
// RSS at 1M rows, and flat to 10M; about the same CPU).
const READ_CHUNK = 120 * 1024;
// From this size on, the sha256 and the duplicate lookups run on a worker thread
// (duplicate-worker.ts): its start-up (a few ms here, ~30 ms on the other core) is then small
// beside the work it takes away.
const WORKER_THRESHOLD_BYTES = 16 * 1024 * 1024;
// 2: `header` holds only cells known to be column names (format 1 stored the whole first row).
const CACHE_FORMAT = 2;

/**
 * Reads a file in fixed-size chunks into two reused buffers: the consumer must finish each chunk
 * before asking for the next. The next chunk is read while the consumer works on this one, so the
 * parsing thread does not sit idle for each read's round trip to libuv's thread pool.
 */
export async function* readFileChunks(file: string, chunkSize = READ_CHUNK): AsyncGenerator<Uint8Array> {
  const handle = await open(file, "r");
  // A small file gets buffers its own size (+1, so the read that finds the end needs no third
  // buffer): a run over 1,000 manifests preflights 1,000 audiences, and two full-size buffers
  // each, freed only when V8 next feels external-memory pressure, made ~90 MB of its peak RSS.
  // A file that grows after the stat is still read whole, in more reads.
  let size = chunkSize;
  try {
    size = Math.max(1, Math.min(chunkSize, (await handle.stat()).size + 1));
  } catch {
    // Not stat-able (a pipe or odd device): full-size buffers, as before.
  }
  const buffers = [Buffer.allocUnsafe(size), Buffer.allocUnsafe(size)] as const;
  let next: Promise<{ bytesRead: number }> | undefined;
  try {
    let turn = 0;
    next = handle.read(buffers[turn]!, 0, size, null);
    for (;;) {
      const { bytesRead } = await next;
      next = undefined;
      if (bytesRead === 0) return;
      const buffer = buffers[turn]!;
      turn ^= 1;
      // The other buffer: the consumer is done with it (it asked for this chunk).
      next = handle.read(buffers[turn]!, 0, size, null);
      yield buffer.subarray(0, bytesRead);
    }
  } finally {
    // A read still in flight (the consumer stopped early) must end before the handle closes.
    await next?.catch(() => undefined);
    await handle.close();
  }
}

/**
 * The local duplicate check's text ring: it never holds more than the file's own bytes, so a small
 * audience gets a small ring (64 KiB at least, as the row-at-a-time detector uses) instead of the
 * 4 MiB a large one batches through. A run over 1,000 small audiences otherwise allocated 4 GiB in
 * total and held ~70 MB of it at a time until V8 collected it.
 */
function localRingBytes(fileBytes: number): number {
  let bytes = 64 * 1024;
  while (bytes < fileBytes && bytes < 4 * 1024 * 1024) bytes *= 2;
  return bytes;
}

/** undefined for a file with a NUL byte: not a CSV, and the preflight stops at its first one. */
async function hashFile(file: string): Promise<string | undefined> {
  const hash = createHash("sha256");
  for await (const chunk of readFileChunks(file)) {
    if (chunk.indexOf(0) !== -1) return undefined;
    hash.update(chunk);
  }
  return hash.digest("hex");
}

interface GroupState {
  readonly code: RowFailureCode;
  readonly column: string;
  count: number;
  readonly firstRows: number[];
  readonly firstLine: number;
}

function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function pluralRows(n: number): string {
  return n === 1 ? "1 row" : `${n} rows`;
}

function listRows(rows: readonly number[], count: number): string {
  return rows.join(", ") + (count > rows.length ? ", …" : "");
}

function withFile(report: PreflightReport, file: string): PreflightReport {
  return { ...report, file, diagnostics: report.diagnostics.map((d) => ({ ...d, file })) };
}

function cacheKey(sha256: string, mapping: AudienceMapping, maxRowsPerGroup: number): string {
  return sha256Hex(
    canonicalJson({
      format: CACHE_FORMAT,
      rules: RULES_VERSION,
      cap: DUPLICATE_FINGERPRINT_CAP,
      file: sha256,
      mapping,
      maxRowsPerGroup,
    }),
  );
}

function remember(
  shared: SharedPreflightReports,
  path: string,
  report: Promise<SharedPreflightReport>,
): void {
  shared.set(path, report);
  // A failure is each caller's to report; the next call tries again.
  report.catch(() => shared.delete(path));
}

async function readOrScan(
  path: string,
  sha256: string,
  scan: () => Promise<PreflightReport>,
): Promise<SharedPreflightReport> {
  const cached = await readCached(path, sha256);
  if (cached !== undefined) return { report: cached, sha256Matches: true };
  const report = await scan();
  // The file may have changed between the two reads; only cache what matches the key.
  if (report.sha256 !== sha256) return { report, sha256Matches: false };
  const stored = withFile(report, "");
  await writeCached(path, stored);
  return { report: stored, sha256Matches: true };
}

async function readCached(path: string, sha256: string): Promise<PreflightReport | undefined> {
  try {
    const report = JSON.parse(await readFile(path, "utf8")) as PreflightReport;
    return report.sha256 === sha256 && Array.isArray(report.diagnostics) ? report : undefined;
  } catch {
    return undefined;
  }
}

async function writeCached(path: string, report: PreflightReport): Promise<void> {
  try {
    // writeFileAtomic redacts the key: it never reaches a cache (see core/active-secrets.ts).
    await writeFileAtomic(path, JSON.stringify(report));
  } catch {
    // A cache that cannot be written only costs time on the next run.
  }
}

function unreadableReport(file: string, error: unknown): PreflightReport {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const notFound = code === "ENOENT";
  return {
    file,
    sha256: "",
    bytes: 0,
    header: [],
    totalRows: 0,
    passingRows: 0,
    failingRows: 0,
    failures: [],
    duplicates: { count: 0, firstRows: [], checkedRows: 0 },
    missingColumns: [],
    diagnostics: [
      {
        severity: "error",
        code: notFound ? "FILE_NOT_FOUND" : "FILE_UNREADABLE",
        file,
        line: 0,
        col: 0,
        path: "",
        message: notFound
          ? "the audience file does not exist"
          : `the audience file cannot be read (${code ?? "error"})`,
        hint: notFound
          ? "Check the audience path in the manifest (it is relative to the manifest)."
          : "Check the file's permissions.",
      },
    ],
  };
}

/** Preflight without the cache: one full scan of the file. */
async function scanAndReport(
  opts: PreflightOptions,
  display: string,
  maxRows: number,
): Promise<PreflightReport> {
  const fileBytes = (await stat(opts.file)).size;
  const groups = new Map<string, GroupState>();
  let rules: AudienceRules | undefined;
  let firstDataCells: number | undefined;
  let duplicates: DuplicateCheck | undefined;
  // Started before the pass: it hashes from the first byte, and the header callback that starts
  // the duplicate check cannot wait.
  const worker =
    fileBytes >= WORKER_THRESHOLD_BYTES
      ? (await import("./duplicate-worker.js")).startPreflightWorker({
          // Audience rows are rarely under 40 bytes; sizing from that avoids regrowing the table.
          expectedRows: fileBytes / 40,
          maxRows,
        })
      : undefined;

  const scan = await scanAudience(
    readFileChunks(opts.file),
    opts.mapping,
    (row) => {
      if (row.rowNumber === 1) firstDataCells = row.record.count;
      const failures = row.failures;
      for (let i = 0; i < failures.length; i++) {
        const failure = failures[i]!;
        const key = `${failure.code}\u0000${failure.column}`;
        let group = groups.get(key);
        if (group === undefined) {
          group = {
            code: failure.code,
            column: failure.column,
            count: 0,
            firstRows: [],
            firstLine: row.line,
          };
          groups.set(key, group);
        }
        group.count++;
        if (group.firstRows.length < maxRows) group.firstRows.push(row.rowNumber);
      }
      if (duplicates !== undefined && failures.length === 0)
        duplicates.add(row.record, row.rowNumber, row.line);
    },
    {
      displayFile: display,
      ...(worker === undefined ? {} : { hasher: worker.hasher }),
      header: (_header, compiled) => {
        rules = compiled;
        const id = compiled.identity;
        if (id.name >= 0 || id.line1 >= 0) {
          duplicates =
            worker?.duplicateCheck(id) ??
            createDuplicateCheck(id, {
              expectedRows: fileBytes / 40,
              maxRows,
              ringBytes: localRingBytes(fileBytes),
            });
        }
      },
    },
  ).catch((error: unknown) => {
    duplicates?.abort();
    worker?.abort();
    throw error;
  });
  // No identity columns: the worker only hashed.
  if (duplicates === undefined) worker?.abort();
  const tally: DuplicateTally =
    duplicates === undefined
      ? { count: 0, firstRows: [], firstLine: 0, checkedRows: 0 }
      : await duplicates.finish();
  const duplicateCount = tally.count;
  const duplicateRows = tally.firstRows;

  const known = knownHeaderNames(scan.header, opts.mapping, firstDataCells);
  const missingColumns: readonly MissingColumn[] = rules?.missingColumns ?? [];
  const failures: FailureGroup[] = [...groups.values()]
    // Plain code-unit order: localeCompare would start ICU's collator (~10 ms) on every validate.
    .sort((a, b) => b.count - a.count || byCodeUnits(a.code, b.code) || byCodeUnits(a.column, b.column))
    .map((g) => ({
      code: g.code,
      column: g.column,
      reason: describeRowFailure({ code: g.code, column: g.column }, opts.mapping),
      count: g.count,
      firstRows: g.firstRows,
    }));

  const diagnostics: Diagnostic[] = scan.structural.filter((d) => d.code !== "COLUMN_MISSING");
  for (const group of failures) {
    const state = groups.get(`${group.code}\u0000${group.column}`)!;
    diagnostics.push({
      severity: "warning",
      code: "ROWS_FAILING",
      file: display,
      line: state.firstLine,
      col: 1,
      path: "",
      message: `${pluralRows(group.count)} will be skipped by Lob: ${group.reason} (row ${listRows(group.firstRows, group.count)})`,
      hint: "Fix these rows in the CSV, or accept that Lob will not mail them.",
    });
  }
  const checkedRows = tally.checkedRows;
  if (duplicateCount > 0) {
    diagnostics.push({
      severity: "warning",
      code: "DUPLICATE_RECIPIENTS",
      file: display,
      line: tally.firstLine,
      col: 1,
      path: "",
      message: `${pluralRows(duplicateCount)} repeat an earlier recipient's name and address (row ${listRows(duplicateRows, duplicateCount)})`,
      hint: "Remove the repeated rows unless each recipient should get several pieces.",
    });
  }
  if (duplicates !== undefined && checkedRows < scan.totalRows - scan.failedRows) {
    diagnostics.push({
      severity: "warning",
      code: "DUPLICATE_RECIPIENTS",
      file: display,
      line: 0,
      col: 0,
      path: "",
      message: `duplicates were checked among the first ${checkedRows} valid rows only (limit ${DUPLICATE_FINGERPRINT_CAP} distinct recipients)`,
      hint: "De-duplicate large audiences before uploading if repeated pieces matter.",
    });
  }

  return {
    file: display,
    sha256: scan.sha256,
    bytes: scan.bytes,
    // Cached and shown: only cells known to be column names, never a recipient's.
    header: known.names,
    headerTrusted: known.trusted,
    headerCells: known.cells,
    totalRows: scan.totalRows,
    passingRows: scan.validRows,
    failingRows: scan.failedRows,
    failures,
    duplicates: { count: duplicateCount, firstRows: duplicateRows, checkedRows },
    missingColumns,
    diagnostics,
  };
}

/**
 * Full audience preflight for validate/plan: one streaming pass that parses the CSV, applies Lob's
 * per-row rules, finds duplicate recipients, and hashes the bytes. Never holds the file in
 * memory and never puts a cell value in the report.
 *
 * With `cacheDir`, a report is reused when the file's sha256, the mapping, the rules version and
 * `maxRowsPerGroup` all match (the file is hashed first, so a cache miss reads it twice).
 */
export async function preflightAudience(opts: PreflightOptions): Promise<PreflightReport> {
  const display = opts.displayFile ?? opts.file;
  const maxRows = opts.maxRowsPerGroup ?? 10;
  try {
    if (opts.cacheDir === undefined) return await scanAndReport(opts, display, maxRows);
    const sha256 = await hashFile(opts.file);
    if (sha256 === undefined) return await scanAndReport(opts, display, maxRows);
    const path = join(opts.cacheDir, `audience-${cacheKey(sha256, opts.mapping, maxRows)}.json`);
    let shared = opts.shared?.get(path);
    const mine = shared === undefined;
    if (shared === undefined) {
      shared = readOrScan(path, sha256, () => scanAndReport(opts, display, maxRows));
      if (opts.shared) remember(opts.shared, path, shared);
    }
    const outcome = await shared;
    if (outcome.sha256Matches) return withFile(outcome.report, display);
    // The file changed while it was scanned: that report describes other bytes than the key.
    opts.shared?.delete(path);
    return mine ? outcome.report : await scanAndReport(opts, display, maxRows);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    if (typeof code === "string" && /^E[A-Z]+$/.test(code)) return unreadableReport(display, error);
    throw error;
  }
}
