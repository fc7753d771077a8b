import { hostname as osHostname } from "node:os";
import pg from "pg";
import type { Client } from "pg";
import { CampaignctlError } from "../../core/errors.js";
import { redactSecrets } from "../../core/redact.js";
import { sleep } from "../../core/sleep.js";
import { assertExpectedVersion, keysTouched, nextSerial } from "../changes.js";
import { describeHolder } from "../lock.js";
import type { PostgresLocation } from "../location.js";
import { normalizeApiUrl } from "../target.js";
import type {
  CampaignRecord,
  CommitMeta,
  DestroyedRecord,
  LockInfo,
  LockOptions,
  StateChange,
  StateFile,
  StateLock,
  StateStore,
  StateTarget,
  StateVersion,
  StateVersionRef,
} from "../types.js";
import { findStateProblems } from "../validate.js";
import { migrate } from "./migrations.js";

export interface PostgresStoreOptions {
  readonly location: PostgresLocation;
  /** The project name: one state per project and target. */
  readonly project: string;
  readonly target: StateTarget;
  /** Strings that must never be written to the state (the API key): such a write is refused. */
  readonly secrets?: readonly string[];
  /** How many versions of history to keep per state. Default 100. */
  readonly historyLimit?: number;
  /** How often to try again while waiting for a lock, in ms. Default 200. */
  readonly lockPollMs?: number;
}

const DEFAULT_HISTORY = 100;

/** One row of `records`, as read back. */
interface RecordRow {
  readonly kind: "campaign" | "destroyed";
  readonly key: string;
  readonly record: CampaignRecord | DestroyedRecord;
}

/**
 * The Postgres state backend. One connection, opened on first use and kept for the run: it holds
 * the session-level advisory lock, so the lock goes when the connection does (a runner killed
 * with -9 included), and every commit runs on it, so a commit can only land while the lock is
 * held. A lost connection is never reopened: the lock went with it, and the run stops.
 */
