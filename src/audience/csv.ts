import { isUtf8 } from "node:buffer";
import { createHash } from "node:crypto";

/**
 * Streaming CSV reader for audience files: one pass over the bytes that validates UTF-8, hashes
 * (sha256), counts bytes and splits records, without ever holding more than one record plus one
 * chunk in memory.
 *
 * Dialect (RFC 4180 as Lob and papaparse read it): comma delimiter; records end at LF, an optional
 * CR before the LF is dropped; a field that starts with `"` is quoted, may hold commas, CR and LF,
 * and writes a quote as `""`; spaces or tabs between a closing quote and the next delimiter are
 * ignored; a quote inside an unquoted field is literal. A UTF-8 BOM is skipped. A record made of one
 * empty field (an empty line) is skipped, as papaparse's `skipEmptyLines: true` does.
 * Files whose first line ends in a lone CR (Excel's "CSV Macintosh") use CR as the record
 * separator throughout (then an LF outside quotes stays in the data), as papaparse detects them.
 */

export type CsvProblemCode = "CSV_NOT_UTF8" | "CSV_MALFORMED";

/** A structural problem that stops parsing. Never contains cell values. */
export interface CsvProblem {
  readonly code: CsvProblemCode;
  /** 1-based physical line. */
  readonly line: number;
  /** 1-based; 0 when unknown. */
  readonly col: number;
  readonly message: string;
}

/**
 * One record, as positions into latin1 text (one char per input byte), reused from record to
 * record: read it inside the handler, never keep it. Field `i` is `src[i].slice(starts[i], ends[i])`
 * in latin1; `src[i]` is the chunk text itself except for a quoted field with doubled quotes,
 * which gets its own unescaped string. Use `csvFieldText` / `csvFields` for real (UTF-8) strings.
 * Working on positions lets the preflight check values without creating a string per cell.
 */
export interface CsvRecordView {
  count: number;
  src: string[];
  starts: Int32Array;
  ends: Int32Array;
  /** 1-based physical line where the record starts. */
  line: number;
  /** 1-based character columns of each field, given for the first record only. */
  columns: readonly number[] | undefined;
}

/** Called once per record; return `false` to stop reading. */
export type CsvRecordViewHandler = (record: CsvRecordView) => boolean | void;

/**
 * Called once per record with the record's fields as fresh strings (the callee may keep them).
 * `columns` (1-based columns of each field) is given for the first record only.
 */
export type CsvRecordHandler = (
  fields: string[],
  line: number,
  columns: readonly number[] | undefined,
) => boolean | void;

const HIGH_BYTE = /[\u0080-\u00ff]/;

/** Field `i` of a record view as a JavaScript string (UTF-8 decoded). */
export function csvFieldText(record: CsvRecordView, i: number): string {
  const raw = record.src[i]!.slice(record.starts[i]!, record.ends[i]!);
  return HIGH_BYTE.test(raw) ? Buffer.from(raw, "latin1").toString("utf8") : raw;
}

/** All fields of a record view as fresh strings. */
export function csvFields(record: CsvRecordView): string[] {
  const out = new Array<string>(record.count);
  for (let i = 0; i < record.count; i++) out[i] = csvFieldText(record, i);
  return out;
}

/** Hashes the bytes as they are read (sha256, hex). update() must not keep `chunk`: the caller reuses it. */
export interface ChunkHasher {
  update(chunk: Uint8Array): void;
  digest(): string | Promise<string>;
}

function sha256Hasher(): ChunkHasher {
  const hash = createHash("sha256");
  return {
    update: (chunk) => void hash.update(chunk),
    digest: () => hash.digest("hex"),
  };
}

export interface CsvParseOptions {
  /** Where the sha256 is computed (preflight hands large files' bytes to a worker); default here. */
  readonly hasher?: ChunkHasher;
  /**
   * A record longer than this (bytes) is reported as CSV_MALFORMED instead of being buffered
   * further; it is nearly always an unterminated quote. Default 4 MiB.
   */
  readonly maxRecordChars?: number;
}

export interface CsvParseResult {
  /** Bytes read (the whole input unless parsing stopped early: a problem, or the handler). */
  readonly bytes: number;
  /** Hex sha256 of the bytes read. */
  readonly sha256: string;
  /** Records passed to the handler (empty lines excluded). */
  readonly records: number;
  readonly problem: CsvProblem | null;
  /** True when the handler returned false. */
  readonly stopped: boolean;
}

