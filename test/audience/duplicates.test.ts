import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { preflightAudience, readFileChunks, scanAudience } from "../../src/audience/index.js";
import type { AudienceMapping } from "../../src/audience/index.js";
import { createWorkerDuplicateCheck, startPreflightWorker } from "../../src/audience/duplicate-worker.js";
import { createDuplicateCheck } from "../../src/audience/duplicates.js";
import type {
  DuplicateCheck,
  DuplicateCheckOptions,
  RecipientColumns,
} from "../../src/audience/duplicates.js";
import { aMapping, csvLine, tempDir } from "./helpers.js";
import type { TempDir } from "./helpers.js";

// The duplicate check against a plain, exact reference: a Set of normalised identity strings,
// on seeded files full of near-duplicates (case, spacing, ZIP+4, Latin-1 capitals, quoting).

let tmp: TempDir;
beforeEach(() => {
  tmp = tempDir();
});
afterEach(() => {
  tmp.remove();
});

const HEADER = ["recipient", "primary line", "secondary line", "city", "state", "zip_code", "note"];
const MAPPING: AudienceMapping = aMapping({
  optionalAddressColumnMapping: { address_line2: "secondary line", company: null, address_country: null },
  mergeVariableColumnMapping: {},
  metadata: { columns: ["note"] },
});

function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Rows drawn from a small pool of recipients, each written in one of many equivalent ways. */
function seededAudience(seed: number, rows: number, pool: number): string {
  const next = random(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!;
  const names = [
    "José Müller",
    "ÉMILE ZOLA",
    "Larry Lobster",
    "Øyvind Å",
    "Zoë O'Brien",
    'Bob "Bobby" Tables',
  ];
  const streets = ["Main St", "King  Ave", "Rue de l'Église", "Maple\tRd"];
  const cities = ["San Francisco", "ZÜRICH", "Coeur d'Alene", "Saint Paul"];
  const recipients = Array.from({ length: pool }, (_, i) => ({
    name: `${pick(names)} ${i % 7}`,
    line1: `${1 + (i % 13)} ${pick(streets)}`,
    line2: next() < 0.3 ? `Apt ${i % 5}` : "",
    city: pick(cities),
    state: pick(["CA", "ny", "Wa"]),
    zip: String(10000 + (i % 11) * 7919).slice(0, 5),
  }));
  const spaced = (v: string): string => {
    const r = next();
    if (r < 0.2) return ` ${v}  `;
    if (r < 0.3) return v.replace(/ /g, "  ");
    if (r < 0.35) return v.replace(/ /g, "\t");
    return v;
  };
  const cased = (v: string): string => {
    const r = next();
    // Only ASCII and Latin-1 letters fold, as in the check; other letters keep their case.
    if (r < 0.2) return v.replace(/[a-zà-þ]/g, (c) => (c === "÷" ? c : c.toUpperCase()));
    if (r < 0.4) return v.replace(/[A-ZÀ-Þ]/g, (c) => (c === "×" ? c : c.toLowerCase()));
    return v;
  };
  const lines = [csvLine(HEADER)];
  for (let i = 0; i < rows; i++) {
    const r = recipients[Math.floor(next() * pool)]!;
    const zip = next() < 0.3 ? `${r.zip}-${String(1000 + i).slice(-4)}` : r.zip;
    const line2 = next() < 0.05 ? `${r.line2}\nFloor 2` : r.line2;
    const cells = [
      spaced(cased(r.name)),
      spaced(cased(r.line1)),
      line2,
      spaced(cased(r.city)),
      cased(r.state),
      zip,
      `note ${i}`,
    ];
    // A few rows fail Lob's rules (and are not checked for duplicates).
    if (next() < 0.02) cells[5] = "123";
    lines.push(csvLine(cells));
  }
  return lines.join("\n") + "\n";
}

const ASCII_SPACE = /[ \t\n\v\f\r]+/g;

/** The normalisation the check implements, written plainly. */
function normalise(value: string, zip: boolean): string {
  let v = value.replace(/^[ \t\n\v\f\r]+|[ \t\n\v\f\r]+$/g, "");
  if (zip && /^[0-9]{5}/.test(v)) v = v.slice(0, 5);
  return v
    .replace(ASCII_SPACE, " ")
    .replace(/[A-ZÀ-ÖØ-Þ]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 32));
}

interface Reference {
  count: number;
  firstRows: number[];
  firstLine: number;
  checkedRows: number;
}

/** Scans the file once; every row that passes Lob's rules goes to `onValid`. */
async function scanValid(
  file: string,
  chunkSize: number,
  onValid: (row: { rowNumber: number; line: number; fields: string[] }, record: never) => void,
  onHeader?: (columns: RecipientColumns) => void,
): Promise<void> {
  await scanAudience(
    readFileChunks(file, chunkSize),
    MAPPING,
    (row) => {
      if (row.failures.length > 0) return;
      const { src, starts, ends, count } = row.record;
      const fields = Array.from({ length: count }, (_, i) =>
        Buffer.from(src[i]!.slice(starts[i]!, ends[i]!), "latin1").toString("utf8"),
      );
      onValid({ rowNumber: row.rowNumber, line: row.line, fields }, row.record as never);
    },
    { header: (_h, rules) => onHeader?.(rules.identity) },
  );
}

async function reference(file: string, cap: number, maxRows = 10): Promise<Reference> {
  const seen = new Set<string>();
  const out: Reference = { count: 0, firstRows: [], firstLine: 0, checkedRows: 0 };
  let full = false;
  await scanValid(file, 1 << 16, ({ rowNumber, line, fields }) => {
    if (full || seen.size >= cap) {
      full = true;
      return;
    }
    out.checkedRows++;
    const key = JSON.stringify([0, 1, 2, 3, 4, 5].map((i) => normalise(fields[i]!, i === 5)));
    if (seen.has(key)) {
      out.count++;
      if (out.firstRows.length < maxRows) out.firstRows.push(rowNumber);
      if (out.firstLine === 0) out.firstLine = line;
    } else {
      seen.add(key);
    }
  });
  return out;
}

