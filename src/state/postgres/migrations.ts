import type { ClientBase } from "pg";
import { CampaignctlError } from "../../core/errors.js";

/**
 * The tables of the Postgres backend, as numbered migrations. Each runs once per database schema,
 * in order, inside one transaction that also records it in `schema_migrations`. Never edit a
 * migration that has shipped: add the next one.
 */
export const MIGRATIONS: readonly { readonly version: number; readonly sql: (schema: string) => string }[] = [
  {
    version: 1,
    sql: (s) => `
      -- One state per project and target (Lob API URL + test/live), like one state file each.
      CREATE TABLE ${s}.targets (
        id bigserial PRIMARY KEY,
        project text NOT NULL,
        api_url text NOT NULL,
        mode text NOT NULL CHECK (mode IN ('test', 'live')),
        lineage text NOT NULL,
        serial bigint NOT NULL CHECK (serial > 0),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (project, api_url, mode)
      );
      -- One row per campaign record and per destroyed tombstone: a step rewrites only its row.
      -- json, not jsonb: a record reads back with its members in the order they were written.
      CREATE TABLE ${s}.records (
        target_id bigint NOT NULL REFERENCES ${s}.targets (id) ON DELETE CASCADE,
        kind text NOT NULL CHECK (kind IN ('campaign', 'destroyed')),
        key text NOT NULL,
        record json NOT NULL,
        serial bigint NOT NULL,
        PRIMARY KEY (target_id, kind, key)
      );
      -- The last versions of each state: serial, time, command, keys touched.
      CREATE TABLE ${s}.versions (
        target_id bigint NOT NULL REFERENCES ${s}.targets (id) ON DELETE CASCADE,
        serial bigint NOT NULL,
        at timestamptz NOT NULL DEFAULT now(),
        command text NOT NULL,
        keys text[] NOT NULL,
        PRIMARY KEY (target_id, serial)
      );
      -- Who holds each state's advisory lock. The advisory lock is the lock; this row only names
      -- the holder, and is believed only while its backend still holds the advisory lock.
      CREATE TABLE ${s}.locks (
        lock_key text PRIMARY KEY,
        pid integer NOT NULL,
        host text NOT NULL,
        command text NOT NULL,
        since timestamptz NOT NULL,
        backend_pid integer NOT NULL
      );
      -- Artwork by sha256, so any runner can show an HTML diff.
      CREATE TABLE ${s}.blobs (
        sha256 text PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'),
        bytes bytea NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      );`,
  },
];

export const LATEST_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/**
 * Brings the schema to the latest version. The common case (already current) costs one query;
 * otherwise the migrations run under a transaction-level advisory lock of their own, so two first
 * runs at once do not both create the tables: the second waits, then finds them made.
 */
export async function migrate(client: ClientBase, schema: string, location: string): Promise<void> {
  const current = await currentVersion(client, schema);
  if (current === LATEST_SCHEMA_VERSION) return;
  if (current !== undefined && current > LATEST_SCHEMA_VERSION) throw tooNew(current, location);
  await client.query("BEGIN");
  try {
    await client.query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", [
      `campaignctl migrate ${schema}`,
    ]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${schema}.schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    const { rows } = await client.query<{ version: number | null }>(
      `SELECT max(version) AS version FROM ${schema}.schema_migrations`,
    );
    const done = rows[0]?.version ?? 0;
    if (done > LATEST_SCHEMA_VERSION) throw tooNew(done, location);
    for (const migration of MIGRATIONS) {
      if (migration.version <= done) continue;
      await client.query(migration.sql(schema));
      await client.query(`INSERT INTO ${schema}.schema_migrations (version) VALUES ($1)`, [
        migration.version,
      ]);
    }
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  }
}

async function currentVersion(client: ClientBase, schema: string): Promise<number | undefined> {
  const { rows } = await client.query<{ present: string | null }>("SELECT to_regclass($1) AS present", [
    `${schema}.schema_migrations`,
  ]);
  if (rows[0]?.present === null || rows[0] === undefined) return undefined;
  const result = await client.query<{ version: number | null }>(
    `SELECT max(version) AS version FROM ${schema}.schema_migrations`,
  );
  return result.rows[0]?.version ?? undefined;
}

function tooNew(version: number, location: string): CampaignctlError {
  return new CampaignctlError({
    code: "STATE_CORRUPT",
    message: `the state database at ${location} has schema version ${version}, newer than this campaignctl knows (${LATEST_SCHEMA_VERSION})`,
    hint: "upgrade campaignctl to the version the other runs use",
  });
}
