import { readFile, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { CampaignctlError } from "../../src/core/errors.js";
import { acquireLock, readLock } from "../../src/state/lock.js";
import type { LockInfo } from "../../src/state/types.js";
import { deadPid, spawnChild, waitForExit, waitForLine } from "./helpers/processes.js";
import { tempDirs } from "./helpers/temp.js";

const temps = tempDirs();
afterEach(() => temps.cleanup());

async function statePathIn(): Promise<string> {
  return path.join(await temps.make(), "state.json");
}

async function writeLockFile(statePath: string, info: LockInfo): Promise<string> {
  const raw = `${JSON.stringify(info)}\n`;
  await writeFile(`${statePath}.lock`, raw);
  return raw;
}

async function lockError(promise: Promise<unknown>): Promise<CampaignctlError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CampaignctlError);
  expect((error as CampaignctlError).code).toBe("STATE_LOCKED");
  return error as CampaignctlError;
}

describe("state lock between two processes", () => {
  it("fails at once while another process holds it, and waits for it with a timeout", async () => {
    const statePath = await statePathIn();
    const child = spawnChild("holder", [statePath, "3000"]);
    try {
      const line = await waitForLine(child, /^locked \d+$/);
      const childPid = Number(line.split(" ")[1]);
      expect(childPid).toBe(child.pid);

      const error = await lockError(acquireLock(statePath, { command: "plan" }, { timeoutMs: 0 }));
      expect(error.message).toContain(`held by pid ${childPid} on host ${hostname()} running 'apply' since `);
      expect(error.message).toContain(statePath);
      expect(error.hint).toContain("campaignctl force-unlock");
      // The hint's example is a value --lock-timeout accepts (it takes 30s / 2m, not milliseconds).
      expect(error.hint).toContain("--lock-timeout 2m");
      expect(error.hint).not.toContain("MS");

      const released = waitForLine(child, /^released$/);
      const lock = await acquireLock(statePath, { command: "plan" }, { timeoutMs: 20_000, pollMs: 25 });
      expect(lock.info.pid).toBe(process.pid);
      expect(lock.info.command).toBe("plan");
      await released;
      expect((await waitForExit(child)).code).toBe(0);
      const onDisk = await readLock(statePath);
      expect(onDisk?.kind === "held" && onDisk.info.pid).toBe(process.pid);
      await lock.release();
      expect(await readLock(statePath)).toBeUndefined();
    } finally {
      child.kill("SIGKILL");
    }
  });
});

