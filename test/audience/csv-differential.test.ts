import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import Papa from "papaparse";
import { describe, expect, it } from "vitest";
import { parseCsv } from "../../src/audience/index.js";
import type { CsvParseResult } from "../../src/audience/index.js";

/**
 * Holds our byte-level parser to papaparse's reading of the same bytes (papaparse configured for
 * the same dialect: comma, the file's own line ending, empty lines skipped, BOM removed first).
 * Every input is also fed in tiny chunks so chunk boundaries split quotes, CRLF pairs and
 * multi-byte characters.
 */

const CORPUS = join(import.meta.dirname, "../fixtures/csv");
const CHUNK_SIZES = [1, 2, 3, 7, 64, Number.MAX_SAFE_INTEGER];

function chunksOf(bytes: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, Math.min(bytes.length, i + size)));
  return out;
}

async function parseOurs(
  bytes: Uint8Array,
  size: number,
): Promise<{ rows: string[][]; result: CsvParseResult }> {
  const rows: string[][] = [];
  const result = await parseCsv(chunksOf(bytes, size), (fields) => {
    rows.push(fields);
  });
  return { rows, result };
}

/** The file's own line ending: its first one (the corpus's first lines hold no quoted breaks). */
function lineEndingOf(text: string): "\r\n" | "\n" | "\r" {
  if (/^[^\r\n]*\r(?!\n)/.test(text)) return "\r";
  return text.includes("\r\n") ? "\r\n" : "\n";
}

function parsePapa(bytes: Uint8Array, newline?: "\r\n" | "\n" | "\r"): { rows: string[][]; errors: number } {
  const text = Buffer.from(bytes)
    .toString("utf8")
    .replace(/^\uFEFF/, "");
  const parsed = Papa.parse<string[]>(text, {
    delimiter: ",",
    newline: newline ?? lineEndingOf(text),
    skipEmptyLines: true,
  });
  return { rows: parsed.data, errors: parsed.errors.length };
}

async function expectSameAsPapa(bytes: Uint8Array, label: string): Promise<void> {
  const papa = parsePapa(bytes);
  expect(papa.errors, `${label}: papaparse reports errors; corpus entry is not well-formed`).toBe(0);
  for (const size of CHUNK_SIZES) {
    const ours = await parseOurs(bytes, size);
    expect(ours.result.problem, `${label} in ${size}-byte chunks`).toBeNull();
    expect(ours.rows, `${label} in ${size}-byte chunks`).toEqual(papa.rows);
    expect(ours.result.bytes).toBe(bytes.length);
  }
}

const wellFormed = readdirSync(CORPUS).filter((f) => f.endsWith(".csv") && !f.startsWith("malformed-"));
const malformed = readdirSync(CORPUS).filter((f) => f.startsWith("malformed-"));

describe("parseCsv matches papaparse on the tricky corpus", () => {
  it("has a corpus", () => {
    expect(wellFormed.length).toBeGreaterThanOrEqual(15);
  });

  for (const file of wellFormed) {
    it(file, async () => {
      await expectSameAsPapa(readFileSync(join(CORPUS, file)), file);
    });
  }

  for (const file of malformed) {
    it(`${file} is an error for both`, async () => {
      const bytes = readFileSync(join(CORPUS, file));
      expect(parsePapa(bytes).errors).toBeGreaterThan(0);
      for (const size of CHUNK_SIZES) {
        const ours = await parseOurs(bytes, size);
        expect(ours.result.problem?.code, `${file} in ${size}-byte chunks`).toBe("CSV_MALFORMED");
      }
    });
  }
});

/** mulberry32: a fixed seed gives the same corpus on every run. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PIECES = ["a", "b", "Z", " ", ",", '"', "\n", "\r\n", "é", "中", "😀", "x y", "0", "\t", "''"];

function randomCsv(random: () => number): string {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const style = random();
  const crlf = style < 0.4;
  // Excel's "CSV Macintosh": a lone CR ends each record.
  const crOnly = style >= 0.8;
  const eol = crlf ? "\r\n" : crOnly ? "\r" : "\n";
  const columns = 1 + Math.floor(random() * 5);
  const rows = 1 + Math.floor(random() * 12);
  const lines: string[] = [];
  for (let r = 0; r < rows; r++) {
    const cells: string[] = [];
    for (let c = 0; c < columns; c++) {
      let value = "";
      const length = Math.floor(random() * 6);
      for (let i = 0; i < length; i++) value += pick(PIECES);
      if (!crlf && !crOnly) value = value.replace(/\r\n/g, "\n");
      // Unquoted cells must not need quoting; quote some that do not need it either.
      const needsQuotes = /[",\r\n]/.test(value) || value.length === 0;
      if (needsQuotes || random() < 0.2) cells.push(`"${value.replace(/"/g, '""')}"`);
      else cells.push(value);
    }
    lines.push(cells.join(","));
    if (random() < 0.1) lines.push("");
  }
  return (random() < 0.2 ? "\uFEFF" : "") + lines.join(eol) + (random() < 0.6 ? eol : "");
}

/** The line ending a generated file was written with (its first record may hold quoted breaks). */
function generatedLineEnding(text: string): "\r\n" | "\n" | "\r" {
  const unquoted = text.replace(/"(?:[^"]|"")*"/g, "");
  const first = /\r\n|\r|\n/.exec(unquoted);
  return (first?.[0] as "\r\n" | "\n" | "\r" | undefined) ?? "\n";
}

