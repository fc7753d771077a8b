import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { CampaignctlError } from "../../../src/core/errors.js";
import { parsePostgresUrl } from "../../../src/state/location.js";
import { LATEST_SCHEMA_VERSION } from "../../../src/state/postgres/migrations.js";
import { openPostgresStore } from "../../../src/state/postgres/store.js";
import type { CampaignRecord, StateStore, StateTarget } from "../../../src/state/types.js";
import { freshDatabase, TEST_PG_PASSWORD } from "../../support/postgres.js";

const TARGET: StateTarget = { apiUrl: "https://api.lob.com/v1", mode: "test" };
const LINEAGE = "5b1c7a0e-7d0a-4a43-9a57-2f4b7b0d9c11";

const opened: StateStore[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close()));
});

function open(
  url: string,
  overrides: { project?: string; target?: StateTarget; historyLimit?: number } = {},
) {
  const store = openPostgresStore({
    location: parsePostgresUrl(url),
    project: overrides.project ?? "acme",
    target: overrides.target ?? TARGET,
    lockPollMs: 20,
    ...(overrides.historyLimit ? { historyLimit: overrides.historyLimit } : {}),
  });
  opened.push(store);
  return store;
}

function aRecord(key: string, campaignId = `cmp_${key.replace(/[^a-z0-9]/g, "")}1`): CampaignRecord {
  return {
    key,
    campaignId,
    // Members in a non-alphabetical order: the backend must give them back as written.
    applied: { campaign: { schedule_type: "immediate", name: `Campaign ${key}` }, audienceRows: 3 },
  };
}

async function caught(promise: Promise<unknown>): Promise<CampaignctlError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CampaignctlError);
  return error as CampaignctlError;
}

async function started(store: StateStore) {
  await store.lock("apply");
  return store.commit(
    [{ kind: "init", lineage: LINEAGE, target: TARGET }],
    { lineage: LINEAGE, serial: 0 },
    { command: "apply" },
  );
}

