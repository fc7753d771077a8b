import pg from "pg";
import { CampaignctlError } from "../../core/errors.js";
import type { PostgresLocation } from "../location.js";
import type { LockInfo } from "../types.js";
import { migrate } from "./migrations.js";

/** A lock on one of a project's states in the database, held by a live session right now. */
export interface HeldPostgresLock {
  /** `project|api_url|mode` without the schema, for display. */
  readonly state: string;
  readonly info: LockInfo;
  /** The database session holding it (what force-unlock ends). */
  readonly backendPid: number;
}

/**
 * The Postgres side of force-unlock. A crashed or killed run needs nothing: its session ended and
 * took the advisory lock with it. What is left is a run still connected (hung, or on a machine
 * that is gone but whose TCP connection the server has not noticed yet); its lock goes only with
 * its session, so force-unlock ends that session with pg_terminate_backend. The run, if it is
 * alive, fails its next write with a lost connection and stops.
 */
export async function withLockAdmin<T>(
  location: PostgresLocation,
  work: (admin: {
    held(project: string): Promise<HeldPostgresLock[]>;
    terminate(lock: HeldPostgresLock): Promise<boolean>;
  }) => Promise<T>,
): Promise<T> {
  const client = new pg.Client({
    connectionString: location.connectionString,
    application_name: "campaignctl force-unlock",
  });
  client.on("error", () => undefined);
  try {
    await client.connect();
    await migrate(client, location.schema, location.printable);
  } catch (error) {
    await client.end().catch(() => undefined);
    throw new CampaignctlError({
      code: "STATE_UNAVAILABLE",
      message: `cannot reach the state database at ${location.printable}: ${error instanceof Error ? error.message : String(error)}`,
      source: "remote",
      hint: "check that the database is running and reachable",
    });
  }
  const s = location.schema;
  try {
    return await work({
      async held(project) {
        const { rows } = await client.query<{
          lock_key: string;
          pid: number;
          host: string;
          command: string;
          since: Date;
          backend_pid: number;
        }>(
          `SELECT l.lock_key, l.pid, l.host, l.command, l.since, l.backend_pid FROM ${s}.locks l
           WHERE l.lock_key LIKE $1 AND EXISTS (
             SELECT 1 FROM pg_locks g WHERE g.locktype = 'advisory' AND g.granted AND g.pid = l.backend_pid
               AND g.classid = ((hashtextextended(l.lock_key, 0) >> 32) & 4294967295)::oid
               AND g.objid = (hashtextextended(l.lock_key, 0) & 4294967295)::oid)
           ORDER BY l.lock_key`,
          [`${s}|${project.replace(/[\\%_]/g, (c) => `\\${c}`)}|%`],
        );
        return rows.map((r) => ({
          state: r.lock_key.slice(s.length + 1),
          info: { pid: r.pid, host: r.host, command: r.command, since: r.since.toISOString() },
          backendPid: r.backend_pid,
        }));
      },
      async terminate(lock) {
        const { rows } = await client.query<{ ok: boolean }>("SELECT pg_terminate_backend($1) AS ok", [
          lock.backendPid,
        ]);
        return rows[0]?.ok === true;
      },
    });
  } finally {
    await client.end().catch(() => undefined);
  }
}
