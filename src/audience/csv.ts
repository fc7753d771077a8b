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
 * Not supported: a lone CR as the record separator (it stays in the data).
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
 * Called once per record. `line` is the 1-based physical line where the record starts.
 * `fields` is a fresh array the callee may keep. `starts` (1-based columns of each field on that
 * line) is given for the first record only, so the header's cells can be pointed at.
 * Return `false` to stop reading.
 */
export type CsvRecordHandler = (
  fields: string[],
  line: number,
  starts: readonly number[] | undefined,
) => boolean | void;

export interface CsvParseOptions {
  /**
   * A record longer than this (UTF-16 units) is reported as CSV_MALFORMED instead of being
   * buffered further; it is nearly always an unterminated quote. Default 4 Mi.
   */
  readonly maxRecordChars?: number;
}

export interface CsvParseResult {
  /** Bytes read (the whole input unless the handler stopped early). */
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

interface CsvTextParser {
  /** Feeds decoded text. Returns false once parsing has stopped (problem or handler said stop). */
  push(text: string): boolean;
  end(): void;
  /** Physical line of the first unconsumed character (for locating decode errors). */
  lineOf(extraText: string): number;
  readonly state: { records: number; problem: CsvProblem | null; stopped: boolean };
}

function countNewlines(s: string, from: number, to: number): number {
  let count = 0;
  let i = s.indexOf("\n", from);
  while (i !== -1 && i < to) {
    count++;
    i = s.indexOf("\n", i + 1);
  }
  return count;
}

/** Text-level parser; `parseCsv` feeds it decoded chunks. */
export function createCsvTextParser(
  onRecord: CsvRecordHandler,
  options: CsvParseOptions = {},
): CsvTextParser {
  const maxRecordChars = options.maxRecordChars ?? DEFAULT_MAX_RECORD_CHARS;
  const state = { records: 0, problem: null as CsvProblem | null, stopped: false };
  // Unconsumed text; always begins at a record start.
  let pending = "";
  let pendingLine = 1;
  // An incomplete tail is re-parsed only once the buffer has doubled, which keeps a record
  // spread over many tiny chunks linear instead of quadratic.
  let retryAt = 0;
  let wantStarts = true;

  function fail(code: CsvProblemCode, line: number, col: number, message: string): void {
    state.problem = { code, line, col, message };
  }

  function consume(final: boolean): void {
    const s = pending;
    const n = s.length;
    let pos = 0;
    let line = pendingLine;
    let nextComma = s.indexOf(",");
    let nextNl = s.indexOf("\n");
    let complete = true;

    records: while (pos < n) {
      const fields: string[] = [];
      const starts: number[] | undefined = wantStarts ? [] : undefined;
      let p = pos;
      let extraLines = 0;
      let end = -1; // index just past the record terminator

      fieldLoop: for (;;) {
        if (starts !== undefined) starts.push(p - pos + 1);
        if (s.charCodeAt(p) === QUOTE) {
          let value = "";
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
                line + extraLines,
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
              value += s.slice(seg, k + 1);
              q = k + 2;
              seg = q;
              continue;
            }
            value += s.slice(seg, k);
            extraLines += countNewlines(s, p, k);
            let a = k + 1;
            while (a < n && (s.charCodeAt(a) === SPACE || s.charCodeAt(a) === TAB)) a++;
            if (a >= n) {
              if (!final) {
                complete = false;
                break records;
              }
              fields.push(value);
              end = n;
              break fieldLoop;
            }
            const c = s.charCodeAt(a);
            if (c === COMMA) {
              fields.push(value);
              p = a + 1;
              if (nextComma !== -1 && nextComma < p) nextComma = s.indexOf(",", p);
              if (nextNl !== -1 && nextNl < p) nextNl = s.indexOf("\n", p);
              continue fieldLoop;
            }
            if (c === LF) {
              fields.push(value);
              end = a + 1;
              break fieldLoop;
            }
            if (c === CR) {
              if (a + 1 >= n) {
                if (!final) {
                  complete = false;
                  break records;
                }
                fields.push(value);
                end = n;
                break fieldLoop;
              }
              if (s.charCodeAt(a + 1) === LF) {
                fields.push(value);
                end = a + 2;
                break fieldLoop;
              }
            }
            fail(
              "CSV_MALFORMED",
              line + extraLines,
              0,
              `text after the closing quote of field ${fields.length + 1} in the record starting at line ${line}`,
            );
            return;
          }
        }
        // Unquoted field.
        if (nextNl !== -1 && nextNl < p) nextNl = s.indexOf("\n", p);
        if (nextNl === -1 && !final) {
          complete = false;
          break records;
        }
        const lineEnd = nextNl === -1 ? n : nextNl;
        if (nextComma !== -1 && nextComma < p) nextComma = s.indexOf(",", p);
        if (nextComma !== -1 && nextComma < lineEnd) {
          fields.push(s.slice(p, nextComma));
          p = nextComma + 1;
          nextComma = s.indexOf(",", p);
          continue;
        }
        let fieldEnd = lineEnd;
        if (fieldEnd > p && s.charCodeAt(fieldEnd - 1) === CR) fieldEnd--;
        fields.push(s.slice(p, fieldEnd));
        end = nextNl === -1 ? n : nextNl + 1;
        break;
      }

      pos = end;
      const recordLine = line;
      line += extraLines + (s.charCodeAt(end - 1) === LF ? 1 : 0);
      if (fields.length === 1 && fields[0] === "") continue;
      state.records++;
      wantStarts = false;
      if (onRecord(fields, recordLine, starts) === false) {
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
          `the record starting at line ${line} is longer than ${maxRecordChars} characters (an unterminated quote?)`,
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

  return {
    state,
    push(text: string): boolean {
      if (isDone()) return false;
      const nul = text.indexOf("\0");
      if (nul !== -1) {
        const line = pendingLine + countNewlines(pending, 0, pending.length) + countNewlines(text, 0, nul);
        fail("CSV_MALFORMED", line, 0, `NUL byte at line ${line}; this is not a text CSV file`);
        return false;
      }
      pending = pending.length === 0 ? text : pending + text;
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
        countNewlines(pending, 0, pending.length) +
        countNewlines(extraText, 0, extraText.length)
      );
    },
  };
}

/** Byte offset of the first invalid UTF-8 sequence in `bytes`, or -1. Only used to locate an error. */
function findInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  // Continuation bytes at the start finish a character begun in the previous chunk.
  while (i < 3 && i < bytes.length && (bytes[i]! & 0xc0) === 0x80) i++;
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
    if (i + need >= bytes.length) return -1; // truncated tail: the next chunk decides
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

function countNewlineBytes(bytes: Uint8Array, to: number): number {
  let count = 0;
  for (let i = 0; i < to; i++) if (bytes[i] === LF) count++;
  return count;
}

function toBytes(chunk: Uint8Array | string): Uint8Array {
  return typeof chunk === "string" ? Buffer.from(chunk, "utf8") : chunk;
}

/**
 * Parses a CSV byte stream. Stops at the first structural problem (invalid UTF-8, NUL byte,
 * malformed quoting) but keeps hashing so `sha256` and `bytes` always describe the whole input,
 * unless the handler asked to stop.
 */
export async function parseCsv(
  input: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>,
  onRecord: CsvRecordHandler,
  options: CsvParseOptions = {},
): Promise<CsvParseResult> {
  const hash = createHash("sha256");
  const decoder = new TextDecoder("utf-8", { fatal: true });
  const parser = createCsvTextParser(onRecord, options);
  let bytes = 0;
  let parsing = true;
  for await (const raw of input) {
    const chunk = toBytes(raw);
    bytes += chunk.length;
    hash.update(chunk);
    if (!parsing) continue;
    let text: string;
    try {
      text = decoder.decode(chunk, { stream: true });
    } catch {
      const bad = findInvalidUtf8(chunk);
      const line = parser.lineOf("") + countNewlineBytes(chunk, bad === -1 ? 0 : bad);
      parser.state.problem = {
        code: "CSV_NOT_UTF8",
        line,
        col: 0,
        message: `invalid UTF-8 byte sequence at line ${line}`,
      };
      parsing = false;
      continue;
    }
    if (!parser.push(text)) {
      parsing = false;
      if (parser.state.stopped) break;
    }
  }
  if (parsing) {
    let tail = "";
    try {
      tail = decoder.decode();
    } catch {
      const line = parser.lineOf("");
      parser.state.problem = {
        code: "CSV_NOT_UTF8",
        line,
        col: 0,
        message: `the file ends inside a UTF-8 character (line ${line})`,
      };
    }
    if (parser.state.problem === null) {
      if (tail.length > 0) parser.push(tail);
      parser.end();
    }
  }
  return {
    bytes,
    sha256: hash.digest("hex"),
    records: parser.state.records,
    problem: parser.state.problem,
    stopped: parser.state.stopped,
  };
}
