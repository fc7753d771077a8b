import { appendFile, readFile, stat } from "node:fs/promises";
import { writeFileAtomic } from "../core/atomic-file.js";
import type { StateVersion } from "./types.js";

/** How many versions `state history` can show for a file state (older ones are dropped). */
export const HISTORY_KEEP = 100;
/** The history file is cut back to HISTORY_KEEP lines once it grows past this (amortised, not per commit). */
const TRIM_ABOVE_BYTES = 32 * 1024;

/**
 * One line per commit (serial, time, command, keys). Informational: it is appended after the
 * commit is durable and not fsynced, so a crash may lose the last line; never the state.
 */
export async function appendHistory(file: string, version: StateVersion): Promise<void> {
  await appendFile(file, `${JSON.stringify(version)}\n`, { encoding: "utf8", mode: 0o644 }).catch(
    () => undefined,
  );
}

/** The last `limit` versions, most recent first; unreadable lines (a torn append) are skipped. */
export async function readHistory(file: string, limit: number): Promise<StateVersion[]> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch {
    return [];
  }
  const bySerial = new Map<number, StateVersion>();
  // Only the newest lines can be among the last `limit` versions (a serial is written once per
  // lineage, so twice the limit is ample): the rest of a long file is not parsed.
  const lines = text.split("\n");
  for (const line of lines.slice(Math.max(0, lines.length - 2 * Math.max(0, limit) - 1))) {
    const version = parseVersion(line);
    // A later line for the same serial is a later state (another lineage after a replace): it wins.
    if (version) bySerial.set(version.serial, version);
  }
  return [...bySerial.values()].sort((a, b) => b.serial - a.serial).slice(0, Math.max(0, limit));
}

/** Keeps the last HISTORY_KEEP lines once the file has grown; called while holding the lock. */
export async function trimHistory(file: string): Promise<void> {
  const size = await stat(file).then(
    (s) => s.size,
    () => 0,
  );
  if (size <= TRIM_ABOVE_BYTES) return;
  const kept = await readHistory(file, HISTORY_KEEP);
  const text = kept
    .reverse()
    .map((v) => `${JSON.stringify(v)}\n`)
    .join("");
  await writeFileAtomic(file, text);
}

function parseVersion(line: string): StateVersion | undefined {
  if (line.trim() === "") return undefined;
  try {
    const v = JSON.parse(line) as Partial<StateVersion>;
    if (
      Number.isInteger(v.serial) &&
      typeof v.at === "string" &&
      typeof v.command === "string" &&
      Array.isArray(v.keys) &&
      v.keys.every((k) => typeof k === "string")
    ) {
      return { serial: v.serial!, at: v.at, command: v.command, keys: v.keys };
    }
  } catch {
    // A torn line from a killed append: skip it.
  }
  return undefined;
}
