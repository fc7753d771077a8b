import { randomBytes } from "node:crypto";
import { inject } from "vitest";
import type { ClusterInfo } from "./postgres-server.js";

export { TEST_PG_PASSWORD, TEST_PG_USER } from "./postgres-server.js";
export type { ClusterInfo } from "./postgres-server.js";

/**
 * Test files' side of the run's PostgreSQL (test/support/postgres-global-setup.ts): the shared
 * cluster, a database of one's own on it, and clusters of one's own to stop and start.
 */
async function control<T>(path: string): Promise<T> {
  const response = await fetch(`${inject("postgresControl")}${path}`, { method: "POST" });
  if (!response.ok) throw new Error(`postgres test server: ${await response.text()}`);
  return (await response.json()) as T;
}

export const sharedCluster = (): Promise<ClusterInfo> => control("/shared");
export const ownCluster = (): Promise<ClusterInfo> => control("/create");
export const stopCluster = (id: string): Promise<void> => control(`/stop/${id}`);
export const startCluster = (id: string): Promise<void> => control(`/start/${id}`);

/** postgres://user:password@host:port/database, the password escaped as a URL needs. */
export function urlFor(cluster: ClusterInfo, database: string, query = ""): string {
  return `postgres://${encodeURIComponent(cluster.user)}:${encodeURIComponent(cluster.password)}@${cluster.host}:${cluster.port}/${database}${query}`;
}

/** A new empty database on `cluster` (default: the shared one); returns its URL. */
export async function freshDatabase(
  cluster?: ClusterInfo,
): Promise<{ url: string; cluster: ClusterInfo; database: string }> {
  const on = cluster ?? (await sharedCluster());
  const database = `t_${randomBytes(6).toString("hex")}`;
  const { default: pg } = await import("pg");
  const client = new pg.Client({ connectionString: urlFor(on, "postgres") });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${database}`);
  } finally {
    await client.end();
  }
  return { url: urlFor(on, database), cluster: on, database };
}
