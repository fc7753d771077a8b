import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AudienceMapping } from "../../src/audience/index.js";
import { parseCsv, readFileChunks } from "../../src/audience/index.js";

export const HEADER = [
  "recipient",
  "company",
  "primary line",
  "secondary line",
  "city",
  "state",
  "zip_code",
  "country",
  "first_name",
  "note",
];

export function aMapping(overrides: Partial<AudienceMapping> = {}): AudienceMapping {
  return {
    requiredAddressColumnMapping: {
      name: "recipient",
      address_line1: "primary line",
      address_city: "city",
      address_state: "state",
      address_zip: "zip_code",
    },
    optionalAddressColumnMapping: {
      address_line2: "secondary line",
      company: "company",
      address_country: "country",
    },
    mergeVariableColumnMapping: { first_name: "first_name" },
    metadata: { columns: ["note"] },
    ...overrides,
  };
}

/** A valid row as a record keyed by header name; override cells per test. */
export function aRow(overrides: Record<string, string> = {}): string[] {
  const row: Record<string, string> = {
    recipient: "Larry Lobster",
    company: "Krusty Krab",
    "primary line": "210 King St",
    "secondary line": "Apt 1",
    city: "San Francisco",
    state: "CA",
    zip_code: "94107",
    country: "US",
    first_name: "Larry",
    note: "vip",
    ...overrides,
  };
  return HEADER.map((h) => row[h]!);
}

export function csvLine(cells: readonly string[]): string {
  return cells.map((c) => (/[",\r\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(",");
}

export function csvOf(rows: readonly (readonly string[])[], header: readonly string[] = HEADER): string {
  return [header, ...rows].map(csvLine).join("\n") + "\n";
}

export interface TempDir {
  readonly dir: string;
  write(name: string, content: string | Uint8Array): string;
  remove(): void;
}

export function tempDir(): TempDir {
  const dir = mkdtempSync(join(tmpdir(), "campaignctl-audience-"));
  return {
    dir,
    write(name, content) {
      const path = join(dir, name);
      writeFileSync(path, content);
      return path;
    },
    remove() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The CSV's header names, reading only as far as the end of the first record ([] for an empty
 * file): parseCsv stopped by its handler. Throws when the first record is not valid CSV or UTF-8.
 */
export async function readCsvHeader(file: string): Promise<readonly string[]> {
  let header: readonly string[] = [];
  const result = await parseCsv(readFileChunks(file, 64 * 1024), (fields) => {
    header = fields;
    return false;
  });
  if (!result.stopped && result.problem !== null) {
    throw new Error(`cannot read the CSV header: ${result.problem.message}`);
  }
  return header;
}
