import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { censusByKey } from "../support/lob-inspect.js";
import {
  freshDatabase,
  ownCluster,
  startCluster,
  stopCluster,
  TEST_PG_PASSWORD,
  urlFor,
} from "../support/postgres.js";
import { useEmulator } from "../support/emulator.js";
import { makeWorkspace, TEST_API_KEY } from "../support/workspace.js";
import type { Workspace } from "../support/workspace.js";
import { spawnCli } from "./cli.js";
import type { SpawnResult } from "./cli.js";

const emulator = useEmulator({ processingRowsPerSecond: 1_000_000, rateLimit: false });

const PROJECT = "team-mail";

/** A working copy of one project (as on one laptop or CI runner): same project name, same manifests. */
function workingCopy(keys: readonly string[]): Workspace {
  const ws = makeWorkspace();
  writeFileSync(join(ws.dir, "campaignctl.yaml"), `version: 1\nproject: ${PROJECT}\n`);
  for (const key of keys) ws.addCampaign(key);
  return ws;
}

async function query<T extends pg.QueryResultRow>(
  url: string,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

/** What the database holds for this project's state: serial and keys. */
async function stored(url: string): Promise<{ serial: number; keys: string[] } | undefined> {
  const targets = await query<{ id: string; serial: string }>(
    url,
    "SELECT id, serial FROM campaignctl.targets WHERE project = $1",
    [PROJECT],
  );
  const target = targets[0];
  if (target === undefined) return undefined;
  const rows = await query<{ key: string }>(
    url,
    "SELECT key FROM campaignctl.records WHERE target_id = $1 AND kind = 'campaign' ORDER BY key",
    [target.id],
  );
  return { serial: Number(target.serial), keys: rows.map((r) => r.key) };
}

/** True once a live session holds a lock on this project's state (the holder row of a live backend). */
async function lockHeld(url: string): Promise<boolean> {
  const rows = await query(
    url,
    `SELECT 1 FROM campaignctl.locks l JOIN pg_stat_activity a ON a.pid = l.backend_pid WHERE l.lock_key LIKE $1`,
    [`campaignctl|${PROJECT}|%`],
  ).catch(() => []);
  return rows.length > 0;
}

async function waitFor(check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 50));
  }
}

function expectNoStack(run: SpawnResult): void {
  expect(run.stderr).not.toMatch(/\n\s+at /);
}

