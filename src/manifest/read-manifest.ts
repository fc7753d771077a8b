import { isUtf8 } from "node:buffer";
import { realpath, stat } from "node:fs/promises";
import type { Diagnostic } from "../core/diagnostics.js";
import { BoundedReadError, fileKind, formatBytes, readBoundedFile } from "./file-access.js";

/**
 * Reading one manifest file as text, refusing what is not a manifest before parsing it: anything
 * but a regular file (a FIFO would hang the read, /proc files are endless or secret), a file over
 * MAX_MANIFEST_BYTES (YAML takes ~30x its size in memory), and text that is not UTF-8 (UTF-16 from
 * Windows editors, Latin-1), which would otherwise parse into U+FFFD or "must be a mapping".
 */

/** Far above any real manifest (a campaign is ~1.5 KB; 300 in one file stay under 0.5 MB). */
export const MAX_MANIFEST_BYTES = 1024 * 1024;

const SPECIAL_ROOTS = /^\/(proc|sys|dev)(\/|$)/;

export type ManifestText = { readonly text: string } | { readonly diagnostic: Diagnostic };

function problem(
  shown: string,
  code: Diagnostic["code"],
  message: string,
  hint: string,
  line = 0,
  col = 0,
): ManifestText {
  return { diagnostic: { severity: "error", code, file: shown, line, col, path: "", message, hint } };
}

export async function readManifestText(file: string, shown: string): Promise<ManifestText> {
  const real = await realpath(file).catch(() => file);
  const info = await stat(real).catch((error: NodeJS.ErrnoException) => error);
  if (info instanceof Error) {
    return problem(
      shown,
      "FILE_UNREADABLE",
      `cannot read ${shown} (${info.code ?? "error"})`,
      "check the file's permissions",
    );
  }
  if (!info.isFile() || SPECIAL_ROOTS.test(real)) {
    return problem(
      shown,
      "FILE_UNREADABLE",
      `${shown} is ${info.isFile() ? "a special file" : fileKind(info)}, not a regular manifest file`,
      "pass manifest files (campaign.yaml) or directories that hold them",
    );
  }
  if (info.size > MAX_MANIFEST_BYTES) return tooLarge(shown, info.size);
  let bytes: Buffer;
  try {
    bytes = await readBoundedFile(real, MAX_MANIFEST_BYTES, "manifest");
  } catch (error) {
    if (error instanceof BoundedReadError) return tooLarge(shown, MAX_MANIFEST_BYTES + 1);
    return problem(
      shown,
      "FILE_UNREADABLE",
      `cannot read ${shown} (${(error as NodeJS.ErrnoException).code ?? "error"})`,
      "check the file's permissions",
    );
  }
  return decodeManifest(bytes, shown);
}

function tooLarge(shown: string, size: number): ManifestText {
  return problem(
    shown,
    "FILE_TOO_LARGE",
    `${shown} is ${formatBytes(size)}; manifests may be at most ${formatBytes(MAX_MANIFEST_BYTES)}`,
    "a manifest describes campaigns, not data: keep audiences in CSV files, and split many campaigns over several files",
  );
}

const UTF8_HINT =
  "save the file as UTF-8 (in VS Code: the encoding in the status bar → Save with Encoding → UTF-8)";

/** The text of a manifest's bytes, or the encoding problem (with its line and column). */
export function decodeManifest(bytes: Buffer, shown: string): ManifestText {
  if (
    (bytes[0] === 0xff && bytes[1] === 0xfe) ||
    (bytes[0] === 0xfe && bytes[1] === 0xff) ||
    (bytes[0] === 0 && bytes[1] === 0 && bytes[2] === 0xfe && bytes[3] === 0xff)
  ) {
    return problem(
      shown,
      "FILE_ENCODING",
      `${shown} is UTF-16 or UTF-32 (it starts with that byte order mark); manifests are read as UTF-8`,
      UTF8_HINT,
    );
  }
  const nul = bytes.indexOf(0);
  if (nul !== -1) {
    const { line, col } = positionOf(bytes, nul);
    // A NUL next to ASCII text is the mark of UTF-16 without a byte order mark.
    const utf16 = (nul > 0 && bytes[nul - 1]! < 0x80) || bytes[nul + 1]! < 0x80;
    return problem(
      shown,
      "FILE_ENCODING",
      utf16
        ? `${shown} has a NUL byte at line ${line}: it looks like UTF-16 text; manifests are read as UTF-8`
        : `${shown} has a NUL byte at line ${line}; it is not a text file`,
      UTF8_HINT,
      line,
      col,
    );
  }
  if (!isUtf8(bytes)) {
    const at = firstInvalidUtf8(bytes);
    const { line, col } = positionOf(bytes, at);
    return problem(
      shown,
      "FILE_ENCODING",
      `${shown} is not valid UTF-8 (byte 0x${bytes[at]!.toString(16).toUpperCase().padStart(2, "0")} at line ${line}, column ${col}); it looks like Latin-1 or Windows-1252`,
      UTF8_HINT,
      line,
      col,
    );
  }
  const text = bytes.toString("utf8");
  return { text: text.startsWith("\uFEFF") ? text.slice(1) : text };
}

function positionOf(bytes: Buffer, offset: number): { line: number; col: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset; i++) {
    if (bytes[i] === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  // Columns count characters; the bytes before the offset on its line are valid UTF-8.
  return { line, col: bytes.toString("utf8", lineStart, offset).length + 1 };
}

/** Offset of the first byte that does not start or continue a valid UTF-8 sequence. */
function firstInvalidUtf8(bytes: Buffer): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    const need =
      b < 0x80
        ? 0
        : b >= 0xc2 && b <= 0xdf
          ? 1
          : b >= 0xe0 && b <= 0xef
            ? 2
            : b >= 0xf0 && b <= 0xf4
              ? 3
              : -1;
    if (need < 0) return i;
    // Each sequence is checked whole by isUtf8 (overlongs, surrogates, range included).
    if (need > 0 && !isUtf8(bytes.subarray(i, i + need + 1))) return i;
    i += need + 1;
  }
  return bytes.length;
}