describe("stale locks", () => {
  it("takes over a lock whose process on this host is gone, and says so", async () => {
    const statePath = await statePathIn();
    const pid = await deadPid();
    await writeLockFile(statePath, {
      pid,
      host: hostname(),
      command: "apply",
      since: "2026-01-01T00:00:00.000Z",
    });
    const stale: LockInfo[] = [];
    const lock = await acquireLock(
      statePath,
      { command: "apply" },
      { timeoutMs: 0, onStaleLock: (i) => stale.push(i) },
    );
    expect(stale).toEqual([{ pid, host: hostname(), command: "apply", since: "2026-01-01T00:00:00.000Z" }]);
    const onDisk = JSON.parse(await readFile(`${statePath}.lock`, "utf8")) as LockInfo;
    expect(onDisk.pid).toBe(process.pid);
    await lock.release();
  });

  it("lets exactly one of two racing runs take over the same stale lock", async () => {
    const statePath = await statePathIn();
    await writeLockFile(statePath, { pid: await deadPid(), host: hostname(), command: "apply", since: "x" });
    const results = await Promise.allSettled(
      ["apply", "destroy"].map((command) => acquireLock(statePath, { command }, { timeoutMs: 0 })),
    );
    const won = results.filter((r) => r.status === "fulfilled");
    const lost = results.filter((r) => r.status === "rejected");
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect((lost[0] as PromiseRejectedResult).reason).toMatchObject({ code: "STATE_LOCKED" });
    const winner = (won[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof acquireLock>>>).value;
    expect(await winner.isHeld()).toBe(true);
    await winner.release();
  });

  it("never takes over a lock from another host", async () => {
    const statePath = await statePathIn();
    const pid = await deadPid();
    const raw = await writeLockFile(statePath, {
      pid,
      host: "ci-runner-elsewhere",
      command: "destroy",
      since: "2026-01-01T00:00:00.000Z",
    });
    const stale: LockInfo[] = [];
    const error = await lockError(
      acquireLock(statePath, { command: "apply" }, { timeoutMs: 0, onStaleLock: (i) => stale.push(i) }),
    );
    expect(error.message).toContain(`held by pid ${pid} on host ci-runner-elsewhere running 'destroy'`);
    expect(error.hint).toContain("another host");
    expect(error.hint).toContain("--lock-timeout 2m");
    expect(stale).toEqual([]);
    expect(await readFile(`${statePath}.lock`, "utf8")).toBe(raw);
  });

  it("does not take over a lock whose process is alive", async () => {
    const statePath = await statePathIn();
    await writeLockFile(statePath, { pid: process.pid, host: hostname(), command: "apply", since: "x" });
    const error = await lockError(acquireLock(statePath, { command: "plan" }, { timeoutMs: 0 }));
    expect(error.message).toContain(`pid ${process.pid}`);
  });

  it("uses the injected liveness check", async () => {
    const statePath = await statePathIn();
    await writeLockFile(statePath, { pid: process.pid, host: hostname(), command: "apply", since: "x" });
    const checked: number[] = [];
    const lock = await acquireLock(
      statePath,
      { command: "plan" },
      { timeoutMs: 0, isProcessAlive: (pid) => (checked.push(pid), false) },
    );
    expect(checked).toEqual([process.pid]);
    await lock.release();
  });
});

describe("lock details", () => {
  it("gives up after the timeout and says how long it waited", async () => {
    const statePath = await statePathIn();
    await writeLockFile(statePath, { pid: 1, host: "elsewhere", command: "apply", since: "x" });
    const error = await lockError(
      acquireLock(statePath, { command: "plan" }, { timeoutMs: 300, pollMs: 50 }),
    );
    expect(error.message).toContain("waited 300ms");
  });

  it("reports an unreadable lock file without taking it over", async () => {
    const statePath = await statePathIn();
    await writeFile(`${statePath}.lock`, "");
    const error = await lockError(acquireLock(statePath, { command: "plan" }, { timeoutMs: 0 }));
    expect(error.message).toContain("cannot be read");
    expect(error.hint).toContain("force-unlock");
  });

  it("records pid, host, command and the injected time", async () => {
    const statePath = await statePathIn();
    const lock = await acquireLock(
      statePath,
      { command: "destroy" },
      { timeoutMs: 0, now: () => new Date("2026-02-03T04:05:06.000Z") },
    );
    expect(lock.info).toEqual({
      pid: process.pid,
      host: hostname(),
      command: "destroy",
      since: "2026-02-03T04:05:06.000Z",
    });
    expect(lock.path).toBe(`${statePath}.lock`);
    const onDisk = await readLock(statePath);
    expect(onDisk?.kind === "held" ? onDisk.info : undefined).toEqual(lock.info);
    await lock.release();
  });

  it("releases idempotently and never removes a lock that is no longer ours", async () => {
    const statePath = await statePathIn();
    const lock = await acquireLock(statePath, { command: "apply" }, { timeoutMs: 0 });
    expect(await lock.isHeld()).toBe(true);
    // force-unlock removed ours and another run took the lock since
    const theirs = await writeLockFile(statePath, { pid: 4242, host: "other", command: "apply", since: "x" });
    expect(await lock.isHeld()).toBe(false);
    await lock.release();
    await lock.release();
    expect(await readFile(`${statePath}.lock`, "utf8")).toBe(theirs);
  });

  it("releases synchronously for exit handlers", async () => {
    const statePath = await statePathIn();
    const lock = await acquireLock(statePath, { command: "apply" }, { timeoutMs: 0 });
    lock.releaseSync();
    lock.releaseSync();
    expect(await readLock(statePath)).toBeUndefined();
    const again = await acquireLock(statePath, { command: "apply" }, { timeoutMs: 0 });
    await again.release();
  });
});
