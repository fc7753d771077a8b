import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { TestProject } from "vitest/node";
import { postgresServers } from "./postgres-server.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** Base URL of this run's PostgreSQL control endpoint (test/support/postgres.ts). */
    postgresControl: string;
  }
}

/**
 * One PostgreSQL per test run, started only when a test file first asks for it: a run of files
 * that never touch Postgres pays nothing. Test files (in worker processes) reach it through a
 * small HTTP endpoint on 127.0.0.1; the servers are stopped and their folders removed at the end.
 */
export async function setup(project: TestProject): Promise<() => Promise<void>> {
  const servers = postgresServers();
  const control = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://control");
    const [, action, id] = url.pathname.split("/");
    const answer = async () => {
      switch (action) {
        case "shared":
          return servers.shared();
        case "create":
          return servers.create();
        case "stop":
          await servers.stop(id ?? "");
          return {};
        case "start":
          await servers.start(id ?? "");
          return {};
        default:
          throw new Error(`unknown postgres control action '${action}'`);
      }
    };
    answer().then(
      (body) => {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify(body));
      },
      (error: unknown) => {
        res.writeHead(500, { "content-type": "text/plain" });
        res.end(error instanceof Error ? (error.stack ?? error.message) : String(error));
      },
    );
  });
  await new Promise<void>((resolve) => control.listen(0, "127.0.0.1", resolve));
  project.provide("postgresControl", `http://127.0.0.1:${(control.address() as AddressInfo).port}`);
  return async () => {
    await new Promise<void>((resolve) => control.close(() => resolve()));
    await servers.close();
  };
}