export const DEFAULT_MAX_RECORD_CHARS = 4 * 1024 * 1024;

const QUOTE = 34;
const COMMA = 44;
const LF = 10;
const CR = 13;
const SPACE = 32;
const TAB = 9;
const BOM_LATIN1 = "\u00ef\u00bb\u00bf";

interface CsvTextParser {
  /** Feeds bytes (copied before returning: the caller may reuse the buffer). Returns false once parsing has stopped (problem or handler said stop). */
  pushBytes(chunk: Buffer): boolean;
  end(): void;
  /** Physical line of the first unconsumed character (for locating decode errors). */
  lineOf(extraText: string): number;
  /** The record separator's byte (LF, or CR for a CR-only file); LF until it is known. */
  newlineByte(): number;
  readonly state: { records: number; problem: CsvProblem | null; stopped: boolean };
}

function countNewlines(s: string, from: number, to: number, nl = "\n"): number {
  let count = 0;
  let i = s.indexOf(nl, from);
  while (i !== -1 && i < to) {
    count++;
    i = s.indexOf(nl, i + 1);
  }
  return count;
}

/**
 * The record separator, from the first line ending outside a quoted field: "\r" when it is a CR
 * not followed by LF, else "\n" (LF or CRLF). undefined while `s` holds no line ending yet and
 * more input may come. Deciding on the first ending (not a guess over many lines) gives the same
 * answer whatever the chunk sizes, and a header row never contains a line ending.
 */
export function detectLineEnding(s: string, final: boolean): "\n" | "\r" | undefined {
  const n = s.length;
  let fieldStart = true;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (fieldStart && c === QUOTE) {
      // Skip the quoted field: line endings inside it are data.
      let k = i + 1;
      for (;;) {
        k = s.indexOf('"', k);
        if (k === -1 || (k + 1 >= n && !final)) return final ? "\n" : undefined;
        if (s.charCodeAt(k + 1) !== QUOTE) break;
        k += 2;
      }
      i = k;
      fieldStart = false;
      continue;
    }
    if (c === LF) return "\n";
    if (c === CR) {
      if (i + 1 >= n) return final ? "\r" : undefined;
      return s.charCodeAt(i + 1) === LF ? "\n" : "\r";
    }
    fieldStart = c === COMMA;
  }
  return final ? "\n" : undefined;
}

/**
 * Text-level parser. It takes the input's bytes as latin1 text (one char per byte, as
 * `buffer.toString("latin1")` gives): structural characters are ASCII and never occur inside a
 * UTF-8 sequence, so splitting is exact, and latin1 decodes at memory speed. It does not validate
 * UTF-8 itself (`parseCsvRecords` does, before handing it the bytes).
 */