export function openPostgresStore(opts: PostgresStoreOptions): StateStore {
  const { schema, printable: location } = opts.location;
  const project = opts.project;
  const apiUrl = normalizeApiUrl(opts.target.apiUrl);
  const mode = opts.target.mode;
  const lockKey = `${schema}|${project}|${apiUrl}|${mode}`;
  const historyLimit = Math.max(1, opts.historyLimit ?? DEFAULT_HISTORY);
  const secrets = [...(opts.secrets ?? []), ...opts.location.secrets].filter((s) => s.length >= 4);
  const keyArgs = [project, apiUrl, mode] as const;

  let client: Client | undefined;
  let connecting: Promise<Client> | undefined;
  /** Why the connection is gone, once it is: every later call fails with it. */
  let lost: unknown;
  let closed = false;
  let held: StateLock | undefined;
  // One query sequence at a time on the one connection: a commit's transaction must not
  // interleave with a read from a concurrent step.
  let queue: Promise<unknown> = Promise.resolve();

  const connect = (): Promise<Client> =>
    (connecting ??= (async () => {
      const c = new pg.Client({
        connectionString: opts.location.connectionString,
        application_name: "campaignctl",
        keepAlive: true,
        connectionTimeoutMillis: 15_000,
      });
      // Without a listener a dropped connection would crash the process; recorded, it makes the
      // next call fail with a clear message instead.
      // Before the connection is ready its failures are connect()'s to report.
      c.on("error", (error) => {
        if (client === c) lost ??= error;
      });
      c.on("end", () => {
        if (client === c) lost ??= new Error("the connection was closed");
      });
      try {
        await c.connect();
        await migrate(c, schema, location);
      } catch (error) {
        // A half-open connection would keep the process alive after the error is reported.
        await c.end().catch(() => undefined);
        throw error;
      }
      client = c;
      return c;
    })());

  function exclusive<T>(doing: string, work: (c: Client) => Promise<T>): Promise<T> {
    const run = queue.then(async () => {
      if (closed) throw unavailable(doing, new Error("the store was closed"));
      if (lost !== undefined) throw unavailable(doing, lost);
      let c: Client;
      try {
        c = await connect();
      } catch (error) {
        connecting = undefined;
        if (error instanceof CampaignctlError) throw error;
        const sqlState = (error as { code?: unknown }).code;
        const refused = typeof sqlState === "string" && /^(28|3D)/.test(sqlState);
        throw isConnectionError(error) || refused ? unavailable(doing, error) : failed(doing, error);
      }
      try {
        return await work(c);
      } catch (error) {
        if (error instanceof CampaignctlError) throw error;
        throw lost !== undefined || isConnectionError(error)
          ? unavailable(doing, lost ?? error)
          : failed(doing, error);
      }
    });
    queue = run.catch(() => undefined);
    return run;
  }

  function unavailable(doing: string, error: unknown): CampaignctlError {
    const sqlState = (error as { code?: unknown } | undefined)?.code;
    if (typeof sqlState === "string" && /^(28|3D)/.test(sqlState)) {
      // 28xxx: the login was refused; 3D000: no such database. The server answered: it is up.
      return new CampaignctlError({
        code: "STATE_UNAVAILABLE",
        message: `cannot ${doing}: the state database at ${location} refused the connection (${describe(error)})`,
        hint: "check the user, password and database name in the URL (--state, CAMPAIGNCTL_STATE or the project file's state)",
      });
    }
    return new CampaignctlError({
      code: "STATE_UNAVAILABLE",
      message: `cannot ${doing}: the state database at ${location} is unreachable or the connection was lost (${describe(error)})`,
      source: "remote",
      hint: held
        ? "nothing more was written; when the database is back, run the same command again: it resumes where this one stopped"
        : "check that the database is running and reachable, and the URL (--state, CAMPAIGNCTL_STATE or the project file's state)",
    });
  }

  function failed(doing: string, error: unknown): CampaignctlError {
    return new CampaignctlError({
      code: "STATE_WRITE_FAILED",
      message: `cannot ${doing} in the state database at ${location}: ${describe(error)}`,
      hint: "check the database user's rights on the schema (it needs to create tables in it on first use)",
    });
  }

  function describe(error: unknown): string {
    const text = error instanceof Error ? error.message : String(error);
    return redactSecrets(text, secrets);
  }

  async function selectTarget(c: Client, forUpdate: boolean) {
    const { rows } = await c.query<{ id: string; lineage: string; serial: string }>(
      `SELECT id, lineage, serial FROM ${schema}.targets WHERE project = $1 AND api_url = $2 AND mode = $3${forUpdate ? " FOR UPDATE" : ""}`,
      [...keyArgs],
    );
    const row = rows[0];
    return row === undefined ? undefined : { id: row.id, lineage: row.lineage, serial: Number(row.serial) };
  }

  async function readState(c: Client): Promise<StateFile | undefined> {
    const row = await selectTarget(c, false);
    if (row === undefined) return undefined;
    const { rows } = await c.query<RecordRow>(
      `SELECT kind, key, record FROM ${schema}.records WHERE target_id = $1 ORDER BY kind, key COLLATE "C"`,
      [row.id],
    );
    const campaigns: [string, CampaignRecord][] = [];
    const destroyed: [string, DestroyedRecord][] = [];
    for (const r of rows) {
      if (r.kind === "campaign") campaigns.push([r.key, r.record as CampaignRecord]);
      else destroyed.push([r.key, r.record as DestroyedRecord]);
    }
    const state: StateFile = {
      version: 1,
      lineage: row.lineage,
      serial: row.serial,
      target: { apiUrl, mode },
      // fromEntries defines own properties: a key like "__proto__" stays an ordinary record.
      campaigns: Object.fromEntries(campaigns),
      ...(destroyed.length > 0 ? { destroyed: Object.fromEntries(destroyed) } : {}),
    };
    const problems = findStateProblems(state);
    if (problems.length > 0) {
      throw new CampaignctlError({
        code: "STATE_CORRUPT",
        message: `the state at ${location} (project ${project}, ${apiUrl} ${mode}) is invalid: ${problems.slice(0, 5).join("; ")}`,
        hint: "restore it from a copy ('campaignctl state push' from a good state file), or rebuild it from Lob with 'campaignctl state rebuild'",
      });
    }
    return state;
  }

  /** Refuses a record that is invalid or carries a secret, before anything is written. */
  function checkRecord(
    kind: "campaign" | "destroyed",
    record: CampaignRecord | DestroyedRecord,
    lineage: string,
  ) {
    const probe = {
      version: 1,
      lineage,
      serial: 1,
      target: { apiUrl, mode },
      campaigns: kind === "campaign" ? { [record.key]: record } : {},
      ...(kind === "destroyed" ? { destroyed: { [record.key]: record } } : {}),
    };
    const problems = findStateProblems(probe);
    if (problems.length > 0) {
      throw new CampaignctlError({
        code: "STATE_WRITE_FAILED",
        message: `refusing to write an invalid record '${record.key}' to ${location}: ${problems.slice(0, 5).join("; ")}`,
        source: "toolkit",
        hint: "this is a bug in campaignctl; the stored state was left as it was",
      });
    }
    const text = JSON.stringify(record);
    if (secrets.some((secret) => text.includes(secret))) {
      throw new CampaignctlError({
        code: "STATE_WRITE_FAILED",
        message: `refusing to write record '${record.key}' to ${location}: it would contain a secret`,
        source: "toolkit",
        hint: "this is a bug in campaignctl; the stored state was left as it was",
      });
    }
    return text;
  }

  function checkTarget(target: StateTarget) {
    if (normalizeApiUrl(target.apiUrl) !== apiUrl || target.mode !== mode) {
      throw new CampaignctlError({
        code: "STATE_TARGET_MISMATCH",
        message: `this state belongs to ${normalizeApiUrl(target.apiUrl)} (${target.mode}), but the store at ${location} holds project ${project}'s state for ${apiUrl} (${mode})`,
        hint: "each project and target has its own state in the database: run with the API key and LOB_API_URL of that state",
      });
    }
  }

  async function writeRecord(
    c: Client,
    targetId: string,
    serial: number,
    kind: "campaign" | "destroyed",
    key: string,
    text: string,
  ) {
    await c.query(
      `INSERT INTO ${schema}.records (target_id, kind, key, record, serial) VALUES ($1, $2, $3, $4::json, $5)
       ON CONFLICT (target_id, kind, key) DO UPDATE SET record = EXCLUDED.record, serial = EXCLUDED.serial`,
      [targetId, kind, key, text, serial],
    );
  }

  async function writeAll(c: Client, targetId: string, serial: number, state: StateFile, lineage: string) {
    await c.query(`DELETE FROM ${schema}.records WHERE target_id = $1`, [targetId]);
    const kinds: string[] = [];
    const keys: string[] = [];
    const texts: string[] = [];
    for (const [kind, records] of [
      ["campaign", state.campaigns],
      ["destroyed", state.destroyed ?? {}],
    ] as const) {
      for (const [key, record] of Object.entries(records)) {
        kinds.push(kind);
        keys.push(key);
        texts.push(checkRecord(kind, record.key === key ? record : { ...record, key }, lineage));
      }
    }
    if (keys.length === 0) return;
    await c.query(
      `INSERT INTO ${schema}.records (target_id, kind, key, record, serial)
       SELECT $1, u.kind, u.key, u.record::json, $5 FROM unnest($2::text[], $3::text[], $4::text[]) AS u(kind, key, record)`,
      [targetId, kinds, keys, texts, serial],
    );
  }

  async function commitOn(
    c: Client,
    changes: readonly StateChange[],
    expected: StateVersionRef,
    meta: CommitMeta,
  ) {
    const stored = await selectTarget(c, true);
    assertExpectedVersion(
      location,
      stored ? { lineage: stored.lineage, serial: stored.serial } : undefined,
      expected,
      changes,
    );
    let lineage = stored?.lineage ?? expected.lineage;
    const serial = nextSerial(expected, meta);
    for (const change of changes) {
      if (change.kind === "init") {
        checkTarget(change.target);
        lineage = change.lineage;
      } else if (change.kind === "replace") {
        checkTarget(change.state.target);
        lineage = change.state.lineage;
      }
    }
    let targetId = stored?.id;
    if (targetId === undefined) {
      const { rows } = await c.query<{ id: string }>(
        `INSERT INTO ${schema}.targets (project, api_url, mode, lineage, serial) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
        [...keyArgs, lineage, serial],
      );
      targetId = rows[0]!.id;
    } else {
      // The compare-and-set itself: the row was locked above, so this cannot miss, but a write
      // that did not find the serial it expected must never land.
      const updated = await c.query(
        `UPDATE ${schema}.targets SET lineage = $2, serial = $3, updated_at = now() WHERE id = $1 AND serial = $4`,
        [targetId, lineage, serial, expected.serial],
      );
      if (updated.rowCount !== 1) {
        throw new CampaignctlError({
          code: "STATE_CONFLICT",
          message: `the state at ${location} changed while this write was made from serial ${expected.serial}; nothing was written`,
          hint: "run 'campaignctl plan' to see where things stand now, then run the command again",
        });
      }
    }
    for (const change of changes) {
      switch (change.kind) {
        case "init":
          await c.query(`DELETE FROM ${schema}.records WHERE target_id = $1`, [targetId]);
          break;
        case "replace":
          await writeAll(c, targetId, serial, change.state, lineage);
          break;
        case "put":
          await writeRecord(
            c,
            targetId,
            serial,
            "campaign",
            change.record.key,
            checkRecord("campaign", change.record, lineage),
          );
          break;
        case "put_destroyed":
          await writeRecord(
            c,
            targetId,
            serial,
            "destroyed",
            change.record.key,
            checkRecord("destroyed", change.record, lineage),
          );
          break;
        case "remove":
        case "remove_destroyed":
          await c.query(`DELETE FROM ${schema}.records WHERE target_id = $1 AND kind = $2 AND key = $3`, [
            targetId,
            change.kind === "remove" ? "campaign" : "destroyed",
            change.key,
          ]);
          break;
      }
    }
    await c.query(
      `INSERT INTO ${schema}.versions (target_id, serial, command, keys) VALUES ($1, $2, $3, $4)`,
      [targetId, serial, meta.command, keysTouched(changes)],
    );
    await c.query(`DELETE FROM ${schema}.versions WHERE target_id = $1 AND serial <= $2`, [
      targetId,
      serial - historyLimit,
    ]);
    return { lineage, serial };
  }

  // One statement per step commit; its text is made once (a commit is 1,000s of times a run).
  const commitSql = `WITH t AS (
         UPDATE ${schema}.targets SET serial = $5, updated_at = now()
         WHERE project = $1 AND api_url = $2 AND mode = $3 AND lineage = $4 AND serial = $6
         RETURNING id),
       gone AS (
         DELETE FROM ${schema}.records r USING t, unnest($7::text[], $8::text[]) AS u(kind, key)
         WHERE r.target_id = t.id AND r.kind = u.kind AND r.key = u.key),
       put AS (
         INSERT INTO ${schema}.records (target_id, kind, key, record, serial)
         SELECT t.id, u.kind, u.key, u.record, $5 FROM t, json_to_recordset($9::json) AS u(kind text, key text, record json)
         ON CONFLICT (target_id, kind, key) DO UPDATE SET record = EXCLUDED.record, serial = EXCLUDED.serial),
       version AS (
         INSERT INTO ${schema}.versions (target_id, serial, command, keys) SELECT t.id, $5, $10, $11 FROM t),
       trimmed AS (
         DELETE FROM ${schema}.versions v USING t WHERE v.target_id = t.id AND v.serial <= $5 - $12)
       SELECT id FROM t`;

  /**
   * The common commit, a step's changed records: one statement, so one round trip and one
   * transaction. The compare-and-set is its first part (the target row updated only where lineage
   * and serial are the expected ones); everything else hangs off that row, so a mismatch writes
   * nothing, and is then explained by reading what is stored.
   */
  async function recordCommit(
    c: Client,
    changes: readonly StateChange[],
    expected: StateVersionRef,
    meta: CommitMeta,
  ): Promise<StateVersionRef> {
    const serial = nextSerial(expected, meta);
    // Net effect per record: one statement may touch a row only once.
    const net = new Map<string, { kind: "campaign" | "destroyed"; key: string; text: string | undefined }>();
    for (const change of changes) {
      if (change.kind === "put" || change.kind === "put_destroyed") {
        const kind = change.kind === "put" ? "campaign" : "destroyed";
        const text = checkRecord(kind, change.record, expected.lineage);
        net.set(`${kind}\u0000${change.record.key}`, { kind, key: change.record.key, text });
      } else if (change.kind === "remove" || change.kind === "remove_destroyed") {
        const kind = change.kind === "remove" ? "campaign" : "destroyed";
        net.set(`${kind}\u0000${change.key}`, { kind, key: change.key, text: undefined });
      }
    }
    const puts = [...net.values()].filter((n) => n.text !== undefined);
    const removes = [...net.values()].filter((n) => n.text === undefined);
    const { rows } = await c.query<{ id: string }>(commitSql, [
      ...keyArgs,
      expected.lineage,
      serial,
      expected.serial,
      removes.map((r) => r.kind),
      removes.map((r) => r.key),
      // The records go as one JSON text, not text[] parameters: the driver would escape every
      // quote of every record into an array literal (a copy per record per step).
      `[${puts.map((p) => `{"kind":${JSON.stringify(p.kind)},"key":${JSON.stringify(p.key)},"record":${p.text}}`).join(",")}]`,
      meta.command,
      keysTouched(changes),
      historyLimit,
    ]);
    if (rows.length === 1) return { lineage: expected.lineage, serial };
    const stored = await selectTarget(c, false);
    assertExpectedVersion(
      location,
      stored && { lineage: stored.lineage, serial: stored.serial },
      expected,
      changes,
    );
    throw new CampaignctlError({
      code: "STATE_CONFLICT",
      message: `the state at ${location} changed while this write was made from serial ${expected.serial}; nothing was written`,
      hint: "run 'campaignctl plan' to see where things stand now, then run the command again",
    });
  }

  /** The advisory lock's holder as the database sees it, named by its `locks` row when that row is its. */
  async function holderOf(
    c: Client,
  ): Promise<{ info: LockInfo | undefined; backendPid: number | undefined }> {
    const { rows } = await c.query<{
      backend_pid: number;
      pid: number | null;
      host: string | null;
      command: string | null;
      since: Date | null;
    }>(
      `WITH k AS (SELECT hashtextextended($1, 0) AS h)
       SELECT g.pid AS backend_pid, l.pid, l.host, l.command, l.since
       FROM pg_locks g CROSS JOIN k
       LEFT JOIN ${schema}.locks l ON l.lock_key = $1 AND l.backend_pid = g.pid
       WHERE g.locktype = 'advisory' AND g.granted AND g.objsubid = 1
         AND g.classid = ((k.h >> 32) & 4294967295)::oid AND g.objid = (k.h & 4294967295)::oid
       LIMIT 1`,
      [lockKey],
    );
    const row = rows[0];
    if (row === undefined) return { info: undefined, backendPid: undefined };
    if (row.pid === null || row.host === null || row.command === null || row.since === null) {
      return { info: undefined, backendPid: row.backend_pid };
    }
    return {
      info: { pid: row.pid, host: row.host, command: row.command, since: row.since.toISOString() },
      backendPid: row.backend_pid,
    };
  }

  function lockedError(
    holder: { info: LockInfo | undefined; backendPid: number | undefined },
    waitedMs: number,
  ) {
    const waited = waitedMs > 0 ? ` (waited ${Math.round(waitedMs / 100) / 10}s)` : "";
    const who = holder.info
      ? describeHolder(holder.info)
      : `held by database session ${holder.backendPid ?? "?"} (it has not named its holder yet)`;
    return new CampaignctlError({
      code: "STATE_LOCKED",
      message: `state ${location} (project ${project}, ${apiUrl} ${mode}) is locked${waited}: ${who}`,
      hint: "wait for that run to finish (e.g. --lock-timeout 2m waits up to two minutes for it); a run that crashed or was killed releases the lock by itself when its database connection closes. To stop a run that is still going: 'campaignctl force-unlock' with the same --state",
    });
  }

  const store: StateStore = {
    location,
    backend: "postgres",

    read: () => exclusive("read the state", readState),

    commit(changes, expected, meta) {
      return exclusive("write the state", async (c) => {
        if (held === undefined) {
          throw new CampaignctlError({
            code: "STATE_WRITE_FAILED",
            message: `refusing to write the state at ${location} without holding its lock`,
            source: "toolkit",
            hint: "this is a bug in campaignctl: state is written only under the lock",
          });
        }
        if (expected.serial > 0 && changes.every((ch) => ch.kind !== "init" && ch.kind !== "replace")) {
          return recordCommit(c, changes, expected, meta);
        }
        await c.query("BEGIN");
        try {
          const version = await commitOn(c, changes, expected, meta);
          await c.query("COMMIT");
          return version;
        } catch (error) {
          if (lost === undefined) await c.query("ROLLBACK").catch(() => undefined);
          throw error;
        }
      });
    },

    lock(command: string, lockOpts: LockOptions = {}) {
      const timeoutMs = Math.max(0, lockOpts.timeoutMs ?? 0);
      const pollMs = Math.max(1, opts.lockPollMs ?? 200);
      const started = Date.now();
      const host = osHostname();
      const attempt = () =>
        exclusive("take the state lock", async (c) => {
          const { rows } = await c.query<{ ok: boolean }>(
            "SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS ok",
            [lockKey],
          );
          if (rows[0]?.ok !== true) return { acquired: false as const, holder: await holderOf(c) };
          const info: LockInfo = { pid: process.pid, host, command, since: new Date().toISOString() };
          await c.query(
            `INSERT INTO ${schema}.locks (lock_key, pid, host, command, since, backend_pid) VALUES ($1, $2, $3, $4, $5, pg_backend_pid())
             ON CONFLICT (lock_key) DO UPDATE SET pid = EXCLUDED.pid, host = EXCLUDED.host, command = EXCLUDED.command,
               since = EXCLUDED.since, backend_pid = EXCLUDED.backend_pid`,
            [lockKey, info.pid, info.host, info.command, info.since],
          );
          return { acquired: true as const, info };
        });
      return (async () => {
        if (held !== undefined) return held;
        for (;;) {
          const result = await attempt();
          if (result.acquired) {
            held = heldLock(result.info);
            return held;
          }
          const waited = Date.now() - started;
          if (waited >= timeoutMs) throw lockedError(result.holder, timeoutMs);
          await sleep(Math.min(pollMs, timeoutMs - waited));
        }
      })();
    },

    history(limit = DEFAULT_HISTORY) {
      return exclusive("read the state's history", async (c) => {
        const { rows } = await c.query<{ serial: string; at: Date; command: string; keys: string[] }>(
          `SELECT v.serial, v.at, v.command, v.keys FROM ${schema}.versions v JOIN ${schema}.targets t ON t.id = v.target_id
           WHERE t.project = $1 AND t.api_url = $2 AND t.mode = $3 ORDER BY v.serial DESC LIMIT $4`,
          [...keyArgs, Math.max(0, Math.floor(limit))],
        );
        return rows.map((r): StateVersion => ({
          serial: Number(r.serial),
          at: r.at.toISOString(),
          command: r.command,
          keys: r.keys,
        }));
      });
    },

    blobs: {
      put(sha256, bytes) {
        return exclusive("store artwork", async (c) => {
          await c.query(
            `INSERT INTO ${schema}.blobs (sha256, bytes) VALUES ($1, $2) ON CONFLICT (sha256) DO NOTHING`,
            [sha256, Buffer.from(bytes)],
          );
        });
      },
      get(sha256) {
        return exclusive("read artwork", async (c) => {
          const { rows } = await c.query<{ bytes: Buffer }>(
            `SELECT bytes FROM ${schema}.blobs WHERE sha256 = $1`,
            [sha256],
          );
          const bytes = rows[0]?.bytes;
          return bytes === undefined ? undefined : new Uint8Array(bytes);
        });
      },
    },

    async close() {
      if (closed) return;
      await queue;
      closed = true;
      held = undefined;
      // The connection opened at the start may still be on its way: wait for it, to end it.
      const c = client ?? (await connecting?.catch(() => undefined));
      client = undefined;
      if (c !== undefined && lost === undefined) await c.end().catch(() => undefined);
    },
  };

  function heldLock(info: LockInfo): StateLock {
    let released = false;
    const lock: StateLock = {
      path: location,
      info,
      async release() {
        if (released) return;
        released = true;
        if (held === lock) held = undefined;
        if (lost !== undefined || closed) return;
        await exclusive("release the state lock", async (c) => {
          await c.query(
            `DELETE FROM ${schema}.locks WHERE lock_key = $1 AND backend_pid = pg_backend_pid()`,
            [lockKey],
          );
          await c.query("SELECT pg_advisory_unlock(hashtextextended($1, 0))", [lockKey]);
        }).catch(() => undefined);
      },
      releaseSync() {
        // No synchronous network: closing the socket ends the session, and the server drops a
        // session's advisory locks with it. The holder row left behind is believed by no one.
        if (released) return;
        released = true;
        if (held === lock) held = undefined;
        const socket = (client as unknown as { connection?: { stream?: { destroy(): void } } } | undefined)
          ?.connection?.stream;
        socket?.destroy();
      },
      async isHeld() {
        // The session lock cannot be taken from a live session: only ending the session (a
        // lost connection, force-unlock's pg_terminate_backend) does that, and that we notice.
        return !released && lost === undefined && !closed;
      },
    };
    return lock;
  }

  // Connect (and check the schema) at once, while the caller reads manifests and asks Lob: a plan
  // then finds the connection ready when it reads the state. A failure is reported by that read.
  connect().catch(() => undefined);
  return store;
}

/** The pieces of a failure that mean the connection itself is gone, not that a query was wrong. */
function isConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string") {
    // 08: connection exception; 57P01-03: admin shutdown, crash shutdown, cannot connect now.
    if (code.startsWith("08") || code.startsWith("57P")) return true;
    if (/^E[A-Z]+$/.test(code)) return true; // ECONNREFUSED, ECONNRESET, EPIPE, ETIMEDOUT…
  }
  return /Connection terminated|not queryable|connection.*(closed|ended|lost)|timeout/i.test(error.message);
}
