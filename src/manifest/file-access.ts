import { constants } from "node:fs";
import type { Stats } from "node:fs";
import { access, open, realpath, stat } from "node:fs/promises";
import { isAbsolute, relative, resolve, sep } from "node:path";
import type { PathSegment } from "./yaml-nodes.js";

/**
 * Which local files a manifest may name, and how big they may be.
 *
 * A manifest is reviewed in a pull request, and whatever it names is uploaded to Lob (and HTML is
 * cached and diffed in plans). So a path must resolve, after following symlinks, inside the
 * project root, or inside a directory the project file lists under `allow_paths`; and it must be a
 * regular file, never a FIFO (reading it would hang), a device or a /proc file (endless, or the
 * process's own memory and environment, API key included).
 */
export interface ProjectScope {
  /** Absolute project root. */
  readonly root: string;
  /** Absolute directories outside the root that manifests may also use. */
  readonly allowPaths: readonly string[];
}

/**
 * Lob's limit for artwork uploaded as a file. Lob's API reference documents 5 MB for remote files
 * and asks for artwork files "no larger than 5MB"; it states no other limit for uploads, so 5 MB
 * applies to every local artwork file (HTML, PDF, PNG, JPG). Lob's 10,000-character limit is for
 * HTML sent inline as a string, which campaignctl never does.
 */
export const MAX_ARTWORK_BYTES = 5 * 1024 * 1024;

/** Kernel pseudo-filesystems: their "regular files" are endless or the process's own memory. */
const SPECIAL_ROOTS = ["/proc", "/sys", "/dev"];

export type FileAccessCode = "FILE_NOT_FOUND" | "FILE_UNREADABLE" | "FILE_OUTSIDE_PROJECT" | "FILE_TOO_LARGE";

export interface FileAccessFinding {
  readonly severity: "error";
  readonly code: FileAccessCode;
  readonly segments: readonly PathSegment[];
  readonly anchor: "value";
  readonly message: string;
  readonly hint: string;
}

export interface CheckedFile {
  /** The file's real path (symlinks resolved). */
  readonly realPath: string;
  readonly size: number;
}

function isInside(child: string, parent: string): boolean {
  const rel = relative(parent, child);
  return rel === "" || (!rel.startsWith(`..${sep}`) && rel !== ".." && !isAbsolute(rel));
}

const realRoots = new Map<string, Promise<string>>();

/** The real path of a root directory (cached: every file of every manifest checks against it). */
function realRoot(path: string): Promise<string> {
  let found = realRoots.get(path);
  if (found === undefined) {
    found = realpath(path).catch(() => resolve(path));
    realRoots.set(path, found);
  }
  return found;
}

