import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/run.js";
import type { LockInfo } from "../../src/state/types.js";

let cwd: string;
beforeEach(async () => {
  cwd = await mkdtemp(path.join(tmpdir(), "campaignctl-force-unlock-"));
});
afterEach(async () => {
  await rm(cwd, { recursive: true, force: true });
});

const HOLDER: LockInfo = { pid: 4242, host: "ci-7", command: "apply", since: "2026-01-02T03:04:05.000Z" };

async function placeLock(relative = ".campaignctl/state.json", info: LockInfo = HOLDER): Promise<string> {
  const lockPath = path.join(cwd, `${relative}.lock`);
  await mkdir(path.dirname(lockPath), { recursive: true });
  await writeFile(lockPath, `${JSON.stringify(info)}\n`);
  return lockPath;
}

async function exists(file: string): Promise<boolean> {
  return readFile(file).then(
    () => true,
    () => false,
  );
}

async function run(argv: string[], opts: { interactive?: boolean; input?: string } = {}) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const stdin = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (c: Buffer) => (out += c.toString()));
  stderr.on("data", (c: Buffer) => (err += c.toString()));
  if (opts.input !== undefined) stdin.end(opts.input);
  const code = await runCli({
    argv,
    env: {},
    cwd,
    stdout,
    stderr,
    stdin,
    interactive: opts.interactive ?? false,
    color: false,
  });
  return { code, out, err };
}

describe("campaignctl force-unlock", () => {
  it("removes the lock with --yes and shows who held it", async () => {
    const lockPath = await placeLock();
    const { code, out, err } = await run(["force-unlock", "--yes"]);
    expect(code).toBe(0);
    expect(await exists(lockPath)).toBe(false);
    expect(err).toContain("held by pid 4242 on host ci-7 running 'apply' since 2026-01-02T03:04:05.000Z");
    expect(err).toContain("Lock removed");
    expect(out).toBe("");
  });

  it("refuses without a terminal and without --yes, keeping the lock", async () => {
    const lockPath = await placeLock();
    const { code, err } = await run(["force-unlock"]);
    expect(code).toBe(1);
    expect(err).toContain("--yes");
    expect(err).toContain("held by pid 4242");
    expect(await exists(lockPath)).toBe(true);
  });

  it("asks on a terminal and removes the lock on 'yes'", async () => {
    const lockPath = await placeLock();
    const { code, err } = await run(["force-unlock"], { interactive: true, input: "yes\n" });
    expect(code).toBe(0);
    expect(err).toContain("Remove this lock? (yes/no)");
    expect(await exists(lockPath)).toBe(false);
  });

  it("keeps the lock when the answer is no", async () => {
    const lockPath = await placeLock();
    const { code, err } = await run(["force-unlock"], { interactive: true, input: "no\n" });
    expect(code).toBe(1);
    expect(err).toContain("lock kept");
    expect(await exists(lockPath)).toBe(true);
  });

  it("removes an unreadable lock with --yes", async () => {
    const lockPath = path.join(cwd, ".campaignctl/state.json.lock");
    await mkdir(path.dirname(lockPath), { recursive: true });
    await writeFile(lockPath, "");
    const { code, err } = await run(["force-unlock", "--yes"]);
    expect(code).toBe(0);
    expect(err).toContain("cannot be read");
    expect(await exists(lockPath)).toBe(false);
  });

  it("says so when there is no lock", async () => {
    const { code, out, err } = await run(["force-unlock", "--yes"]);
    expect(code).toBe(0);
    expect(err).toContain("No lock");
    expect(out).toBe("");
  });

  it("finds the lock of --state PATH and of --sandbox", async () => {
    const custom = await placeLock("envs/live.json");
    const sandbox = await placeLock(".campaignctl/sandbox/state.json");
    const main = await placeLock();
    expect((await run(["force-unlock", "--state", "envs/live.json", "--yes"])).code).toBe(0);
    expect(await exists(custom)).toBe(false);
    expect(await exists(sandbox)).toBe(true);
    expect((await run(["force-unlock", "--sandbox", "--yes"])).code).toBe(0);
    expect(await exists(sandbox)).toBe(false);
    expect(await exists(main)).toBe(true);
  });

  it("warns when the holder is still running on this host", async () => {
    await placeLock(undefined, { ...HOLDER, pid: process.pid, host: hostname() });
    const { code, err } = await run(["force-unlock", "--yes"]);
    expect(code).toBe(0);
    expect(err).toContain("still running");
  });
});
