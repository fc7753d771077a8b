import { randomBytes } from "node:crypto";
import { readFileSync, unlinkSync } from "node:fs";
import { link, mkdir, open, readFile, rename, unlink } from "node:fs/promises";
import { hostname as osHostname } from "node:os";
import path from "node:path";
import { CampaignctlError } from "../core/errors.js";
import { errorCode } from "../core/atomic-file.js";
import { sleep } from "../core/sleep.js";
import { lockPathFor } from "./paths.js";
import type { LockInfo, StateLock } from "./types.js";

export interface AcquireLockOptions {
  /** How long to wait for a lock another run holds, in ms. 0 fails at once. */
  readonly timeoutMs: number;
  /** How often to look again while waiting, in ms. Default 100. */
  readonly pollMs?: number;
  /** Clock for the `since` stamp. Default: the system clock. */
  readonly now?: () => Date;
  /** Default: signal 0 to the pid (ESRCH means gone). */
  readonly isProcessAlive?: (pid: number) => boolean;
  /** Called after a lock left by a dead process on this host was taken over. */
  readonly onStaleLock?: (info: LockInfo) => void;
  /** Default: os.hostname(). */
  readonly hostname?: string;
}

/** What a lock file on disk holds: a readable holder, or something we cannot make sense of. */
export type ExistingLock =
  | { readonly kind: "held"; readonly info: LockInfo; readonly raw: string }
  | { readonly kind: "unreadable"; readonly raw: string };

const DEFAULT_POLL_MS = 100;

/**
 * Take the exclusive lock on a state file: `<statePath>.lock`, created with O_EXCL and holding
 * who took it. Waits up to `timeoutMs` for another run to finish, then fails with STATE_LOCKED
 * naming the holder. A lock left by a process on this host that no longer exists is taken over;
 * one from another host never is, since we cannot see its processes.
 */
export async function acquireLock(
  statePath: string,
  info: { readonly command: string },
  opts: AcquireLockOptions,
): Promise<StateLock> {
  const lockPath = lockPathFor(statePath);
  const host = opts.hostname ?? osHostname();
  const alive = opts.isProcessAlive ?? isProcessAlive;
  const pollMs = Math.max(1, opts.pollMs ?? DEFAULT_POLL_MS);
  const timeoutMs = Math.max(0, opts.timeoutMs);
  const deadline = Date.now() + timeoutMs;
  const ours: LockInfo = {
    pid: process.pid,
    host,
    command: info.command,
    since: (opts.now ?? (() => new Date()))().toISOString(),
  };
  // The nonce makes our file's text unique, so release can tell it from a later holder's lock.
  const raw = `${JSON.stringify({ ...ours, nonce: randomBytes(8).toString("hex") })}\n`;
  try {
    await mkdir(path.dirname(lockPath), { recursive: true });
  } catch (error) {
    throw lockWriteError(lockPath, error);
  }

  for (;;) {
    if (await createExclusive(lockPath, raw)) return heldLock(lockPath, ours, raw);
    const existing = await readLock(statePath);
    if (existing === undefined) continue; // released between our two looks: try again at once
    if (existing.kind === "held" && existing.info.host === host && !alive(existing.info.pid)) {
      if (await removeStale(lockPath, existing.raw)) {
        opts.onStaleLock?.(existing.info);
        continue;
      }
    }
    const remaining = deadline - Date.now();
    if (remaining <= 0) throw lockedError(statePath, existing, host, timeoutMs);
    await sleep(Math.min(pollMs, remaining));
  }
}

/** The lock on a state file as it is on disk, or undefined when there is none. */
export async function readLock(statePath: string): Promise<ExistingLock | undefined> {
  let raw: string;
  try {
    raw = await readFile(lockPathFor(statePath), "utf8");
  } catch (error) {
    if (errorCode(error) === "ENOENT") return undefined;
    throw error;
  }
  const info = parseLockInfo(raw);
  return info === undefined ? { kind: "unreadable", raw } : { kind: "held", info, raw };
}

/**
 * Remove a state's lock for force-unlock, but only if it still has the text the user was shown;
 * returns false (and removes nothing) when it changed or vanished meanwhile.
 */
export async function removeLock(statePath: string, expectedRaw: string): Promise<boolean> {
  const lockPath = lockPathFor(statePath);
  try {
    if ((await readFile(lockPath, "utf8")) !== expectedRaw) return false;
    await unlink(lockPath);
    return true;
  } catch (error) {
    if (errorCode(error) === "ENOENT") return false;
    throw error;
  }
}

