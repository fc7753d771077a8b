import { createReadStream, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  createDuplicateDetector,
  preflightAudience,
  readFileChunks,
  recordViewOf,
  validateAudienceRows,
} from "../../src/audience/index.js";
import type { PreflightReport, SharedPreflightReports } from "../../src/audience/index.js";
import { HEADER, aMapping, aRow, csvLine, csvOf, readCsvHeader, tempDir } from "./helpers.js";
import type { TempDir } from "./helpers.js";

let tmp: TempDir;
beforeEach(() => {
  tmp = tempDir();
});
afterEach(() => {
  tmp.remove();
});

async function preflight(content: string | Uint8Array, extra: { maxRowsPerGroup?: number } = {}) {
  const file = tmp.write("audience.csv", content);
  return preflightAudience({ file, displayFile: "audience.csv", mapping: aMapping(), ...extra });
}

function codesOf(report: PreflightReport): string[] {
  return report.diagnostics.map((d) => `${d.severity}:${d.code}`);
}

describe("preflightAudience: counts and groups", () => {
  it("groups failures by reason with the first row numbers and points at the first row's line", async () => {
    const rows = [
      aRow(),
      aRow({ zip_code: "1" }),
      aRow({ "secondary line": "Bldg 2\nFloor 3" }),
      aRow({ zip_code: "2", state: "ZZ" }),
      aRow({ zip_code: "3" }),
    ];
    const report = await preflight(csvOf(rows), { maxRowsPerGroup: 2 });
    expect(report.totalRows).toBe(5);
    expect(report.passingRows).toBe(2);
    expect(report.failingRows).toBe(3);
    expect(report.failures).toEqual([
      {
        code: "address_zip_invalid",
        column: "zip_code",
        reason: "address_zip (column 'zip_code') must be 12345 or 12345-6789",
        count: 3,
        firstRows: [2, 4],
      },
      {
        code: "address_state_invalid",
        column: "state",
        reason: "address_state (column 'state') is not a 2-letter US state or territory code",
        count: 1,
        firstRows: [4],
      },
    ]);
    const zip = report.diagnostics.find((d) => d.message.includes("zip_code"))!;
    expect(zip).toMatchObject({
      severity: "warning",
      code: "ROWS_FAILING",
      file: "audience.csv",
      line: 3,
      col: 1,
    });
    // Row 4 starts on line 6: row 3 spans two physical lines.
    expect(report.diagnostics.find((d) => d.message.includes("'state'"))?.line).toBe(6);
    expect(report.header).toEqual(HEADER);
    expect(report.bytes).toBe(Buffer.byteLength(csvOf(rows)));
  });

  it("reports duplicate recipients after case, spacing and ZIP+4 normalisation", async () => {
    const report = await preflight(
      csvOf([
        aRow(),
        aRow({ recipient: "Lloyd Lobster" }),
        aRow({ recipient: "  LARRY   lobster ", "primary line": "210  king st", zip_code: "94107-1234" }),
        aRow({ city: "Oakland" }),
        aRow({ recipient: "larry lobster" }),
      ]),
    );
    expect(report.duplicates).toEqual({ count: 2, firstRows: [3, 5], checkedRows: 5 });
    expect(codesOf(report)).toEqual(["warning:DUPLICATE_RECIPIENTS"]);
  });

  it("reports mapped columns the header lacks, without a diagnostic (the manifest validator owns it)", async () => {
    const header = HEADER.filter((h) => h !== "city");
    const report = await preflight(csvOf([aRow().filter((_, i) => HEADER[i] !== "city")], header));
    expect(report.missingColumns).toEqual([
      { mappingPath: "requiredAddressColumnMapping.address_city", column: "city" },
    ]);
    expect(report.diagnostics).toEqual([]);
    expect(report.passingRows).toBe(1);
  });

  it("reads Lob's rules on a CRLF file with a BOM", async () => {
    const text = "\uFEFF" + csvOf([aRow(), aRow({ state: "" })]).replace(/\n/g, "\r\n");
    const report = await preflight(text);
    expect(report.header).toEqual(HEADER);
    expect(report.failures.map((f) => [f.code, f.firstRows])).toEqual([["address_state_missing", [2]]]);
  });
});