/** A short description of a non-regular file, for messages. */
export function fileKind(info: Stats): string {
  if (info.isDirectory()) return "a directory";
  if (info.isFIFO()) return "a named pipe (FIFO)";
  if (info.isSocket()) return "a socket";
  if (info.isCharacterDevice() || info.isBlockDevice()) return "a device";
  return "not a regular file";
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024 * 1024) return `${(bytes / (1024 * 1024 * 1024)).toFixed(1)} GB`;
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${bytes} bytes`;
}

/**
 * Checks a file a manifest names: it exists, resolves inside the project (or an allowed path), is
 * a regular file no larger than `maxBytes`, and is readable. Never opens the file, so a FIFO
 * cannot block it. Returns the finding to report, or the checked file.
 */
export async function checkProjectFile(
  absolute: string,
  shown: string,
  segments: readonly PathSegment[],
  what: string,
  scope: ProjectScope,
  maxBytes?: number,
): Promise<FileAccessFinding | CheckedFile> {
  const fail = (code: FileAccessCode, message: string, hint: string): FileAccessFinding => ({
    severity: "error",
    code,
    segments,
    anchor: "value",
    message,
    hint,
  });
  const real = await realpath(absolute).catch((error: NodeJS.ErrnoException) => error);
  if (real instanceof Error) {
    if (real.code === "ENOENT" || real.code === "ENOTDIR") {
      return fail(
        "FILE_NOT_FOUND",
        `${what} ${shown} does not exist`,
        "paths are relative to the manifest file; check the spelling and that the file is committed",
      );
    }
    return fail(
      "FILE_UNREADABLE",
      `${what} ${shown} cannot be read (${real.code ?? "error"})`,
      "check the file's permissions (campaignctl needs to read it)",
    );
  }
  if (SPECIAL_ROOTS.some((root) => isInside(real, root))) {
    return fail(
      "FILE_UNREADABLE",
      `${what} ${shown} is a special file (${real}), not a regular file`,
      "name a regular file in the project; device, /proc and /sys files are never read",
    );
  }
  const root = await realRoot(scope.root);
  if (!isInside(real, root)) {
    const allowed = await Promise.all(scope.allowPaths.map((p) => realRoot(resolve(scope.root, p))));
    if (!allowed.some((dir) => isInside(real, dir))) {
      const through = real === absolute ? "" : ` (it resolves to ${real})`;
      return fail(
        "FILE_OUTSIDE_PROJECT",
        `${what} ${shown} is outside the project directory ${root}${through}`,
        "move the file into the project, or list its directory under allow_paths in campaignctl.yaml",
      );
    }
  }
  const info = await stat(real).catch((error: NodeJS.ErrnoException) => error);
  if (info instanceof Error) {
    return fail(
      "FILE_UNREADABLE",
      `${what} ${shown} cannot be read (${info.code ?? "error"})`,
      "check the file's permissions (campaignctl needs to read it)",
    );
  }
  if (!info.isFile()) {
    return fail(
      "FILE_UNREADABLE",
      `${what} ${shown} is ${fileKind(info)}, not a regular file`,
      "name a regular file; pipes, devices and directories are never read",
    );
  }
  if (maxBytes !== undefined && info.size > maxBytes) {
    return fail(
      "FILE_TOO_LARGE",
      `${what} ${shown} is ${formatBytes(info.size)}; Lob accepts artwork files up to ${formatBytes(maxBytes)}`,
      "compress or resize the artwork (300 DPI at the trim size is enough), or host it and use a template id",
    );
  }
  const denied = await access(real, constants.R_OK).then(
    () => null,
    (error: NodeJS.ErrnoException) => error.code ?? "error",
  );
  if (denied !== null) {
    return fail(
      "FILE_UNREADABLE",
      `${what} ${shown} cannot be read (${denied})`,
      "check the file's permissions (campaignctl needs to read it)",
    );
  }
  return { realPath: real, size: info.size };
}

export function isFinding(result: FileAccessFinding | CheckedFile): result is FileAccessFinding {
  return "code" in result;
}

/**
 * Reads a whole file of at most `maxBytes`, refusing anything but a regular file. The type and
 * size are checked on the open descriptor (O_NONBLOCK, so a FIFO swapped in since validation
 * cannot block the open), and no more than `maxBytes + 1` bytes are ever read, even from a file
 * that grows meanwhile.
 */
export async function readBoundedFile(path: string, maxBytes: number, what: string): Promise<Buffer> {
  const handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const info = await handle.stat();
    if (!info.isFile())
      throw new BoundedReadError(`${what} ${path} is ${fileKind(info)}, not a regular file`);
    const tooLarge = () =>
      new BoundedReadError(`${what} ${path} is larger than ${formatBytes(maxBytes)}, the limit`);
    if (info.size > maxBytes) throw tooLarge();
    let buffer = Buffer.alloc(Math.min(info.size, maxBytes) + 1);
    let filled = 0;
    for (;;) {
      if (filled === buffer.length) {
        if (filled > maxBytes) throw tooLarge();
        const bigger = Buffer.alloc(Math.min(maxBytes + 1, buffer.length * 2));
        buffer.copy(bigger);
        buffer = bigger;
      }
      const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, filled);
      if (bytesRead === 0) return buffer.subarray(0, filled);
      filled += bytesRead;
    }
  } finally {
    await handle.close();
  }
}

/** A file that is not a regular file, or too large, met while reading it (not while validating). */
export class BoundedReadError extends Error {}