describe("postgres state store", () => {
  it("creates its schema on first use, and two first runs at once both succeed", async () => {
    const { url } = await freshDatabase();
    const a = open(url);
    const b = open(url, { project: "other" });
    await Promise.all([a.read(), b.read()]);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const { rows } = await client.query<{ version: number }>(
      "SELECT version FROM campaignctl.schema_migrations",
    );
    await client.end();
    expect(rows.map((r) => r.version)).toEqual([LATEST_SCHEMA_VERSION]);
  });

  it("keeps its tables in the schema the URL names", async () => {
    const { url } = await freshDatabase();
    const store = open(`${url}?schema=team_state`);
    await started(store);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const { rows } = await client.query<{ n: string }>("SELECT count(*) AS n FROM team_state.targets");
    await client.end();
    expect(rows[0]?.n).toBe("1");
    expect(store.location).toContain("schema=team_state");
  });

  it("writes one record per row and reads the state back in key order, members as written", async () => {
    const { url } = await freshDatabase();
    const store = open(url);
    let version = await started(store);
    for (const key of ["b-key", "a-key", "__proto__"]) {
      version = await store.commit([{ kind: "put", record: aRecord(key) }], version, { command: "apply" });
    }
    version = await store.commit(
      [
        { kind: "remove", key: "b-key" },
        {
          kind: "put_destroyed",
          record: { key: "b-key", campaignId: "cmp_bkey1", at: "2026-01-01T00:00:00.000Z", how: "deleted" },
        },
      ],
      version,
      { command: "destroy" },
    );
    expect(version).toEqual({ lineage: LINEAGE, serial: 5 });
    const state = await open(url).read();
    expect(state?.serial).toBe(5);
    expect(Object.keys(state?.campaigns ?? {})).toEqual(["__proto__", "a-key"]);
    expect(Object.keys(state?.campaigns["a-key"]?.applied.campaign ?? {})).toEqual(["schedule_type", "name"]);
    expect(state?.destroyed?.["b-key"]?.how).toBe("deleted");
    expect(state?.target).toEqual(TARGET);
  });

  it("keeps one state per project and target", async () => {
    const { url } = await freshDatabase();
    const test = open(url);
    await started(test);
    const live = open(url, { target: { apiUrl: TARGET.apiUrl, mode: "live" } });
    const otherProject = open(url, { project: "beta" });
    expect(await live.read()).toBeUndefined();
    expect(await otherProject.read()).toBeUndefined();
    // Each has its own lock: a test-mode run does not block a live one.
    await live.lock("apply");
    await otherProject.lock("apply");
  });

  it("refuses a write made from an older serial (compare-and-set), from another store too", async () => {
    const { url } = await freshDatabase();
    const first = open(url);
    const v1 = await started(first);
    const v2 = await first.commit([{ kind: "put", record: aRecord("a") }], v1, { command: "apply" });
    const stale = await caught(
      first.commit([{ kind: "put", record: aRecord("b") }], v1, { command: "apply" }),
    );
    expect(stale.code).toBe("STATE_CONFLICT");
    expect(stale.message).toContain("serial 2");
    expect(stale.message).toContain("serial 1");
    // Another working copy that read before first's write: its write is refused, not lost.
    await first.lock("apply").then((l) => l.release());
    const second = open(url);
    await second.lock("apply");
    const other = await caught(
      second.commit([{ kind: "put", record: aRecord("c") }], v1, { command: "apply" }),
    );
    expect(other.code).toBe("STATE_CONFLICT");
    const state = await second.read();
    expect(Object.keys(state?.campaigns ?? {})).toEqual(["a"]);
    expect(state?.serial).toBe(v2.serial);
  });

  it("refuses a write without the lock, and an invalid record, writing nothing", async () => {
    const { url } = await freshDatabase();
    const store = open(url);
    const unlocked = await caught(
      store.commit(
        [{ kind: "init", lineage: LINEAGE, target: TARGET }],
        { lineage: LINEAGE, serial: 0 },
        { command: "apply" },
      ),
    );
    expect(unlocked.code).toBe("STATE_WRITE_FAILED");
    const v1 = await started(store);
    const bad = { key: "x", campaignId: 42 } as unknown as CampaignRecord;
    const invalid = await caught(store.commit([{ kind: "put", record: bad }], v1, { command: "apply" }));
    expect(invalid.code).toBe("STATE_WRITE_FAILED");
    expect((await store.read())?.serial).toBe(1);
  });

  it("refuses a record holding a secret", async () => {
    const { url } = await freshDatabase();
    const store = openPostgresStore({
      location: parsePostgresUrl(url),
      project: "acme",
      target: TARGET,
      secrets: ["test_secretKeyValue123"],
    });
    opened.push(store);
    const v1 = await started(store);
    const leaky = { ...aRecord("a"), applied: { campaign: { description: "test_secretKeyValue123" } } };
    const error = await caught(store.commit([{ kind: "put", record: leaky }], v1, { command: "apply" }));
    expect(error.code).toBe("STATE_WRITE_FAILED");
    expect(error.message).not.toContain("test_secretKeyValue123");
  });

  it("a replace keeps the moved state's lineage and serial", async () => {
    const { url } = await freshDatabase();
    const store = open(url);
    await store.lock("state push");
    const moved = {
      version: 1 as const,
      lineage: LINEAGE,
      serial: 57,
      target: TARGET,
      campaigns: { a: aRecord("a"), b: aRecord("b") },
    };
    const version = await store.commit(
      [{ kind: "replace", state: moved }],
      { lineage: "none", serial: 0 },
      { command: "state push", serial: 57 },
    );
    expect(version).toEqual({ lineage: LINEAGE, serial: 57 });
    expect(await store.read()).toEqual(moved);
  });

  it("lists history newest first and keeps only the last N versions", async () => {
    const { url } = await freshDatabase();
    const store = open(url, { historyLimit: 3 });
    let version = await started(store);
    for (const key of ["a", "b", "c"]) {
      version = await store.commit([{ kind: "put", record: aRecord(key) }], version, {
        command: `apply ${key}`,
      });
    }
    const history = await store.history();
    expect(history.map((h) => [h.serial, h.command, h.keys])).toEqual([
      [4, "apply c", ["c"]],
      [3, "apply b", ["b"]],
      [2, "apply a", ["a"]],
    ]);
    expect(Date.parse(history[0]!.at)).not.toBeNaN();
    expect(await store.history(1)).toHaveLength(1);
  });

  it("stores artwork blobs by sha256", async () => {
    const { url } = await freshDatabase();
    const store = open(url);
    const sha = "a".repeat(64);
    const bytes = new TextEncoder().encode("<html>front</html>");
    await store.blobs.put(sha, bytes);
    await store.blobs.put(sha, bytes);
    expect(Buffer.from((await open(url).blobs.get(sha))!).toString()).toBe("<html>front</html>");
    expect(await store.blobs.get("b".repeat(64))).toBeUndefined();
  });

  it("a second run's lock fails at once naming the holder; it waits with a timeout; a closed connection frees it", async () => {
    const { url } = await freshDatabase();
    const holder = open(url);
    await holder.lock("apply (ci-7)");
    const second = open(url);
    const t0 = Date.now();
    const error = await caught(second.lock("apply"));
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(error.code).toBe("STATE_LOCKED");
    expect(error.message).toMatch(
      new RegExp(`held by pid ${process.pid} on host \\S+ running 'apply \\(ci-7\\)' since \\d{4}-`),
    );
    const waited = await caught(second.lock("apply", { timeoutMs: 150 }));
    expect(waited.message).toContain("waited");
    // The holder's connection goes (as when its process is killed): the lock goes with it.
    const waiting = second.lock("apply", { timeoutMs: 10_000 });
    await holder.close();
    const lock = await waiting;
    expect(lock.info.pid).toBe(process.pid);
    expect(await lock.isHeld()).toBe(true);
  });

  it("says the database is unreachable without printing the password", async () => {
    const { cluster } = await freshDatabase();
    const url = `postgres://campaignctl:${encodeURIComponent(TEST_PG_PASSWORD)}@127.0.0.1:${cluster.port}/no_such_db`;
    const error = await caught(open(url).read());
    expect(error.code).toBe("STATE_UNAVAILABLE");
    expect(error.message).toContain("127.0.0.1");
    for (const text of [error.message, error.hint ?? ""]) {
      expect(text).not.toContain(TEST_PG_PASSWORD);
      expect(text).not.toContain(encodeURIComponent(TEST_PG_PASSWORD));
    }
  });

  it("a user who may not create the schema gets a clear error, not 'unreachable'", async () => {
    const { url, cluster, database } = await freshDatabase();
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    const role = `r_${database}`;
    await admin.query(`CREATE ROLE ${role} LOGIN PASSWORD 'reader-pass'`);
    await admin.query(`REVOKE CREATE ON DATABASE ${database} FROM PUBLIC`);
    await admin.end();
    const error = await caught(
      open(`postgres://${role}:reader-pass@127.0.0.1:${cluster.port}/${database}`).read(),
    );
    expect(error.code).toBe("STATE_WRITE_FAILED");
    expect(error.message).toMatch(/permission denied/);
    expect(error.hint).toMatch(/rights on the schema/);
    expect(error.message).not.toContain("reader-pass");
  });
});