describe("parseCsv matches papaparse on a generated corpus (seed 20240611)", () => {
  it("300 random files in random chunk sizes", async () => {
    const random = seeded(20240611);
    let compared = 0;
    for (let n = 0; n < 300; n++) {
      const text = randomCsv(random);
      const bytes = Buffer.from(text, "utf8");
      const papa = parsePapa(bytes, generatedLineEnding(text));
      if (papa.errors > 0) continue;
      const size = [1, 2, 3, 5, 7, 64, 4096][Math.floor(random() * 7)]!;
      const ours = await parseOurs(bytes, size);
      expect(ours.result.problem, `case ${n}`).toBeNull();
      expect(ours.rows, `case ${n} (${size}-byte chunks): ${JSON.stringify(text)}`).toEqual(papa.rows);
      compared++;
    }
    expect(compared).toBeGreaterThan(250);
  });
});

describe("parseCsv bounds its memory", () => {
  it("reports a record longer than maxRecordChars instead of buffering the rest of the file", async () => {
    const bytes = Buffer.from(`a,b\n1,"${"x,".repeat(5000)}`);
    const rows: string[][] = [];
    const result = await parseCsv(chunksOf(bytes, 16), (f) => void rows.push(f), { maxRecordChars: 1000 });
    expect(result.problem?.code).toBe("CSV_MALFORMED");
    expect(result.problem?.message).toMatch(/longer than 1000 bytes/);
    expect(result.problem?.line).toBe(2);
    expect(rows).toEqual([["a", "b"]]);
    // Reading stops at the problem: the rest of the input is not read.
    expect(result.bytes).toBeLessThan(bytes.length);
  });

  it("stops reading at the first structural problem (a NUL byte on line 1 of a huge input)", async () => {
    let pulled = 0;
    function* endless(): Generator<Uint8Array> {
      yield Buffer.from("name,zip\nAda\u0000,94107\n");
      for (;;) {
        pulled++;
        if (pulled > 1000) throw new Error("read past the first structural problem");
        yield Buffer.from("Alan,10001\n".repeat(100));
      }
    }
    const result = await parseCsv(endless(), () => undefined);
    expect(result.problem?.code).toBe("CSV_MALFORMED");
    expect(result.problem?.line).toBe(2);
    expect(pulled).toBeLessThanOrEqual(1);
  });
});

describe("CR-only files (Excel's CSV Macintosh)", () => {
  it("splits records at a lone CR and numbers lines by it", async () => {
    const bytes = Buffer.from('name,zip\rAda,94107\r"Alan\rTuring",10001\rGrace,"x"y\r');
    for (const size of CHUNK_SIZES) {
      const lines: number[] = [];
      const rows: string[][] = [];
      const result = await parseCsv(chunksOf(bytes, size), (fields, line) => {
        rows.push(fields);
        lines.push(line);
      });
      expect(rows.slice(0, 3), `${size}-byte chunks`).toEqual([
        ["name", "zip"],
        ["Ada", "94107"],
        ["Alan\rTuring", "10001"],
      ]);
      expect(lines, `${size}-byte chunks`).toEqual([1, 2, 3]);
      // The malformed last record is located by CR-counted lines, too.
      expect(result.problem?.line, `${size}-byte chunks`).toBe(5);
    }
  });

  it("keeps a CRLF file's lone CR inside a cell as data", async () => {
    const rows: string[][] = [];
    await parseCsv([Buffer.from("name,zip\r\nA\rda,94107\r\n")], (fields) => void rows.push(fields));
    expect(rows).toEqual([
      ["name", "zip"],
      ["A\rda", "94107"],
    ]);
  });
});