describe("preflightAudience: structural errors", () => {
  it("an empty file is CSV_EMPTY", async () => {
    expect(codesOf(await preflight(""))).toEqual(["error:CSV_EMPTY"]);
    expect(codesOf(await preflight("\uFEFF\n\n"))).toEqual(["error:CSV_EMPTY"]);
  });

  it("a header without rows is CSV_NO_ROWS", async () => {
    expect(codesOf(await preflight(csvLine(HEADER) + "\n"))).toEqual(["error:CSV_NO_ROWS"]);
  });

  it("duplicate header names are CSV_DUPLICATE_HEADER at the second cell", async () => {
    const report = await preflight("a,bb,a\n1,2,3\n");
    expect(report.diagnostics).toEqual([
      expect.objectContaining({ severity: "error", code: "CSV_DUPLICATE_HEADER", line: 1, col: 6 }),
    ]);
  });

  it("header characters Lob refuses are HEADER_CHARACTERS at file:1:col", async () => {
    const report = await preflight("name,zip#code,Straße\n1,2,3\n");
    expect(report.diagnostics.map((d) => [d.code, d.line, d.col])).toEqual([
      ["HEADER_CHARACTERS", 1, 6],
      ["HEADER_CHARACTERS", 1, 15],
    ]);
    expect(report.diagnostics[0]!.file).toBe("audience.csv");
    expect(codesOf(await preflight("a-b (c).d_e f,G9\n1,2\n"))).toEqual([]);
    // Quoted cells (with doubled quotes) and multi-byte characters before the bad cell.
    const quoted = await preflight('"né","a""b",ok,"c#"\n1,2,3,4\n');
    expect(quoted.diagnostics.map((d) => [d.code, d.col])).toEqual([
      ["HEADER_CHARACTERS", 1],
      ["HEADER_CHARACTERS", 6],
      ["HEADER_CHARACTERS", 16],
    ]);
  });

  it("invalid UTF-8 is CSV_NOT_UTF8 at its line, also when split between chunks", async () => {
    const bytes = Buffer.concat([Buffer.from("a,b\n1,2\n3,"), Buffer.from([0xc3, 0x28]), Buffer.from("\n")]);
    const report = await preflight(bytes);
    expect(report.diagnostics.map((d) => [d.code, d.line])).toEqual([["CSV_NOT_UTF8", 3]]);
    const latin1 = await preflight(Buffer.from("name\nJos\xe9\n", "latin1"));
    expect(codesOf(latin1)).toEqual(["error:CSV_NOT_UTF8"]);
    // A valid 4-byte character split over 1-byte chunks is fine; a truncated one at EOF is not.
    const emoji = Buffer.from("a\n😀\n");
    const ok = await validateAudienceRows(
      [...emoji].map((b) => Uint8Array.of(b)),
      aMapping(),
      () => {},
    );
    expect(ok.structural.filter((d) => d.code === "CSV_NOT_UTF8")).toEqual([]);
    const truncated = await preflight(emoji.subarray(0, emoji.length - 2));
    expect(codesOf(truncated)).toEqual(["error:CSV_NOT_UTF8"]);
  });

  it("an unterminated quote, text after a closing quote or a NUL byte is CSV_MALFORMED", async () => {
    for (const text of ['a,b\n1,"2\n3,4\n', 'a,b\n"1"x,2\n', "a,b\n1,\u00002\n"]) {
      const report = await preflight(text);
      expect(codesOf(report), JSON.stringify(text)).toEqual(["error:CSV_MALFORMED"]);
      expect(report.diagnostics[0]!.line).toBe(2);
    }
  });

  it("a missing file is FILE_NOT_FOUND", async () => {
    const report = await preflightAudience({ file: join(tmp.dir, "nope.csv"), mapping: aMapping() });
    expect(codesOf(report)).toEqual(["error:FILE_NOT_FOUND"]);
  });
});

