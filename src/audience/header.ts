import { parseCsv } from "./csv.js";
import { readFileChunks } from "./preflight.js";

const HEADER_CHUNK = 64 * 1024;

/**
 * The CSV's header names, reading only as far as the end of the first record. Returns [] for an
 * empty file. Throws the file system error (ENOENT, EACCES) for a file that cannot be read, and a
 * plain Error when the first record is not valid CSV or UTF-8 (use preflightAudience for details).
 */
export async function readCsvHeader(file: string): Promise<readonly string[]> {
  let header: readonly string[] = [];
  const result = await parseCsv(readFileChunks(file, HEADER_CHUNK), (fields) => {
    header = fields;
    return false;
  });
  if (!result.stopped && result.problem !== null) {
    throw new Error(`cannot read the CSV header: ${result.problem.message}`);
  }
  return header;
}