describe("state in Postgres: two working copies of one project", () => {
  it("two applies at once: one proceeds, the other exits 1 at once naming the holder; one campaign per key", async () => {
    const { url } = await freshDatabase();
    const [a, b] = [workingCopy(["pg-a", "pg-b"]), workingCopy(["pg-a", "pg-b"])];
    const apiKey = `${TEST_API_KEY}pglock`;
    const env = { LOB_API_KEY: apiKey, LOB_API_URL: emulator.url, CAMPAIGNCTL_STATE: url };
    emulator.setLatency(300);
    try {
      const first = spawnCli(["apply", "--auto-approve", a.dir], { cwd: a.dir, env });
      await waitFor(() => lockHeld(url));
      const started = Date.now();
      const second = await spawnCli(["apply", "--auto-approve", b.dir], { cwd: b.dir, env });
      expect(second.exitCode, second.stderr).toBe(1);
      expect(Date.now() - started).toBeLessThan(15_000);
      expect(second.stderr).toMatch(/is locked: held by pid \d+ on host \S+ running 'apply/);
      expectNoStack(second);
      const firstRun = await first;
      expect(firstRun.exitCode, firstRun.stderr).toBe(0);
      expect((await stored(url))?.keys).toEqual(["pg-a", "pg-b"]);
      // The other working copy now sees everything applied: nothing to do.
      emulator.setLatency(0);
      const plan = await spawnCli(["plan", "--detailed-exitcode", b.dir], { cwd: b.dir, env });
      expect(plan.exitCode, plan.stdout + plan.stderr).toBe(0);
      expect(await censusByKey(emulator, apiKey)).toEqual({
        "pg-a": { campaigns: 1, creatives: 1, uploads: 1, sent: 0 },
        "pg-b": { campaigns: 1, creatives: 1, uploads: 1, sent: 0 },
      });
    } finally {
      emulator.setLatency(0);
      a.cleanup();
      b.cleanup();
    }
  });

  it("with --lock-timeout the second run waits for the first, then finds nothing left to do", async () => {
    const { url } = await freshDatabase();
    const [a, b] = [workingCopy(["pg-wait"]), workingCopy(["pg-wait"])];
    const apiKey = `${TEST_API_KEY}pgwait`;
    const env = { LOB_API_KEY: apiKey, LOB_API_URL: emulator.url };
    emulator.setLatency(300);
    try {
      const args = (dir: string) => ["apply", "--auto-approve", "--lock-timeout", "60s", "--state", url, dir];
      const first = spawnCli(args(a.dir), { cwd: a.dir, env });
      await waitFor(() => lockHeld(url));
      const [one, two] = await Promise.all([first, spawnCli(args(b.dir), { cwd: b.dir, env })]);
      expect([one.exitCode, two.exitCode], one.stderr + two.stderr).toEqual([0, 0]);
      expect(await censusByKey(emulator, apiKey)).toEqual({
        "pg-wait": { campaigns: 1, creatives: 1, uploads: 1, sent: 0 },
      });
    } finally {
      emulator.setLatency(0);
      a.cleanup();
      b.cleanup();
    }
  });

  it("kill -9 of the lock holder: the next run proceeds without force-unlock and finishes the job", async () => {
    const { url } = await freshDatabase();
    const ws = workingCopy(["pg-kill-a", "pg-kill-b"]);
    const apiKey = `${TEST_API_KEY}pgkill`;
    const env = { LOB_API_KEY: apiKey, LOB_API_URL: emulator.url, CAMPAIGNCTL_STATE: url };
    emulator.setLatency(200);
    try {
      const killed = spawnCli(["apply", "--auto-approve", ws.dir], {
        cwd: ws.dir,
        env,
        killAfterOutput: { text: "✓", count: 1, delayMs: 50 },
      });
      const result = await killed;
      expect(result.signal, result.stderr).toBe("SIGKILL");
      emulator.setLatency(0);
      // No force-unlock: the killed run's connection closed, and its advisory lock with it.
      const next = await spawnCli(["apply", "--auto-approve", ws.dir], { cwd: ws.dir, env });
      expect(next.exitCode, next.stderr).toBe(0);
      expect((await stored(url))?.keys).toEqual(["pg-kill-a", "pg-kill-b"]);
      expect(await censusByKey(emulator, apiKey)).toEqual({
        "pg-kill-a": { campaigns: 1, creatives: 1, uploads: 1, sent: 0 },
        "pg-kill-b": { campaigns: 1, creatives: 1, uploads: 1, sent: 0 },
      });
    } finally {
      emulator.setLatency(0);
      ws.cleanup();
    }
  });
});

describe("state in Postgres: the server restarts mid-apply", () => {
  it("the run stops, exits 1 saying what is done; the next run resumes; one campaign per key", async () => {
    const cluster = await ownCluster();
    const { url } = await freshDatabase(cluster);
    const keys = ["pg-restart-a", "pg-restart-b", "pg-restart-c"];
    const ws = workingCopy(keys);
    const apiKey = `${TEST_API_KEY}pgrestart`;
    const env = { LOB_API_KEY: apiKey, LOB_API_URL: emulator.url, CAMPAIGNCTL_STATE: url };
    emulator.setLatency(250);
    try {
      const run = spawnCli(["apply", "--auto-approve", "--parallelism", "1", ws.dir], { cwd: ws.dir, env });
      // Some steps are saved; then the server goes away under the run, and comes back.
      await waitFor(async () => ((await stored(url).catch(() => undefined))?.serial ?? 0) >= 3);
      await stopCluster(cluster.id);
      const stopped = await run;
      await startCluster(cluster.id);
      expect(stopped.exitCode, stopped.stderr).toBe(1);
      expect(stopped.stderr).toMatch(/state database .* (unreachable|connection was lost)/);
      expect(stopped.stderr).toMatch(/run the same command again|apply' again to resume/);
      expectNoStack(stopped);
      emulator.setLatency(0);
      const resumed = await spawnCli(["apply", "--auto-approve", ws.dir], { cwd: ws.dir, env });
      expect(resumed.exitCode, resumed.stderr).toBe(0);
      expect((await stored(url))?.keys).toEqual(keys);
      const census = await censusByKey(emulator, apiKey);
      for (const key of keys) expect(census[key]?.campaigns, key).toBe(1);
    } finally {
      emulator.setLatency(0);
      ws.cleanup();
      await stopCluster(cluster.id);
    }
  });
});

describe("state push and pull", () => {
  it("file → Postgres → file keeps lineage, serial, records and artwork; plan against Postgres has nothing to do", async () => {
    const { url } = await freshDatabase();
    const ws = workingCopy(["pg-push"]);
    const apiKey = `${TEST_API_KEY}pgpush`;
    const env = { LOB_API_KEY: apiKey, LOB_API_URL: emulator.url };
    try {
      const applied = await spawnCli(["apply", "--auto-approve", ws.dir], { cwd: ws.dir, env });
      expect(applied.exitCode, applied.stderr).toBe(0);
      const local = await spawnCli(["state", "show", "pg-push", "--format", "json"], { cwd: ws.dir, env });
      const fileState = JSON.parse(readFileSync(join(ws.dir, ".campaignctl/state.json"), "utf8")) as {
        lineage: string;
        serial: number;
      };

      const pushed = await spawnCli(["state", "push", "--to", url], { cwd: ws.dir, env });
      expect(pushed.exitCode, pushed.stderr).toBe(0);
      expect(pushed.stdout).toContain(`lineage ${fileState.lineage}, serial ${fileState.serial}`);
      expect(pushed.stdout).toMatch(/1 artwork blob/);
      expect((await stored(url))?.serial).toBe(fileState.serial);
      const again = await spawnCli(["state", "push", "--to", url], { cwd: ws.dir, env });
      expect(again.exitCode, again.stderr).toBe(0);
      expect(again.stdout).toContain("nothing to copy");

      const remote = await spawnCli(["state", "show", "pg-push", "--format", "json", "--state", url], {
        cwd: ws.dir,
        env,
      });
      expect(remote.stdout).toBe(local.stdout);
      const plan = await spawnCli(["plan", "--detailed-exitcode", "--state", url, ws.dir], {
        cwd: ws.dir,
        env,
      });
      expect(plan.exitCode, plan.stdout + plan.stderr).toBe(0);
      const history = await spawnCli(["state", "history", "--format", "json", "--state", url], {
        cwd: ws.dir,
        env,
      });
      expect(history.exitCode, history.stderr).toBe(0);
      expect(JSON.parse(history.stdout)).toEqual({
        version: 1,
        history: [{ serial: fileState.serial, at: expect.any(String), command: "state push", keys: ["*"] }],
      });

      const pulled = await spawnCli(["state", "pull", "--state", url, "--to", "pulled/state.json"], {
        cwd: ws.dir,
        env,
      });
      expect(pulled.exitCode, pulled.stderr).toBe(0);
      const back = JSON.parse(readFileSync(join(ws.dir, "pulled/state.json"), "utf8")) as unknown;
      expect(back).toEqual(JSON.parse(readFileSync(join(ws.dir, ".campaignctl/state.json"), "utf8")));
      // The artwork came along: its blob sits beside the pulled state.
      expect(readdirSync(join(ws.dir, "pulled/state.json.blobs"))).toHaveLength(1);
    } finally {
      ws.cleanup();
    }
  });

  it("refuses to overwrite another state", async () => {
    const { url } = await freshDatabase();
    const [a, b] = [workingCopy(["pg-one"]), workingCopy(["pg-two"])];
    const apiKey = `${TEST_API_KEY}pgrefuse`;
    const env = { LOB_API_KEY: apiKey, LOB_API_URL: emulator.url };
    try {
      for (const ws of [a, b]) {
        const applied = await spawnCli(["apply", "--auto-approve", ws.dir], { cwd: ws.dir, env });
        expect(applied.exitCode, applied.stderr).toBe(0);
      }
      expect((await spawnCli(["state", "push", "--to", url], { cwd: a.dir, env })).exitCode).toBe(0);
      const other = await spawnCli(["state", "push", "--to", url], { cwd: b.dir, env });
      expect(other.exitCode).toBe(1);
      expect(other.stderr).toMatch(/already holds another state \(lineage/);
      expectNoStack(other);
      expect((await stored(url))?.keys).toEqual(["pg-one"]);
    } finally {
      a.cleanup();
      b.cleanup();
    }
  });
});

describe("state in Postgres: credentials never appear", () => {
  it("no password or user:password in any output, error, file or lock, whatever the command", async () => {
    const cluster = await ownCluster();
    const { url, database } = await freshDatabase(cluster);
    const ws = workingCopy(["pg-secret"]);
    // The project file names the database through the environment, as a CI job would.
    writeFileSync(
      join(ws.dir, "campaignctl.yaml"),
      `version: 1\nproject: ${PROJECT}\nstate: \${env:DATABASE_URL}\n`,
    );
    const apiKey = `${TEST_API_KEY}pgsecret`;
    const env = { LOB_API_KEY: apiKey, LOB_API_URL: emulator.url, DATABASE_URL: url };
    const wrongPassword = urlFor({ ...cluster, password: `${TEST_PG_PASSWORD}-wrong` }, database);
    const runs: SpawnResult[] = [];
    const run = async (args: string[], extra: Record<string, string> = {}) => {
      const result = await spawnCli(args, { cwd: ws.dir, env: { ...env, ...extra } });
      runs.push(result);
      return result;
    };
    try {
      expect((await run(["plan", ws.dir])).exitCode).toBe(0);
      const applied = await run(["apply", "--auto-approve", ws.dir]);
      expect(applied.exitCode, applied.stderr).toBe(0);
      expect((await stored(url))?.keys).toEqual(["pg-secret"]);
      expect((await run(["state", "list"])).exitCode).toBe(0);
      expect((await run(["state", "pull", "--to", "copy.json"])).exitCode).toBe(0);
      expect((await run(["force-unlock", "--yes"])).exitCode).toBe(0);
      // Failures print the place, never the password: a wrong password, a server that is down.
      const denied = await run(["plan", ws.dir], { DATABASE_URL: wrongPassword });
      expect(denied.exitCode).toBe(1);
      expect(denied.stderr).toMatch(/postgres:\/\/127\.0\.0\.1:\d+\/t_[0-9a-f]+\?schema=campaignctl/);
      const viaFlag = await run(["state", "list", "--state", wrongPassword]);
      expect(viaFlag.exitCode).toBe(1);
      await stopCluster(cluster.id);
      const down = await run(["plan", ws.dir]);
      expect(down.exitCode).toBe(1);
      expect(down.stderr).toContain("unreachable");
      for (const result of runs) expectNoStack(result);

      const secrets = [TEST_PG_PASSWORD, encodeURIComponent(TEST_PG_PASSWORD), `${TEST_PG_PASSWORD}-wrong`];
      const outputs = runs.flatMap((r) => [r.stdout, r.stderr]);
      const files = listFiles(ws.dir).map((f) => readFileSync(f, "latin1"));
      for (const text of [...outputs, ...files]) {
        for (const secret of secrets) expect(text).not.toContain(secret);
        expect(text).not.toMatch(/postgres:\/\/[^/\s]*@/);
      }
    } finally {
      ws.cleanup();
      await stopCluster(cluster.id);
    }
  });
});

function listFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? listFiles(path) : [path];
  });
}