describe("no cell value ever reaches the report", () => {
  it("seeded markers never appear in the serialised report", async () => {
    let n = 0;
    const marker = () => `QZX${(n++).toString(36)}QZX`;
    const rows: string[][] = [];
    for (let i = 0; i < 30; i++) {
      rows.push(
        HEADER.map((h) =>
          h === "state" ? (i % 3 === 0 ? marker() : "CA") : h === "zip_code" ? marker() : marker(),
        ),
      );
    }
    rows.push(aRow({ recipient: marker(), "primary line": "" }));
    rows.push([marker(), marker()]); // column_count
    rows.push(rows[0]!, rows[0]!); // duplicates
    const report = await preflight(csvOf(rows), { maxRowsPerGroup: 100 });
    expect(report.failingRows).toBeGreaterThan(30);
    expect(report.failures.length).toBeGreaterThan(3);
    const text = JSON.stringify(report);
    expect(n).toBeGreaterThan(250);
    expect(text).not.toMatch(/QZX/);
    // And for a structural error found mid-file.
    const broken = await preflight(csvOf(rows) + `${marker()},"${marker()}`);
    expect(codesOf(broken)).toContain("error:CSV_MALFORMED");
    expect(JSON.stringify(broken)).not.toMatch(/QZX/);
  });
});

describe("cache", () => {
  it("reuses a report keyed by content, mapping and rules version", async () => {
    const file = tmp.write("audience.csv", csvOf([aRow(), aRow({ zip_code: "x" })]));
    const cacheDir = join(tmp.dir, "cache");
    const first = await preflightAudience({ file, displayFile: "a.csv", mapping: aMapping(), cacheDir });
    const entries = readdirSync(cacheDir);
    expect(entries).toHaveLength(1);
    // Tamper with the entry: a hit must return the tampered numbers.
    const entry = join(cacheDir, entries[0]!);
    writeFileSync(entry, JSON.stringify({ ...JSON.parse(readFileSync(entry, "utf8")), totalRows: 999 }));
    const hit = await preflightAudience({ file, displayFile: "b.csv", mapping: aMapping(), cacheDir });
    expect(hit.totalRows).toBe(999);
    expect(hit.file).toBe("b.csv");
    expect(hit.diagnostics.every((d) => d.file === "b.csv")).toBe(true);
    expect({ ...hit, totalRows: 2, file: "a.csv", diagnostics: [] }).toEqual({ ...first, diagnostics: [] });
    // Another mapping misses.
    const other = await preflightAudience({
      file,
      mapping: aMapping({ mergeVariableColumnMapping: null }),
      cacheDir,
    });
    expect(other.totalRows).toBe(2);
    // Changed content misses.
    writeFileSync(file, csvOf([aRow()]));
    const changed = await preflightAudience({ file, mapping: aMapping(), cacheDir });
    expect(changed.totalRows).toBe(1);
    expect(readdirSync(cacheDir)).toHaveLength(3);
  });

  it("shares one report, and one scan, among the calls of one load over the same audience", async () => {
    const file = tmp.write("shared.csv", csvOf([aRow(), aRow({ zip_code: "x" })]));
    const cacheDir = join(tmp.dir, "cache-shared");
    const shared: SharedPreflightReports = new Map();
    const names = ["a/campaign.yaml", "b/campaign.yaml", "c/campaign.yaml"];
    // Cold cache, at once: one entry written, one report behind all three answers.
    const reports = await Promise.all(
      names.map((displayFile) =>
        preflightAudience({ file, displayFile, mapping: aMapping(), cacheDir, shared }),
      ),
    );
    expect(readdirSync(cacheDir)).toHaveLength(1);
    expect(shared.size).toBe(1);
    expect(reports.map((r) => r.file)).toEqual(names);
    reports.forEach((r, i) => expect(r.diagnostics.every((d) => d.file === names[i])).toBe(true));
    expect(reports[1]!.failures).toBe(reports[0]!.failures);
    expect(reports[2]!.header).toBe(reports[0]!.header);
    // Within the load the shared report answers; a new load (no map) reads the entry on disk.
    const entry = join(cacheDir, readdirSync(cacheDir)[0]!);
    writeFileSync(entry, JSON.stringify({ ...JSON.parse(readFileSync(entry, "utf8")), totalRows: 999 }));
    const again = await preflightAudience({ file, mapping: aMapping(), cacheDir, shared });
    expect(again.totalRows).toBe(2);
    const nextLoad = await preflightAudience({ file, mapping: aMapping(), cacheDir, shared: new Map() });
    expect(nextLoad.totalRows).toBe(999);
  });
});