function createCsvTextParser(onRecord: CsvRecordViewHandler, options: CsvParseOptions = {}): CsvTextParser {
  const maxRecordChars = options.maxRecordChars ?? DEFAULT_MAX_RECORD_CHARS;
  const state = { records: 0, problem: null as CsvProblem | null, stopped: false };
  // Unconsumed text; always begins at a record start.
  let pending = "";
  let pendingLine = 1;
  // An incomplete tail is re-parsed only once the buffer has doubled, which keeps a record
  // spread over many tiny chunks linear instead of quadratic.
  let retryAt = 0;
  let bomChecked = false;
  // The record separator ("\n" or "\r"), decided from the first line ending.
  let NL: string | undefined;
  let NL_CODE = LF;
  let joined = false;
  let capacity = 64;
  const view: CsvRecordView = {
    count: 0,
    src: new Array<string>(capacity).fill(""),
    starts: new Int32Array(capacity),
    ends: new Int32Array(capacity),
    line: 1,
    columns: undefined,
  };
  let first = true;
  let joinBuffer = Buffer.alloc(0);

  function grow(): void {
    capacity *= 2;
    const starts = new Int32Array(capacity);
    starts.set(view.starts);
    const ends = new Int32Array(capacity);
    ends.set(view.ends);
    view.starts = starts;
    view.ends = ends;
    while (view.src.length < capacity) view.src.push("");
  }

  function fail(code: CsvProblemCode, line: number, col: number, message: string): void {
    state.problem = { code, line, col, message };
  }

  function consume(final: boolean): void {
    if (!bomChecked) {
      if (pending.length < 3 && !final && BOM_LATIN1.startsWith(pending)) return;
      bomChecked = true;
      if (pending.startsWith(BOM_LATIN1)) pending = pending.slice(3);
    }
    // A flat sequential string keeps charCodeAt/indexOf on V8's fast paths; a concatenation
    // (cons string) would make every later access of every field slower.
    if (joined) {
      pending = Buffer.from(pending, "latin1").toString("latin1");
      joined = false;
    }
    if (NL === undefined) {
      const detected = detectLineEnding(pending, final || pending.length > maxRecordChars);
      if (detected === undefined) {
        retryAt = pending.length * 2;
        return;
      }
      NL = detected;
      NL_CODE = detected.charCodeAt(0);
    }
    const nl = NL;
    const crMode = NL_CODE === CR;
    const s = pending;
    const n = s.length;
    const src = view.src;
    let starts = view.starts;
    let ends = view.ends;
    let pos = 0;
    let line = pendingLine;
    let nextComma = s.indexOf(",");
    let nextNl = s.indexOf(nl);
    let complete = true;

    records: while (pos < n) {
      let count = 0;
      let p = pos;
      let extraLines = 0;
      // Where each field begins, for the header's diagnostics only.
      const rawStarts: number[] | undefined = first ? [] : undefined;
      let end = -1; // index just past the record terminator

      fieldLoop: for (;;) {
        if (rawStarts !== undefined) rawStarts.push(p);
        if (count === capacity) {
          grow();
          starts = view.starts;
          ends = view.ends;
        }
        if (s.charCodeAt(p) === QUOTE) {
          let value: string | undefined;
          let seg = p + 1;
          let q = seg;
          for (;;) {
            const k = s.indexOf('"', q);
            if (k === -1) {
              if (!final) {
                complete = false;
                break records;
              }
              fail(
                "CSV_MALFORMED",
                line,
                0,
                `unterminated quoted field in the record starting at line ${line}`,
              );
              return;
            }
            if (k + 1 >= n && !final) {
              // The next chunk may start with a quote that escapes this one.
              complete = false;
              break records;
            }
            if (s.charCodeAt(k + 1) === QUOTE) {
              value = (value ?? "") + s.slice(seg, k + 1);
              q = k + 2;
              seg = q;
              continue;
            }
            if (value === undefined) {
              src[count] = s;
              starts[count] = p + 1;
              ends[count] = k;
            } else {
              value += s.slice(seg, k);
              src[count] = value;
              starts[count] = 0;
              ends[count] = value.length;
            }
            count++;
            if (nextNl !== -1 && nextNl < p) nextNl = s.indexOf(nl, p);
            if (nextNl !== -1 && nextNl < k) extraLines += countNewlines(s, nextNl, k, nl);
            let a = k + 1;
            while (a < n && (s.charCodeAt(a) === SPACE || s.charCodeAt(a) === TAB)) a++;
            if (a >= n) {
              if (!final) {
                complete = false;
                break records;
              }
              end = n;
              break fieldLoop;
            }
            const c = s.charCodeAt(a);
            if (c === COMMA) {
              p = a + 1;
              if (nextComma !== -1 && nextComma < p) nextComma = s.indexOf(",", p);
              if (nextNl !== -1 && nextNl < p) nextNl = s.indexOf(nl, p);
              continue fieldLoop;
            }
            if (c === NL_CODE) {
              end = a + 1;
              break fieldLoop;
            }
            if (c === CR && !crMode) {
              if (a + 1 >= n) {
                if (!final) {
                  complete = false;
                  break records;
                }
                end = n;
                break fieldLoop;
              }
              if (s.charCodeAt(a + 1) === LF) {
                end = a + 2;
                break fieldLoop;
              }
            }
            fail(
              "CSV_MALFORMED",
              line + extraLines,
              0,
              `text after the closing quote of field ${count} in the record starting at line ${line}`,
            );
            return;
          }
        }
        // Unquoted field.
        if (nextNl !== -1 && nextNl < p) nextNl = s.indexOf(nl, p);
        if (nextNl === -1 && !final) {
          complete = false;
          break records;
        }
        const lineEnd = nextNl === -1 ? n : nextNl;
        if (nextComma !== -1 && nextComma < p) nextComma = s.indexOf(",", p);
        // Usually already `s`: a load, where a store would pay the old-to-young write barrier.
        if (src[count] !== s) src[count] = s;
        starts[count] = p;
        if (nextComma !== -1 && nextComma < lineEnd) {
          ends[count++] = nextComma;
          p = nextComma + 1;
          nextComma = s.indexOf(",", p);
          continue;
        }
        let fieldEnd = lineEnd;
        if (!crMode && fieldEnd > p && s.charCodeAt(fieldEnd - 1) === CR) fieldEnd--;
        ends[count++] = fieldEnd;
        end = nextNl === -1 ? n : nextNl + 1;
        break;
      }

      const recordStart = pos;
      pos = end;
      view.line = line;
      line += extraLines + (s.charCodeAt(end - 1) === NL_CODE ? 1 : 0);
      if (count === 1 && starts[0] === ends[0]) continue;
      view.count = count;
      state.records++;
      if (rawStarts !== undefined) {
        first = false;
        // Columns count characters, not bytes; each field's text is decoded once (a header of
        // 100,000 cells must not cost 100,000 decodes of the whole line).
        const columns = new Array<number>(rawStarts.length);
        let column = 1;
        let from = recordStart;
        for (let i = 0; i < rawStarts.length; i++) {
          const at = rawStarts[i]!;
          column += Buffer.from(s.slice(from, at), "latin1").toString("utf8").length;
          columns[i] = column;
          from = at;
        }
        view.columns = columns;
      } else {
        view.columns = undefined;
      }
      if (onRecord(view) === false) {
        state.stopped = true;
        return;
      }
    }

    pending = pos >= n ? "" : s.slice(pos);
    pendingLine = line;
    if (!complete) {
      if (pending.length > maxRecordChars) {
        fail(
          "CSV_MALFORMED",
          line,
          0,
          `the record starting at line ${line} is longer than ${maxRecordChars} bytes (an unterminated quote?)`,
        );
        return;
      }
      retryAt = pending.length * 2;
    } else {
      retryAt = 0;
    }
  }

  function isDone(): boolean {
    return state.problem !== null || state.stopped;
  }

  function nulAt(line: number): void {
    fail("CSV_MALFORMED", line, 0, `NUL byte at line ${line}; this is not a text CSV file`);
  }

  return {
    state,
    pushBytes(chunk: Buffer): boolean {
      if (isDone()) return false;
      const nul = chunk.indexOf(0);
      if (nul !== -1) {
        nulAt(this.lineOf(chunk.toString("latin1", 0, nul)));
        return false;
      }
      if (pending.length === 0) {
        pending = chunk.toString("latin1");
      } else if (pending.length + chunk.length < retryAt) {
        pending += chunk.toString("latin1");
        joined = true;
        return true;
      } else {
        // Joining bytes yields a flat string in one copy; the join buffer is reused, so a chunk
        // costs no new off-heap allocation (Buffer.concat made one per chunk).
        const length = pending.length + chunk.length;
        if (joinBuffer.length < length)
          joinBuffer = Buffer.allocUnsafe(Math.max(length, joinBuffer.length * 2));
        joinBuffer.write(pending, 0, pending.length, "latin1");
        chunk.copy(joinBuffer, pending.length);
        pending = joinBuffer.toString("latin1", 0, length);
        joined = false;
      }
      if (pending.length >= retryAt) consume(false);
      return !isDone();
    },
    end(): void {
      if (isDone()) return;
      if (pending.length > 0) consume(true);
    },
    lineOf(extraText: string): number {
      return (
        pendingLine +
        countNewlines(pending, 0, pending.length, NL) +
        countNewlines(extraText, 0, extraText.length, NL)
      );
    },
    newlineByte: () => NL_CODE,
  };
}