type MakeCheck = (columns: RecipientColumns, options: DuplicateCheckOptions) => DuplicateCheck;

async function runCheck(file: string, make: MakeCheck, options: DuplicateCheckOptions, chunkSize: number) {
  let check: DuplicateCheck | undefined;
  await scanValid(
    file,
    chunkSize,
    (row, record) => check!.add(record, row.rowNumber, row.line),
    (columns) => (check = make(columns, options)),
  );
  return check!.finish();
}

const CHECKS: [string, MakeCheck][] = [
  ["on this thread", createDuplicateCheck],
  ["on a worker thread", createWorkerDuplicateCheck],
];

describe("duplicate check vs an exact reference (a Set of normalised identities)", () => {
  for (const [where, make] of CHECKS) {
    it(`${where}: same rows flagged, same count, first line and checked rows, around the cap`, async () => {
      const file = tmp.write("audience.csv", seededAudience(7, 3000, 400));
      const distinct =
        (await reference(file, Infinity)).checkedRows - (await reference(file, Infinity)).count;
      expect(distinct).toBeGreaterThan(200);
      for (const cap of [distinct - 1, distinct, distinct + 1, 150, 1_500_000]) {
        const expected = await reference(file, cap);
        expect(expected.count).toBeGreaterThan(0);
        // Small chunks: fields copied one by one; small rings: space reused many times over.
        for (const [chunkSize, ringBytes] of [
          [997, 4096],
          [1 << 16, 1 << 17],
        ] as const) {
          const got = await runCheck(file, make, { cap, maxRows: 10, ringBytes, ringEntries: 64 }, chunkSize);
          expect({ cap, chunkSize, ...got }).toEqual({ cap, chunkSize, ...expected });
        }
      }
    });
  }

  it("every duplicate row, not just the first ten, matches the reference", async () => {
    const file = tmp.write("audience.csv", seededAudience(11, 2000, 150));
    const expected = await reference(file, Infinity, Infinity);
    expect(expected.count).toBeGreaterThan(100);
    for (const [, make] of CHECKS) {
      const got = await runCheck(
        file,
        make,
        { maxRows: Infinity, ringBytes: 1 << 15, ringEntries: 32 },
        4099,
      );
      expect(got.firstRows).toEqual(expected.firstRows);
    }
  });

  it("preflightAudience reports what the reference finds, on and off the worker thread", async () => {
    // Below the worker threshold, then well above it (the file is padded with long notes).
    for (const pad of [0, 200]) {
      const rows = pad === 0 ? 3000 : 90_000;
      const content = seededAudience(23, rows, 5000).replace(
        /note (\d+)/g,
        (_, n) => `note ${n}${"x".repeat(pad)}`,
      );
      const file = tmp.write("audience.csv", content);
      const expected = await reference(file, 1_500_000);
      const report = await preflightAudience({ file, displayFile: "audience.csv", mapping: MAPPING });
      expect(report.duplicates).toEqual({
        count: expected.count,
        firstRows: expected.firstRows,
        checkedRows: expected.checkedRows,
      });
      const warning = report.diagnostics.find((d) => d.code === "DUPLICATE_RECIPIENTS");
      expect(warning?.line).toBe(expected.firstLine);
      // Above the threshold the worker hashes the bytes: the same digest as the file's.
      expect(report.sha256).toBe(createHash("sha256").update(readFileSync(file)).digest("hex"));
    }
  });
});

describe("the preflight worker's sha256", () => {
  it("is the digest of the bytes given, in order, through a ring reused many times", async () => {
    const file = tmp.write("audience.csv", seededAudience(5, 2000, 100));
    const bytes = readFileSync(file);
    const expected = createHash("sha256").update(bytes).digest("hex");
    expect(bytes.length).toBeGreaterThan(8 * 4096);
    // Chunks smaller and larger than the ring, and an empty one.
    for (const chunkSize of [997, 4096, 10_000]) {
      const worker = startPreflightWorker({ maxRows: 10, hashRingBytes: 4096 });
      try {
        worker.hasher.update(new Uint8Array(0));
        for await (const chunk of readFileChunks(file, chunkSize)) worker.hasher.update(chunk);
        expect({ chunkSize, sha256: await worker.hasher.digest() }).toEqual({ chunkSize, sha256: expected });
      } finally {
        worker.abort();
      }
    }
  });

  it("hashes alongside the duplicate check, and both results match the single-thread ones", async () => {
    const file = tmp.write("audience.csv", seededAudience(9, 1500, 200));
    const expected = createHash("sha256").update(readFileSync(file)).digest("hex");
    const options = { maxRows: 10, ringBytes: 1 << 15, ringEntries: 32 };
    const worker = startPreflightWorker({ ...options, hashRingBytes: 8192 });
    let check: DuplicateCheck | undefined;
    const scan = await scanAudience(
      readFileChunks(file, 3001),
      MAPPING,
      (row) => {
        if (row.failures.length === 0) check!.add(row.record, row.rowNumber, row.line);
      },
      { hasher: worker.hasher, header: (_h, rules) => (check = worker.duplicateCheck(rules.identity)) },
    );
    expect(scan.sha256).toBe(expected);
    const got = await check!.finish();
    expect(got).toEqual(await runCheck(file, createDuplicateCheck, options, 3001));
    expect(got.count).toBeGreaterThan(0);
  });
});
