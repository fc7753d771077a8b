import { createHash, randomBytes } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import type { WriteStream } from "node:fs";
import { readFile, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { once } from "node:events";
import { setImmediate as yieldToLoop, setTimeout as sleep } from "node:timers/promises";
import { describeRowFailure } from "../audience/rules.js";
import { validateAudienceRows } from "../audience/scan.js";
import type { AudienceMapping } from "../audience/types.js";
import type { ExportType, ReportRowStatus } from "../lob/wire.js";
import type { ExportRecord, Store, UploadRecord } from "./store.js";
import { writeFileAtomicWith } from "../core/atomic-file.js";
import { isUndeliverableRow } from "./controls.js";

/** Lob's reason for a row its rules accept but the mail stream cannot deliver (the emulator's wording). */
export const UNDELIVERABLE_MESSAGE = "the address is undeliverable (rejected by address verification)";

/**
 * Audience processing after send, and exports. Per-row results go to an append-only file
 * (files/results/<upload>.jsonl, one `V|F<TAB>[row, message, cells]` line per row) so memory
 * stays flat however large the audience is; the report and exports stream from that file.
 * A sparse index beside it (files/results/<upload>.idx.json: the byte offset of every
 * REPORT_INDEX_STRIDE-th line, overall and per status) lets a report page at any offset start
 * reading near its first line instead of at the top of the file.
 */
export interface Processor {
  /** Start validating an upload that is Ready for Validation (asynchronous). */
  schedule(uploadId: string): void;
  /** Stop a running validation (campaign cancelled). */
  cancel(uploadId: string): void;
  startExport(exportId: string): void;
  /** After a restart: finish what was in flight. */
  resume(): void;
  setSpeed(rowsPerSecond: number): void;
  readReport(
    upload: UploadRecord,
    query: { status: ReportRowStatus | undefined; limit: number; offset: number },
  ): Promise<{ rows: ReportLine[]; total: number }>;
  /** Wait for running jobs to stop (they are cancelled). */
  close(): Promise<void>;
}

export interface ReportLine {
  readonly rowNumber: number;
  readonly status: "Validated" | "Failed";
  readonly errorMessage: string | null;
  readonly mailpieceId: string | null;
  readonly originalData: Record<string, string>;
}

interface Job {
  cancelled: boolean;
  markTime: number;
  rowsSinceMark: number;
  done: Promise<void>;
}

const MAILPIECE_PREFIX: Readonly<Record<string, string>> = {
  postcard: "psc",
  letter: "ltr",
  self_mailer: "sfm",
};

export function resultsPath(store: Store, uploadId: string): string {
  return join(store.filesDir, "results", `${uploadId}.jsonl`);
}

const REPORT_INDEX_STRIDE = 1024;

/** Byte offsets of lines 0, STRIDE, 2*STRIDE, ... of the results file, overall and per status tag. */
interface ReportIndex {
  /** Size of the results file it describes: any other size means the index is stale. */
  readonly bytes: number;
  readonly all: number[];
  readonly V: number[];
  readonly F: number[];
}

function reportIndexPath(store: Store, uploadId: string): string {
  return join(store.filesDir, "results", `${uploadId}.idx.json`);
}

export function uploadFilePath(store: Store, name: string): string {
  return join(store.filesDir, "uploads", name);
}

export function createProcessor(opts: {
  readonly store: Store;
  readonly now: () => Date;
  readonly rowsPerSecond: number;
}): Processor {
  const { store } = opts;
  let speed = Math.max(1, opts.rowsPerSecond);
  const jobs = new Map<string, Job>();
  const exportJobs = new Set<Promise<void>>();
  const reportIndexes = new Map<string, ReportIndex>();
  let closed = false;

  const touch = (u: UploadRecord) => {
    u.dateModified = opts.now().toISOString();
  };

  async function* paced(source: AsyncIterable<Buffer>, job: Job, out: WriteStream): AsyncGenerator<Buffer> {
    for await (const chunk of source) {
      let start = 0;
      while (start < chunk.length) {
        if (job.cancelled) throw new Error("cancelled");
        // About 20 slices per second of processing, so speed changes and cancels act quickly.
        const batch = Math.max(1, Math.floor(speed / 20));
        let end = start;
        for (let lines = 0; lines < batch; lines++) {
          const nl = chunk.indexOf(10, end);
          if (nl < 0) {
            end = chunk.length;
            break;
          }
          end = nl + 1;
        }
        const slice = chunk.subarray(start, end);
        let lines = 0;
        for (let i = slice.indexOf(10); i >= 0; i = slice.indexOf(10, i + 1)) lines++;
        start = end;
        yield slice;
        job.rowsSinceMark += lines;
        if (out.writableNeedDrain) await once(out, "drain");
        const due = job.markTime + (job.rowsSinceMark / speed) * 1000;
        const wait = due - performance.now();
        if (wait > 1) await sleep(wait);
        else await yieldToLoop();
      }
    }
  }

  async function validate(upload: UploadRecord, job: Job): Promise<void> {
    const creative = store.creativesOf(upload.campaignId).find((c) => c.account === upload.account);
    upload.state = "Validating";
    upload.totalMailpieces = 0;
    upload.validatedMailpieces = 0;
    upload.failedMailpieces = 0;
    delete upload.errorReason;
    touch(upload);
    await store.persist();
    const mapping: AudienceMapping = {
      requiredAddressColumnMapping: upload.requiredAddressColumnMapping,
      optionalAddressColumnMapping: upload.optionalAddressColumnMapping,
      mergeVariableColumnMapping: upload.mergeVariableColumnMapping,
      metadata: upload.metadata,
    };
    const prefix = MAILPIECE_PREFIX[creative?.resource_type ?? "postcard"] ?? "psc";
    const outPath = resultsPath(store, upload.id);
    const indexPath = reportIndexPath(store, upload.id);
    reportIndexes.delete(upload.id);
    await rm(indexPath, { force: true });
    const index = { bytes: 0, all: [] as number[], V: [] as number[], F: [] as number[] };
    const out = createWriteStream(outPath, { flags: "w" });
    const outClosed = once(out, "close");
    let summary;
    try {
      if (!upload.file) throw new Error("no file");
      const input = createReadStream(uploadFilePath(store, upload.file.name), { highWaterMark: 64 * 1024 });
      summary = await validateAudienceRows(
        paced(input as AsyncIterable<Buffer>, job, out),
        mapping,
        (row) => {
          const passes = row.failures.length === 0;
          const rejected =
            passes &&
            upload.undeliverable !== undefined &&
            isUndeliverableRow(upload.undeliverable, row.rowNumber);
          const ok = passes && !rejected;
          const message = ok
            ? null
            : rejected
              ? UNDELIVERABLE_MESSAGE
              : row.failures.map((f) => describeRowFailure(f, mapping)).join("; ");
          const mailpiece = ok ? `${prefix}_${mailpieceHash(upload.id, row.rowNumber)}` : null;
          const line = `${ok ? "V" : "F"}\t${JSON.stringify([row.rowNumber, message, row.fields, mailpiece])}\n`;
          if (upload.totalMailpieces % REPORT_INDEX_STRIDE === 0) index.all.push(index.bytes);
          const sameStatus = ok ? upload.validatedMailpieces : upload.failedMailpieces;
          if (sameStatus % REPORT_INDEX_STRIDE === 0) (ok ? index.V : index.F).push(index.bytes);
          index.bytes += Buffer.byteLength(line);
          out.write(line);
          upload.totalMailpieces++;
          if (ok) upload.validatedMailpieces++;
          else upload.failedMailpieces++;
        },
        { header: (header) => (upload.header = [...header]) },
      );
    } catch (error) {
      out.end();
      await outClosed;
      if (job.cancelled) return;
      // An unreadable file: not a processing bug the client can act on row by row.
      markErrored(
        upload,
        error instanceof Error && error.message === "no file" ? "no file" : "the file could not be read",
      );
      await rm(outPath, { force: true });
      await store.persist();
      return;
    }
    out.end();
    await outClosed;
    if (job.cancelled) return;
    const errors = summary.structural.filter((d) => d.severity === "error");
    if (errors.length > 0) {
      markErrored(upload, errors.map((d) => d.message).join("; "));
      await rm(outPath, { force: true });
    } else {
      await writeFile(indexPath, JSON.stringify(index));
      reportIndexes.set(upload.id, index);
      upload.state = "Scheduled";
      touch(upload);
    }
    await store.persist();
  }

  /** The upload's report index, if one matches its results file (else reports read from the top). */
  async function loadReportIndex(uploadId: string): Promise<ReportIndex | undefined> {
    let index = reportIndexes.get(uploadId);
    if (index === undefined) {
      try {
        index = JSON.parse(await readFile(reportIndexPath(store, uploadId), "utf8")) as ReportIndex;
      } catch {
        return undefined;
      }
    }
    const size = await stat(resultsPath(store, uploadId)).then(
      (s) => s.size,
      () => -1,
    );
    if (size !== index.bytes) return undefined;
    reportIndexes.set(uploadId, index);
    return index;
  }

  function markErrored(upload: UploadRecord, reason: string): void {
    upload.state = "Errored";
    upload.errorReason = reason;
    upload.totalMailpieces = 0;
    upload.validatedMailpieces = 0;
    upload.failedMailpieces = 0;
    touch(upload);
  }

  const processor: Processor = {
    schedule(uploadId) {
      if (closed || jobs.has(uploadId)) return;
      const upload = store.data.uploads[uploadId];
      if (!upload) return;
      const job: Job = {
        cancelled: false,
        markTime: performance.now(),
        rowsSinceMark: 0,
        done: Promise.resolve(),
      };
      job.done = (async () => {
        await yieldToLoop();
        if (job.cancelled) return;
        await validate(upload, job);
      })()
        .catch(() => undefined)
        .finally(() => jobs.delete(uploadId));
      jobs.set(uploadId, job);
    },
    cancel(uploadId) {
      const job = jobs.get(uploadId);
      if (job) job.cancelled = true;
    },
    startExport(exportId) {
      if (closed) return;
      const record = store.data.exports[exportId];
      if (!record) return;
      const run = (async () => {
        await yieldToLoop();
        const running = jobs.get(record.uploadId);
        if (running) await running.done;
        await writeExport(record);
      })()
        .catch(() => {
          record.state = "failed";
          record.dateModified = opts.now().toISOString();
          return store.persist();
        })
        .catch(() => undefined)
        .finally(() => exportJobs.delete(run));
      exportJobs.add(run);
    },
    resume() {
      for (const upload of Object.values(store.data.uploads)) {
        if (upload.state === "Ready for Validation" || upload.state === "Validating")
          processor.schedule(upload.id);
      }
      for (const record of Object.values(store.data.exports)) {
        if (record.state === "in_progress") processor.startExport(record.id);
      }
    },
    setSpeed(rowsPerSecond) {
      speed = Math.max(1, rowsPerSecond);
      for (const job of jobs.values()) {
        job.markTime = performance.now();
        job.rowsSinceMark = 0;
      }
    },
    async readReport(upload, query) {
      const wanted = query.status === "Validated" ? "V" : query.status === "Failed" ? "F" : undefined;
      const total =
        query.status === "Validated"
          ? upload.validatedMailpieces
          : query.status === "Failed"
            ? upload.failedMailpieces
            : query.status === "Processing"
              ? 0
              : upload.validatedMailpieces + upload.failedMailpieces;
      const rows: ReportLine[] = [];
      if (query.status === "Processing" || total === 0) return { rows, total };
      // Start at the indexed line at or before the offset: at most STRIDE lines to skip.
      const marks = (await loadReportIndex(upload.id))?.[wanted ?? "all"] ?? [];
      const mark = Math.min(Math.floor(query.offset / REPORT_INDEX_STRIDE), marks.length - 1);
      let seen = mark >= 0 ? mark * REPORT_INDEX_STRIDE : 0;
      await streamResults(
        upload,
        (tag, raw) => {
          if (wanted !== undefined && tag !== wanted) return true;
          seen++;
          if (seen <= query.offset) return true;
          rows.push(toReportLine(upload, tag, raw));
          return rows.length < query.limit;
        },
        mark >= 0 ? marks[mark]! : 0,
      );
      return { rows, total };
    },
    async close() {
      closed = true;
      for (const job of jobs.values()) job.cancelled = true;
      await Promise.allSettled([...jobs.values()].map((j) => j.done));
      await Promise.allSettled([...exportJobs]);
    },
  };

  /** Calls `visit` per result line (from `start`) until it returns false. */
  async function streamResults(
    upload: UploadRecord,
    visit: (tag: string, raw: string) => boolean,
    /** Byte offset of a line start to begin at. */
    start = 0,
  ): Promise<void> {
    const path = resultsPath(store, upload.id);
    try {
      await stat(path);
    } catch {
      return;
    }
    const input = createReadStream(path, { encoding: "utf8", highWaterMark: 256 * 1024, start });
    const lines = createInterface({ input, crlfDelay: Infinity });
    try {
      for await (const line of lines) {
        if (line.length < 2) continue;
        if (!visit(line[0]!, line.slice(2))) break;
      }
    } finally {
      lines.close();
      input.destroy();
    }
  }

  async function writeExport(record: ExportRecord): Promise<void> {
    const upload = store.data.uploads[record.uploadId];
    if (!upload) throw new Error("upload gone");
    const fileName = `${record.id}-${randomBytes(12).toString("hex")}.csv`;
    const finalPath = join(store.filesDir, "exports", fileName);
    await writeFileAtomicWith(finalPath, async (tmpPath) => {
      const out = createWriteStream(tmpPath);
      const outClosed = once(out, "close");
      const header = upload.header ?? [];
      const lead = exportLeadColumns(record.type);
      out.write(`${[...lead, ...header].map(csvCell).join(",")}\n`);
      const wanted = record.type === "failures" ? "F" : record.type === "successes" ? "V" : undefined;
      const pending: string[] = [];
      await streamResults(upload, (tag, raw) => {
        if (wanted !== undefined && tag !== wanted) return true;
        // The line's cells by position: no per-row object keyed by header (headers are unique, or
        // the upload would have errored).
        const [rowNumber, message, fields, mailpiece] = parseResultLine(raw);
        const status = tag === "V" ? "Validated" : "Failed";
        const leadCells =
          record.type === "failures"
            ? [String(rowNumber), message ?? ""]
            : record.type === "successes"
              ? [String(rowNumber), mailpiece ?? ""]
              : [String(rowNumber), status, message ?? "", mailpiece ?? ""];
        const cells = header.map((_, i) => fields[i] ?? "");
        pending.push(`${[...leadCells, ...cells].map(csvCell).join(",")}\n`);
        if (pending.length >= 1000) {
          out.write(pending.join(""));
          pending.length = 0;
        }
        return true;
      });
      if (pending.length > 0) out.write(pending.join(""));
      out.end();
      await outClosed;
    });
    record.fileName = fileName;
    record.state = "succeeded";
    record.dateModified = opts.now().toISOString();
    await store.persist();
  }

  return processor;
}

function exportLeadColumns(type: ExportType): string[] {
  if (type === "failures") return ["rowNumber", "errorMessage"];
  if (type === "successes") return ["rowNumber", "mailpieceId"];
  return ["rowNumber", "status", "errorMessage", "mailpieceId"];
}

type ResultLine = [rowNumber: number, message: string | null, fields: string[], mailpiece: string | null];

function parseResultLine(raw: string): ResultLine {
  return JSON.parse(raw) as ResultLine;
}

function toReportLine(upload: UploadRecord, tag: string, raw: string): ReportLine {
  const [rowNumber, message, fields, mailpiece] = parseResultLine(raw);
  const originalData: Record<string, string> = {};
  (upload.header ?? []).forEach((name, i) => {
    originalData[name] = fields[i] ?? "";
  });
  return {
    rowNumber,
    status: tag === "V" ? "Validated" : "Failed",
    errorMessage: message,
    mailpieceId: mailpiece,
    originalData,
  };
}

function mailpieceHash(uploadId: string, row: number): string {
  return createHash("sha256").update(`${uploadId}:${row}`).digest("hex").slice(0, 16);
}

export function csvCell(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}
