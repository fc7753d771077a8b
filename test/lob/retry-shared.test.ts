import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createLobClient } from "../../src/lob/client.js";
import type * as WithRetryModule from "../../src/lob/with-retry.js";
import { startFakeServer } from "./fake-server.js";
import type { FakeServer } from "./fake-server.js";

// Every use of withRetry is recorded: the API calls and the download must go through this one loop.
const loops = vi.hoisted(() => [] as Array<{ method: string; endpoint: string; idempotent: boolean }>);
vi.mock("../../src/lob/with-retry.js", async (importOriginal) => {
  const real = await importOriginal<typeof WithRetryModule>();
  return {
    ...real,
    withRetry: ((attempt, options) => {
      loops.push({ method: options.method, endpoint: options.endpoint, idempotent: options.idempotent });
      return real.withRetry(attempt, options);
    }) as typeof real.withRetry,
  };
});

let server: FakeServer;
let dir: string;
beforeEach(async () => {
  loops.length = 0;
  server = await startFakeServer();
  dir = await mkdtemp(join(tmpdir(), "retry-shared-"));
});
afterEach(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

describe("one retry loop", () => {
  it("serves API calls and the download alike, with the same policy and backoff", async () => {
    const delays: number[] = [];
    const client = createLobClient({
      apiKey: "test_sharedLoop1",
      baseUrl: server.url,
      rateLimit: false,
      random: () => 0.5,
      sleep: async (ms) => {
        delays.push(ms);
      },
    });
    server.reply(
      { status: 503, body: "busy" },
      { status: 200, body: { id: "upl_1" } },
      { status: 503, body: "busy" },
      { status: 200, body: "row,error\n" },
    );
    await client.getUpload("upl_1");
    const dest = join(dir, "failures.csv");
    await client.downloadToFile(`http://127.0.0.1:${server.port}/files/ex.csv`, dest);
    expect(loops).toEqual([
      { method: "GET", endpoint: "GET /uploads/{id}", idempotent: true },
      { method: "GET", endpoint: "GET (download)", idempotent: true },
    ]);
    expect(delays).toEqual([250, 250]);
    expect(client.stats()).toMatchObject({ requests: 4, retries: 2 });
    expect(await readFile(dest, "utf8")).toBe("row,error\n");
  });
});
