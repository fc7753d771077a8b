import { randomBytes } from "node:crypto";
import { copyFile, mkdir, open, readdir, rename, unlink } from "node:fs/promises";
import path from "node:path";
import { redactActiveSecrets } from "./active-secrets.js";

/**
 * Replace `filePath` with `data` so that a reader (or a crash at any moment) sees either the old
 * content or the new, never a mix: write a temp file beside it, fsync it, rename it over, fsync
 * the directory so the rename itself survives a power cut. When `backupPath` is given, the old
 * file is copied to a temp beside the backup and renamed to it after the new file is in place,
 * so the backup is always a whole file and always older than the state.
 *
 * Every file campaignctl writes (state, saved plans, caches, the emulator's data) goes through
 * here, so the active key is redacted from `data` as a last line of defence (see
 * core/active-secrets.ts). A file produced as a stream goes through `writeFileAtomicWith`.
 */
export async function writeFileAtomic(
  filePath: string,
  data: string,
  opts: {
    readonly backupPath?: string;
    /** Create missing parent directories (default true); false for a path the user named. */
    readonly createDirectories?: boolean;
  } = {},
): Promise<void> {
  const dir = path.dirname(filePath);
  if (opts.createDirectories !== false) await mkdir(dir, { recursive: true });
  const tmp = tempPathFor(filePath);
  const backupTmp = opts.backupPath === undefined ? undefined : tempPathFor(opts.backupPath);
  try {
    await writeAndSync(tmp, redactActiveSecrets(data));
    // Snapshot the old file first, but put it in place only after the new file is: a kill at any
    // point then leaves the backup strictly older than the state (never a copy of it).
    const backedUp = backupTmp !== undefined && (await copyIfExists(filePath, backupTmp));
    if (backedUp) await syncFile(backupTmp);
    await rename(tmp, filePath);
    if (backedUp && opts.backupPath !== undefined) await rename(backupTmp, opts.backupPath);
  } catch (error) {
    await removeQuietly(tmp);
    if (backupTmp !== undefined) await removeQuietly(backupTmp);
    throw error;
  }
  await syncDirectory(dir);
}

/**
 * The same replace-by-rename for a file too large to hold as one string: `writeTemp` writes the
 * whole content to the temp path it is given (and closes it); the temp is then fsynced and renamed
 * over `filePath`, or removed when anything fails. No redaction: the caller streams bytes this
 * module never sees, so it must not stream the key.
 */
export async function writeFileAtomicWith(
  filePath: string,
  writeTemp: (tempPath: string) => Promise<void>,
  opts: { readonly createDirectories?: boolean } = {},
): Promise<void> {
  const dir = path.dirname(filePath);
  if (opts.createDirectories !== false) await mkdir(dir, { recursive: true });
  const tmp = tempPathFor(filePath);
  try {
    await writeTemp(tmp);
    await syncFile(tmp);
    await rename(tmp, filePath);
  } catch (error) {
    await removeQuietly(tmp);
    throw error;
  }
  await syncDirectory(dir);
}

/** `<file>.tmp-<pid>-<random>`: unique per writer, and recognisable for cleanup. */
export function tempPathFor(filePath: string): string {
  return `${filePath}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`;
}

/**
 * Remove temp files a killed writer left beside `filePath` (and its backup). Only call this while
 * holding the state lock: then no live writer can own them.
 */
export async function removeLeftoverTempFiles(filePath: string, backupPath?: string): Promise<number> {
  const dir = path.dirname(filePath);
  const prefixes = [filePath, backupPath]
    .filter((p): p is string => p !== undefined)
    .map((p) => `${path.basename(p)}.tmp-`);
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch {
    return 0;
  }
  let removed = 0;
  for (const name of entries) {
    if (prefixes.some((prefix) => name.startsWith(prefix))) {
      await removeQuietly(path.join(dir, name));
      removed += 1;
    }
  }
  return removed;
}

async function writeAndSync(filePath: string, data: string): Promise<void> {
  const handle = await open(filePath, "wx", 0o644);
  try {
    await handle.writeFile(data, "utf8");
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function copyIfExists(from: string, to: string): Promise<boolean> {
  try {
    await copyFile(from, to);
    return true;
  } catch (error) {
    // No previous version yet (the directory was made above, so ENOENT is about `from`).
    if (errorCode(error) === "ENOENT") return false;
    throw error;
  }
}

async function syncFile(filePath: string): Promise<void> {
  const handle = await open(filePath, "r+");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

// Directories cannot be opened for fsync on Windows; there the rename is as durable as it gets.
async function syncDirectory(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, "r");
    await handle.sync();
  } catch (error) {
    if (!["EISDIR", "EPERM", "EINVAL", "EACCES", "EBADF"].includes(errorCode(error) ?? "")) throw error;
  } finally {
    await handle?.close();
  }
}

async function removeQuietly(filePath: string): Promise<void> {
  try {
    await unlink(filePath);
  } catch {
    // Already gone or never made: nothing to clean.
  }
}

export function errorCode(error: unknown): string | undefined {
  return error !== null && typeof error === "object" && "code" in error
    ? String((error as { code: unknown }).code)
    : undefined;
}
