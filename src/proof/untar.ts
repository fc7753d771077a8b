import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, isAbsolute, join, normalize } from "node:path";

/**
 * Extracts a plain (already decompressed) tar archive into `dir`: regular files and folders only,
 * which is all the archives bundled with @sparticuz/chromium hold (fonts, shared libraries). Paths
 * that would leave `dir` are refused. Small enough to avoid a dependency for two tiny archives.
 */
export function extractTar(archive: Uint8Array, dir: string): void {
  const bytes = Buffer.from(archive.buffer, archive.byteOffset, archive.byteLength);
  const text = (start: number, length: number) =>
    bytes
      .subarray(start, start + length)
      .toString("utf8")
      .replace(/\0.*$/s, "");
  let offset = 0;
  let longName: string | undefined;
  while (offset + 512 <= bytes.length) {
    const name = text(offset, 100);
    if (name === "") break; // the two zero blocks that end an archive
    const size = Number.parseInt(text(offset + 124, 12).trim() || "0", 8);
    const type = String.fromCharCode(bytes[offset + 156] ?? 0);
    const prefix = text(offset + 345, 155);
    const dataStart = offset + 512;
    offset = dataStart + Math.ceil(size / 512) * 512;
    if (type === "L") {
      longName = text(dataStart, size);
      continue;
    }
    const path = longName ?? (prefix ? `${prefix}/${name}` : name);
    longName = undefined;
    if (type !== "0" && type !== "\0" && type !== "5") continue; // pax headers, links: not used here
    const relative = normalize(path);
    if (isAbsolute(relative) || relative.split(/[\\/]/).includes("..")) {
      throw new Error(`tar entry '${path}' would be written outside ${dir}`);
    }
    const target = join(dir, relative);
    if (type === "5") mkdirSync(target, { recursive: true });
    else {
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, bytes.subarray(dataStart, dataStart + size), { mode: 0o755 });
    }
  }
}