describe("duplicate detector", () => {
  const columns = { name: 0, line1: 1, line2: -1, city: 2, state: 3, zip: 4 };
  it("folds case (ASCII and Latin-1), collapses whitespace, cuts ZIP to 5 digits", () => {
    const d = createDuplicateDetector(columns);
    expect(d.observe(recordViewOf(["José Müller", "1 Main St", "Zürich", "CA", "94107"]))).toBe("unique");
    expect(d.observe(recordViewOf([" JOSÉ  MÜLLER", "1 main st ", "ZÜRICH", "ca", "94107-0001"]))).toBe(
      "duplicate",
    );
    expect(d.observe(recordViewOf(["José Müller", "1 Main St", "Zürich", "CA", "94108"]))).toBe("unique");
    expect(d.observe(recordViewOf(["JoséMüller", "1 Main St", "Zürich", "CA", "94107"]))).toBe("unique");
  });

  it("stops at its cap and says how many rows it checked", () => {
    const d = createDuplicateDetector(columns, 3);
    const row = (i: number) => recordViewOf([`n${i}`, "a", "b", "CA", "94107"]);
    expect([0, 1, 0, 2, 3, 0].map((i) => d.observe(row(i)))).toEqual([
      "unique",
      "unique",
      "duplicate",
      "unique",
      "unchecked",
      "unchecked",
    ]);
    expect(d.checkedRows()).toBe(4);
  });
});

describe("validateAudienceRows and readCsvHeader", () => {
  it("yields every row with its cells and failures, and whole-file errors", async () => {
    const text = csvOf([aRow(), aRow({ city: "" }), aRow({ recipient: 'Zoë, "Z"' })]);
    const seen: { rowNumber: number; codes: string[]; fields: readonly string[] }[] = [];
    let header: readonly string[] = [];
    const chunks = [...Buffer.from(text)].map((b) => Uint8Array.of(b));
    const result = await validateAudienceRows(
      chunks,
      aMapping({ metadata: { columns: ["segment"] } }),
      (row) =>
        seen.push({ rowNumber: row.rowNumber, codes: row.failures.map((f) => f.code), fields: row.fields }),
      { header: (h) => (header = h) },
    );
    expect(header).toEqual(HEADER);
    expect(seen.map((r) => [r.rowNumber, r.codes])).toEqual([
      [1, []],
      [2, ["address_city_missing"]],
      [3, []],
    ]);
    expect(seen[2]!.fields[0]).toBe('Zoë, "Z"');
    expect(result).toMatchObject({
      totalRows: 3,
      validRows: 2,
      failedRows: 1,
      bytes: Buffer.byteLength(text),
    });
    expect(result.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(result.structural.map((d) => [d.code, d.path])).toEqual([
      ["COLUMN_MISSING", "metadata.columns[0]"],
    ]);
  });

  it("reads a Node stream, as the emulator passes it", async () => {
    const file = tmp.write("s.csv", csvOf([aRow(), aRow({ zip_code: "" }), aRow()]));
    const rows: number[] = [];
    const result = await validateAudienceRows(
      createReadStream(file, { highWaterMark: 7 }),
      aMapping(),
      (row) => void rows.push(row.failures.length),
    );
    expect(rows).toEqual([0, 1, 0]);
    expect(result.structural).toEqual([]);
  });

  it("readCsvHeader reads the first record only", async () => {
    const file = tmp.write("h.csv", '"first name",zip\n1,"never closed');
    expect(await readCsvHeader(file)).toEqual(["first name", "zip"]);
    expect(await readCsvHeader(tmp.write("e.csv", ""))).toEqual([]);
  });
});

describe("readFileChunks", () => {
  it("yields the file's bytes in order, in chunks of at most the given size, reading ahead", async () => {
    const bytes = Buffer.from(Array.from({ length: 10 * 4096 + 7 }, (_, i) => (i * 7919) % 251));
    const file = tmp.write("bytes.bin", bytes);
    const chunks: Buffer[] = [];
    for await (const chunk of readFileChunks(file, 4096)) {
      expect(chunk.length).toBeLessThanOrEqual(4096);
      chunks.push(Buffer.from(chunk));
    }
    expect(chunks).toHaveLength(11);
    expect(Buffer.concat(chunks).equals(bytes)).toBe(true);
  });

  it("closes the file when the consumer stops early, with a read still in flight", async () => {
    const file = tmp.write("bytes.bin", Buffer.alloc(64 * 1024, 65));
    let seen = 0;
    for await (const chunk of readFileChunks(file, 1024)) {
      seen += chunk.length;
      if (seen >= 2048) break;
    }
    expect(seen).toBe(2048);
  });
});