/** Byte offset of the first invalid UTF-8 sequence in `bytes`, or -1. Only used to locate an error. */
function findInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    let need: number;
    let min: number;
    if (b < 0x80) {
      i++;
      continue;
    } else if (b >= 0xc2 && b <= 0xdf) {
      need = 1;
      min = 0x80;
    } else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      min = 0x800;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      min = 0x10000;
    } else {
      return i;
    }
    if (i + need >= bytes.length) return i;
    let cp = b & (0xff >> (need + 2));
    for (let j = 1; j <= need; j++) {
      const c = bytes[i + j]!;
      if ((c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return -1;
}

function countNewlineBytes(bytes: Uint8Array, to: number, newline: number): number {
  let count = 0;
  for (let i = 0; i < to; i++) if (bytes[i] === newline) count++;
  return count;
}

function toBytes(chunk: Uint8Array | string): Uint8Array {
  return typeof chunk === "string" ? Buffer.from(chunk, "utf8") : chunk;
}

function sequenceLength(lead: number): number {
  return lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : 2;
}

/** Index where an incomplete UTF-8 sequence at the end of `bytes[from..]` starts (or bytes.length). */
function completeUpTo(bytes: Uint8Array, from: number): number {
  const len = bytes.length;
  for (let i = len - 1; i >= from && i >= len - 3; i--) {
    const b = bytes[i]!;
    if (b < 0x80) return len;
    if (b >= 0xc0) return i + sequenceLength(b) > len ? i : len;
  }
  return len;
}

/**
 * Parses a CSV byte stream. Stops reading at the first structural problem (invalid UTF-8, NUL
 * byte, malformed quoting) or when the handler asks to stop; `sha256` and `bytes` then describe
 * the bytes read so far, so they equal the whole file's only when `problem` is null and the
 * handler did not stop.
 *
 * UTF-8 is validated per chunk with the native `isUtf8` (a sequence split between chunks is
 * checked once complete) and the bytes reach the parser as latin1 text, which decodes at memory
 * speed; see createCsvTextParser.
 */
export async function parseCsvRecords(
  input: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>,
  onRecord: CsvRecordViewHandler,
  options: CsvParseOptions = {},
): Promise<CsvParseResult> {
  const hash = options.hasher ?? sha256Hasher();
  const parser = createCsvTextParser(onRecord, options);
  let bytes = 0;
  let parsing = true;
  // Bytes of a UTF-8 sequence begun at the end of the previous chunk.
  let carry: Buffer = Buffer.alloc(0);

  const notUtf8 = (chunk: Uint8Array, at: number): void => {
    const line = parser.lineOf("") + countNewlineBytes(chunk, Math.max(at, 0), parser.newlineByte());
    parser.state.problem = {
      code: "CSV_NOT_UTF8",
      line,
      col: 0,
      message: `invalid UTF-8 byte sequence at line ${line}`,
    };
    parsing = false;
  };

  for await (const raw of input) {
    // Nothing after the first structural problem matters: a 3 GB file with a NUL byte on line 1
    // must not be read to its end.
    if (!parsing) break;
    const chunk = toBytes(raw);
    bytes += chunk.length;
    hash.update(chunk);
    if (chunk.length === 0) continue;
    const view = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
    let start = 0;
    if (carry.length > 0) {
      const want = sequenceLength(carry[0]!) - carry.length;
      start = Math.min(want, view.length);
      const joined = Buffer.concat([carry, view.subarray(0, start)]);
      if (start < want) {
        carry = joined;
      } else {
        carry = Buffer.alloc(0);
        if (!isUtf8(joined)) {
          notUtf8(chunk, 0);
          continue;
        }
      }
    }
    if (carry.length === 0) {
      const cut = completeUpTo(view, start);
      if (!isUtf8(view.subarray(start, cut))) {
        notUtf8(chunk, start + findInvalidUtf8(view.subarray(start, cut)));
        continue;
      }
      // Copied: the caller may reuse the chunk's memory.
      carry = cut < view.length ? Buffer.from(view.subarray(cut)) : carry;
    }
    if (!parser.pushBytes(view)) {
      parsing = false;
      if (parser.state.stopped) break;
    }
  }
  if (parsing) {
    if (carry.length > 0) {
      const line = parser.lineOf("");
      parser.state.problem = {
        code: "CSV_NOT_UTF8",
        line,
        col: 0,
        message: `the file ends inside a UTF-8 character (line ${line})`,
      };
    } else {
      parser.end();
    }
  }
  return {
    bytes,
    sha256: await hash.digest(),
    records: parser.state.records,
    problem: parser.state.problem,
    stopped: parser.state.stopped,
  };
}

/** Like parseCsvRecords, with each record's fields as fresh strings. */
export function parseCsv(
  input: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>,
  onRecord: CsvRecordHandler,
  options: CsvParseOptions = {},
): Promise<CsvParseResult> {
  return parseCsvRecords(
    input,
    (record) => onRecord(csvFields(record), record.line, record.columns),
    options,
  );
}