/** "held by pid 1234 on host ci-7 running 'apply' since 2026-01-01T00:00:00.000Z" */
export function describeHolder(info: LockInfo): string {
  return `held by pid ${info.pid} on host ${info.host} running '${info.command}' since ${info.since}`;
}

/** Whether a pid names a running process on this host (EPERM: it exists but is not ours). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errorCode(error) !== "ESRCH";
  }
}

function parseLockInfo(raw: string): LockInfo | undefined {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (value === null || typeof value !== "object") return undefined;
  const v = value as Record<string, unknown>;
  if (typeof v.pid !== "number" || !Number.isInteger(v.pid) || v.pid <= 0) return undefined;
  if (typeof v.host !== "string" || typeof v.command !== "string" || typeof v.since !== "string") {
    return undefined;
  }
  return { pid: v.pid, host: v.host, command: v.command, since: v.since };
}

async function createExclusive(lockPath: string, raw: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(lockPath, "wx", 0o644);
  } catch (error) {
    if (errorCode(error) === "EEXIST") return false;
    throw lockWriteError(lockPath, error);
  }
  try {
    await handle.writeFile(raw, "utf8");
    await handle.sync();
  } catch (error) {
    await handle.close().catch(() => undefined);
    await unlink(lockPath).catch(() => undefined);
    throw lockWriteError(lockPath, error);
  }
  await handle.close();
  return true;
}

/**
 * Remove a dead holder's lock without racing another run doing the same: move it aside first
 * (atomic), then check that what we moved is the stale lock we judged. If another run replaced it
 * in between, we moved a live lock, so we put it back and report failure.
 */
async function removeStale(lockPath: string, staleRaw: string): Promise<boolean> {
  const aside = `${lockPath}.stale-${process.pid}-${randomBytes(4).toString("hex")}`;
  try {
    await rename(lockPath, aside);
  } catch (error) {
    if (errorCode(error) === "ENOENT") return true;
    throw error;
  }
  const moved = await readFile(aside, "utf8").catch(() => "");
  if (moved !== staleRaw) {
    await link(aside, lockPath).catch(() => undefined);
    await unlink(aside).catch(() => undefined);
    return false;
  }
  await unlink(aside).catch(() => undefined);
  return true;
}

function heldLock(lockPath: string, info: LockInfo, raw: string): StateLock {
  let released = false;
  return {
    path: lockPath,
    info,
    async release() {
      if (released) return;
      try {
        if ((await readFile(lockPath, "utf8")) === raw) await unlink(lockPath);
      } catch (error) {
        if (errorCode(error) !== "ENOENT") throw error;
      }
      released = true;
    },
    releaseSync() {
      if (released) return;
      try {
        if (readFileSync(lockPath, "utf8") === raw) unlinkSync(lockPath);
      } catch (error) {
        if (errorCode(error) !== "ENOENT") throw error;
      }
      released = true;
    },
    async isHeld() {
      if (released) return false;
      try {
        return (await readFile(lockPath, "utf8")) === raw;
      } catch (error) {
        if (errorCode(error) === "ENOENT") return false;
        throw error;
      }
    },
  };
}

function lockedError(
  statePath: string,
  existing: ExistingLock,
  host: string,
  timeoutMs: number,
): CampaignctlError {
  const waited = timeoutMs > 0 ? ` (waited ${formatMs(timeoutMs)})` : "";
  const unlock = "run 'campaignctl force-unlock' (with the same --state/--sandbox options)";
  if (existing.kind === "unreadable") {
    return new CampaignctlError({
      code: "STATE_LOCKED",
      message: `state ${statePath} is locked${waited}, and the lock file ${lockPathFor(statePath)} cannot be read`,
      hint: `if no other campaignctl run is using this state, ${unlock}`,
    });
  }
  const holder = existing.info;
  const remote = holder.host !== host;
  return new CampaignctlError({
    code: "STATE_LOCKED",
    message: `state ${statePath} is locked${waited}: ${describeHolder(holder)}`,
    hint: remote
      ? `wait for that run to finish (e.g. --lock-timeout 2m waits up to two minutes for it); it runs on another host, so campaignctl cannot tell whether it is still alive: if it is gone, ${unlock}`
      : `wait for that run to finish (e.g. --lock-timeout 2m waits up to two minutes for it); if that process is gone, ${unlock}`,
  });
}

function lockWriteError(lockPath: string, cause: unknown): CampaignctlError {
  return new CampaignctlError({
    code: "STATE_WRITE_FAILED",
    message: `cannot create the state lock ${lockPath}: ${errorCode(cause) ?? String(cause)}`,
    hint: "check that the state directory exists and is writable",
    cause,
  });
}

function formatMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(ms % 1000 === 0 ? 0 : 1)}s` : `${ms}ms`;
}
