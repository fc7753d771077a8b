import { createHash } from "node:crypto";
import { mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspect } from "node:util";
import busboy from "busboy";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createLobClient } from "../../src/lob/client.js";
import type { LobClientEvent, LobClientOptions } from "../../src/lob/client.js";
import { CampaignctlError } from "../../src/core/errors.js";
import { LobApiError } from "../../src/lob/errors.js";
import type { Campaign } from "../../src/lob/wire.js";
import { startFakeServer } from "./fake-server.js";
import type { FakeServer, RecordedRequest } from "./fake-server.js";

const KEY = "test_DiStInCtIvE0key9876";

let server: FakeServer;
let dir: string;
let delays: number[];
let events: LobClientEvent[];

beforeEach(async () => {
  server = await startFakeServer();
  dir = await mkdtemp(join(tmpdir(), "lob-client-"));
  delays = [];
  events = [];
});
afterEach(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

function client(extra: Partial<LobClientOptions> = {}) {
  return createLobClient({
    apiKey: KEY,
    baseUrl: server.url,
    sleep: async (ms) => {
      delays.push(ms);
    },
    random: () => 0.5,
    onEvent: (e) => events.push(e),
    ...extra,
  });
}

function campaign(id: string): Campaign {
  return {
    id,
    name: id,
    description: null,
    schedule_type: "immediate",
    use_type: "marketing",
    is_draft: true,
    creatives: [],
    uploads: [],
    auto_cancel_if_ncoa: false,
    date_created: "2026-01-01T00:00:00.000Z",
    date_modified: "2026-01-01T00:00:00.000Z",
    object: "campaign",
  };
}

async function failure(promise: Promise<unknown>): Promise<LobApiError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof LobApiError) return err;
    throw err;
  }
  throw new Error("expected the call to fail");
}

function expectNoKey(err: unknown): void {
  for (const text of [
    String((err as Error).message),
    JSON.stringify(err),
    inspect(err, { depth: 10 }),
    String((err as Error).stack),
  ]) {
    expect(text).not.toContain(KEY);
    expect(text).not.toContain("DiStInCtIvE");
    expect(text).not.toContain(Buffer.from(`${KEY}:`).toString("base64"));
  }
}

const req = (i: number): RecordedRequest => {
  const r = server.requests[i];
  if (r === undefined) throw new Error(`no request #${i}`);
  return r;
};

describe("requests", () => {
  it("sends HTTP Basic auth with the key as username and an empty password, and our User-Agent", async () => {
    server.reply({ status: 200, body: campaign("cmp_1") });
    const got = await client({ userAgent: "campaignctl/9.9.9" }).getCampaign("cmp_1");
    expect(got.id).toBe("cmp_1");
    expect(req(0).headers.authorization).toBe(`Basic ${Buffer.from(`${KEY}:`).toString("base64")}`);
    expect(req(0).headers["user-agent"]).toBe("campaignctl/9.9.9");
    expect(req(0).method).toBe("GET");
    expect(req(0).url).toBe("/v1/campaigns/cmp_1");
  });

  it("defaults the User-Agent to campaignctl/<package version>", async () => {
    server.reply({ status: 200, body: campaign("cmp_1") });
    await client().getCampaign("cmp_1");
    const pkg = JSON.parse(await readFile(new URL("../../package.json", import.meta.url), "utf8")) as {
      version: string;
    };
    expect(req(0).headers["user-agent"]).toBe(`campaignctl/${pkg.version}`);
  });

  it("sends JSON bodies (uploads and exports included) and accepts 200/201/202/204", async () => {
    server.reply(
      { status: 201, body: { id: "upl_1", campaignId: "cmp_1" } },
      { status: 200, body: { message: "Export is processing.", exportId: "ex_1" } },
      { status: 204 },
      // JSON success with a wrong content type still parses.
      {
        status: 200,
        headers: { "content-type": "text/html" },
        body: JSON.stringify({ id: "cmp_1", deleted: true }),
      },
    );
    const c = client();
    expect((await c.createUpload({ campaignId: "cmp_1" })).id).toBe("upl_1");
    expect(await c.createExport("upl_1", "failures")).toEqual({
      message: "Export is processing.",
      exportId: "ex_1",
    });
    expect(await c.deleteUpload("upl_1")).toBeUndefined();
    expect(await c.deleteCampaign("cmp_1")).toEqual({ id: "cmp_1", deleted: true });
    expect(req(0).headers["content-type"]).toBe("application/json");
    expect(JSON.parse(req(0).body.toString())).toEqual({ campaignId: "cmp_1" });
    expect(req(1).url).toBe("/v1/uploads/upl_1/exports");
    expect(JSON.parse(req(1).body.toString())).toEqual({ type: "failures" });
    expect(req(2).method).toBe("DELETE");
  });

  it("builds query strings for lists and reports", async () => {
    server.reply(
      {
        status: 200,
        body: { data: [], object: "list", next_url: null, previous_url: null, count: 0, total_count: 0 },
      },
      { status: 200, body: [] },
      { status: 200, body: { data: [], next_url: null, prev_url: null, count: 0, total_count: 0 } },
    );
    const c = client();
    await c.listCampaigns({ limit: 7, after: "abc", includeTotalCount: true });
    await c.listUploads("cmp_9");
    await c.getReport("upl_1", { status: "Failed", limit: 50, offset: 100 });
    expect(req(0).url).toBe("/v1/campaigns?limit=7&after=abc&include%5B%5D=total_count");
    expect(req(1).url).toBe("/v1/uploads?campaignId=cmp_9");
    expect(req(2).url).toBe("/v1/uploads/upl_1/report?status=Failed&limit=50&offset=100");
  });

  it("follows next_url cursors with limit=100 against our own base URL", async () => {
    const page = (ids: string[], next: string | null) => ({
      status: 200,
      body: {
        data: ids.map(campaign),
        object: "list",
        next_url: next,
        previous_url: null,
        count: ids.length,
      },
    });
    server.reply(
      page(["cmp_a", "cmp_b"], "https://api.lob.com/v1/campaigns?limit=100&after=CURSOR1"),
      page(["cmp_c"], "https://api.lob.com/v1/campaigns?limit=100&after=CURSOR2"),
      page([], null),
    );
    const all = await client().listAllCampaigns();
    expect(all.map((c) => c.id)).toEqual(["cmp_a", "cmp_b", "cmp_c"]);
    expect(server.requests.map((r) => r.url)).toEqual([
      "/v1/campaigns?limit=100",
      "/v1/campaigns?limit=100&after=CURSOR1",
      "/v1/campaigns?limit=100&after=CURSOR2",
    ]);
  });
});

describe("errors", () => {
  it("maps shape A to a LobApiError with Lob's code", async () => {
    server.reply({
      status: 404,
      body: { error: { message: "campaign not found", status_code: 404, code: "not_found" } },
    });
    const err = await failure(client().getCampaign("cmp_404"));
    expect(err).toMatchObject({
      code: "LOB_NOT_FOUND",
      status: 404,
      lobCode: "not_found",
      method: "GET",
      path: "/campaigns/cmp_404",
      endpoint: "GET /campaigns/{id}",
      retryable: false,
      ambiguous: false,
    });
    expect(err.message).toContain("campaign not found");
  });

  it("summarises shape B (upload 422)", async () => {
    server.reply({
      status: 422,
      body: { detail: [{ loc: ["body", "campaignId"], msg: "field required", type: "value_error.missing" }] },
    });
    const err = await failure(client().createUpload({ campaignId: "" }));
    expect(err.code).toBe("LOB_VALIDATION");
    expect(err.message).toContain("campaignId: field required");
    expect(err.ambiguous).toBe(false);
  });

  it("reads shape C (export 400) and non-JSON bodies", async () => {
    server.reply(
      { status: 400, body: { code: 400, message: "Invalid body", errors: ["type must be a string"] } },
      { status: 403, headers: { "content-type": "text/html" }, body: "<h1>Forbidden by proxy</h1>" },
    );
    const c = client();
    const e1 = await failure(c.createExport("upl_1", "all"));
    expect(e1).toMatchObject({ code: "LOB_VALIDATION", status: 400, lobCode: "400" });
    expect(e1.message).toContain("type must be a string");
    const e2 = await failure(c.getUpload("upl_1"));
    expect(e2).toMatchObject({ code: "LOB_AUTH", status: 403 });
    expect(e2.message).toContain("Forbidden by proxy");
  });

  it("never leaks the key, even when the server echoes it", async () => {
    server.reply({
      status: 401,
      body: { error: { message: `API key ${KEY} is invalid`, status_code: 401, code: "unauthorized" } },
    });
    const err = await failure(client().getCampaign("cmp_1"));
    expect(err.code).toBe("LOB_AUTH");
    expectNoKey(err);
  });

  it("wraps network failures (no AxiosError with config.auth escapes)", async () => {
    server.reply({ drop: true });
    const err = await failure(client({ maxAttempts: 1 }).getCampaign("cmp_1"));
    expect(err).toMatchObject({
      code: "LOB_NETWORK",
      status: 0,
      networkCode: "ECONNRESET",
      ambiguous: false,
    });
    expect(err.cause).toBeUndefined();
    expect(Object.keys(err)).not.toContain("config");
    expectNoKey(err);
  });

  it("classifies a refused connection as nothing sent", async () => {
    const port = server.port;
    await server.close();
    const c = createLobClient({ apiKey: KEY, baseUrl: `http://127.0.0.1:${port}/v1`, maxAttempts: 1 });
    const err = await failure(c.createCampaign({ name: "x", schedule_type: "immediate" }));
    expect(err).toMatchObject({
      code: "LOB_NETWORK",
      networkCode: "ECONNREFUSED",
      ambiguous: false,
      retryable: true,
    });
    expectNoKey(err);
    server = await startFakeServer(); // afterEach closes it
  });
});

describe("retries", () => {
  it("retries a GET on 503 and succeeds", async () => {
    server.reply({ status: 503, body: "busy" }, { status: 200, body: campaign("cmp_1") });
    const c = client();
    expect((await c.getCampaign("cmp_1")).id).toBe("cmp_1");
    expect(server.requests).toHaveLength(2);
    expect(delays).toEqual([250]); // full jitter: 0.5 * 500
    expect(c.stats()).toMatchObject({ requests: 2, retries: 1, byEndpoint: { "GET /campaigns/{id}": 2 } });
    expect(events.filter((e) => e.type === "retry")).toEqual([
      { type: "retry", method: "GET", endpoint: "GET /campaigns/{id}", delayMs: 250, reason: "HTTP 503" },
    ]);
  });

  it("retries a GET after a dropped connection", async () => {
    server.reply({ drop: true }, { status: 200, body: campaign("cmp_1") });
    expect((await client().getCampaign("cmp_1")).id).toBe("cmp_1");
    expect(server.requests).toHaveLength(2);
  });

  it("honours Retry-After", async () => {
    server.reply(
      {
        status: 429,
        headers: { "retry-after": "3" },
        body: { error: { message: "Rate limit exceeded", status_code: 429, code: "rate_limit_exceeded" } },
      },
      { status: 429, headers: { "x-rate-limit-reset": String(Math.floor(Date.now() / 1000) + 2) } },
      { status: 200, body: campaign("cmp_1") },
    );
    const c = client({ rateLimit: false });
    await c.getCampaign("cmp_1");
    expect(delays[0]).toBe(3000);
    expect(delays[1]).toBeGreaterThan(500);
    expect(delays[1]).toBeLessThanOrEqual(2000);
    expect(c.stats().rateLimited429).toBe(2);
  });

  it("refuses an attempt limit below one as a bad option", () => {
    expect(() => client({ maxAttempts: 0 })).toThrow(RangeError);
  });

  it("gives up after maxAttempts with the last error", async () => {
    server.fallback = () => ({ status: 502, body: "bad gateway" });
    const err = await failure(client({ maxAttempts: 3 }).getUpload("upl_1"));
    expect(server.requests).toHaveLength(3);
    expect(err).toMatchObject({ code: "LOB_SERVER", status: 502, retryable: true, ambiguous: false });
  });

  it("does not re-send a create on 500: ambiguous", async () => {
    server.reply({
      status: 500,
      body: { error: { message: "boom", status_code: 500, code: "internal_server_error" } },
    });
    const err = await failure(client().createCampaign({ name: "x", schedule_type: "immediate" }));
    expect(server.requests).toHaveLength(1);
    expect(err).toMatchObject({ code: "LOB_SERVER", status: 500, ambiguous: true, retryable: true });
  });

  it("does not re-send a create after the connection dropped: ambiguous", async () => {
    server.reply({ drop: true });
    const err = await failure(client().sendCampaign("cmp_1"));
    expect(server.requests).toHaveLength(1);
    expect(err).toMatchObject({ code: "LOB_NETWORK", status: 0, ambiguous: true, method: "POST" });
  });

  it("re-sends a create on 429", async () => {
    server.reply(
      {
        status: 429,
        body: { error: { message: "Rate limit exceeded", status_code: 429, code: "rate_limit_exceeded" } },
      },
      { status: 200, body: campaign("cmp_new") },
    );
    const created = await client().createCampaign({ name: "x", schedule_type: "immediate" });
    expect(created.id).toBe("cmp_new");
    expect(server.requests).toHaveLength(2);
    expect(server.requests.map((r) => r.method)).toEqual(["POST", "POST"]);
  });

  it("re-sends a create after ECONNREFUSED once the server is back", async () => {
    const port = server.port;
    await server.close();
    const c = createLobClient({
      apiKey: KEY,
      baseUrl: `http://127.0.0.1:${port}/v1`,
      sleep: async () => {
        server = await startFakeServer(port);
        server.reply({ status: 200, body: campaign("cmp_after") });
      },
    });
    expect((await c.createCampaign({ name: "x", schedule_type: "immediate" })).id).toBe("cmp_after");
    expect(server.requests).toHaveLength(1);
  });

  it("treats an unparsable 200 on a create as ambiguous", async () => {
    server.reply({ status: 200, body: "not json" });
    const err = await failure(
      client().createCreative({ campaign_id: "cmp_1", resource_type: "postcard", details: {} }),
    );
    expect(err).toMatchObject({ code: "LOB_UNEXPECTED", ambiguous: true });
  });
});

describe("files", () => {
  async function parseMultipart(r: RecordedRequest) {
    const parts: Array<{ name: string; filename?: string; mimeType?: string; data: Buffer }> = [];
    await new Promise<void>((resolve, reject) => {
      const bb = busboy({ headers: r.headers });
      bb.on("file", (name, stream, info) => {
        const chunks: Buffer[] = [];
        stream.on("data", (c: Buffer) => chunks.push(c));
        stream.on("end", () =>
          parts.push({ name, filename: info.filename, mimeType: info.mimeType, data: Buffer.concat(chunks) }),
        );
      });
      bb.on("field", (name, value) => parts.push({ name, data: Buffer.from(value) }));
      bb.on("close", () => resolve());
      bb.on("error", reject);
      bb.end(r.body);
    });
    return parts;
  }

  it("uploadFile streams the file as multipart part `file` and reports progress to the total", async () => {
    const csv = Buffer.from(`name,address_line1\n${"Ada,1 Main St\n".repeat(20_000)}`);
    const path = join(dir, "audience.csv");
    await writeFile(path, csv);
    server.reply({ status: 202, body: { message: "File uploaded successfully", filename: "people.csv" } });
    const progress: Array<[number, number]> = [];
    const res = await client().uploadFile("upl_1", {
      path,
      filename: "people.csv",
      onProgress: (sent, total) => progress.push([sent, total]),
    });
    expect(res).toEqual({
      message: "File uploaded successfully",
      filename: "people.csv",
      // The hash of exactly the bytes that were streamed, so the engine can prove what it uploaded.
      sentSha256: createHash("sha256").update(csv).digest("hex"),
    });
    expect(req(0).url).toBe("/v1/uploads/upl_1/file");
    expect(Number(req(0).headers["content-length"])).toBe(req(0).body.length);
    const parts = await parseMultipart(req(0));
    expect(parts).toHaveLength(1);
    expect(parts[0]).toMatchObject({ name: "file", filename: "people.csv", mimeType: "text/csv" });
    expect(parts[0]?.data.equals(csv)).toBe(true);
    expect(progress[0]).toEqual([0, csv.length]);
    expect(progress.at(-1)).toEqual([csv.length, csv.length]);
    expect(progress.length).toBeGreaterThan(2);
    for (let i = 1; i < progress.length; i++)
      expect(progress[i]![0]).toBeGreaterThanOrEqual(progress[i - 1]![0]);
  });

  // AUDIENCE_INVALID / MANIFEST_INVALID are the engine's (test/engine/local-files.test.ts): the
  // client reports an unreadable local file as what it is, before any request.
  it("uploadFile refuses a missing file before any request", async () => {
    await expect(client().uploadFile("upl_1", { path: join(dir, "nope.csv") })).rejects.toMatchObject({
      code: "FILE_ACCESS",
      source: "user",
      message: `Cannot read ${join(dir, "nope.csv")}: ENOENT`,
    });
    expect(server.requests).toHaveLength(0);
  });

  it("createCreative refuses a missing artwork file before any request, not as a manifest error", async () => {
    const missing = join(dir, "gone.pdf");
    await expect(
      client().createCreative(
        { campaign_id: "cmp_1", resource_type: "postcard", back: "tmpl_back1", details: {} },
        { front: { path: missing, filename: "gone.pdf", contentType: "application/pdf" } },
      ),
    ).rejects.toMatchObject({ code: "FILE_ACCESS", source: "user" });
    expect(server.requests).toHaveLength(0);
  });

  it("createCreative sends multipart with bracket-notation fields when files are given", async () => {
    const front = join(dir, "front.pdf");
    await writeFile(front, Buffer.from("%PDF-1.4 front"));
    server.reply({ status: 200, body: { id: "crv_1", object: "creative" } });
    await client().createCreative(
      {
        campaign_id: "cmp_1",
        resource_type: "postcard",
        back: "tmpl_back1",
        details: { size: "4x6", qr_code: { position: "relative", width: "1" } },
        metadata: { team: "growth" },
      },
      { front: { path: front, filename: "front.pdf", contentType: "application/pdf" } },
    );
    const parts = await parseMultipart(req(0));
    const byName = Object.fromEntries(parts.map((p) => [p.name, p]));
    expect(byName["campaign_id"]?.data.toString()).toBe("cmp_1");
    expect(byName["back"]?.data.toString()).toBe("tmpl_back1");
    expect(byName["details[size]"]?.data.toString()).toBe("4x6");
    expect(byName["details[qr_code][width]"]?.data.toString()).toBe("1");
    expect(byName["metadata[team]"]?.data.toString()).toBe("growth");
    expect(byName["front"]).toMatchObject({ filename: "front.pdf", mimeType: "application/pdf" });
    expect(byName["front"]?.data.toString()).toBe("%PDF-1.4 front");
  });

  it("downloadToFile fetches without the API key and writes atomically", async () => {
    server.reply({ status: 200, headers: { "content-type": "text/csv" }, body: "row,error\n1,bad zip\n" });
    const dest = join(dir, "failures.csv");
    const res = await client().downloadToFile(
      `http://127.0.0.1:${server.port}/files/ex_1.csv?X-Amz-Signature=abc`,
      dest,
    );
    expect(res).toEqual({ bytes: 20 });
    expect(await readFile(dest, "utf8")).toBe("row,error\n1,bad zip\n");
    expect(req(0).headers.authorization).toBeUndefined();
    expect(req(0).url).toBe("/files/ex_1.csv?X-Amz-Signature=abc");
    expect(await readdir(dir)).toEqual(["failures.csv"]);
  });

  it("downloadToFile leaves no file on failure and hides the signature", async () => {
    server.fallback = () => ({ status: 403, body: "<Error>AccessDenied</Error>" });
    const dest = join(dir, "failures.csv");
    const err = await failure(
      client().downloadToFile(`http://127.0.0.1:${server.port}/files/x.csv?X-Amz-Signature=SIGSECRET`, dest),
    );
    expect(err).toMatchObject({ code: "LOB_AUTH", status: 403 });
    expect(JSON.stringify(err)).not.toContain("SIGSECRET");
    expect(await readdir(dir)).toEqual([]);
  });
});

describe("downloads", () => {
  it("retries a download like a GET and still writes atomically", async () => {
    server.reply({ status: 503, body: "busy" }, { drop: true }, { status: 200, body: "row,error\n" });
    const dest = join(dir, "failures.csv");
    const c = client();
    expect(await c.downloadToFile(`http://127.0.0.1:${server.port}/files/ex.csv`, dest)).toEqual({
      bytes: 10,
    });
    expect(server.requests).toHaveLength(3);
    expect(delays).toEqual([250, 500]);
    expect(events.filter((e) => e.type === "retry")).toEqual([
      { type: "retry", method: "GET", endpoint: "GET (download)", delayMs: 250, reason: "HTTP 503" },
      { type: "retry", method: "GET", endpoint: "GET (download)", delayMs: 500, reason: "ECONNRESET" },
    ]);
    expect(c.stats()).toMatchObject({ requests: 3, retries: 2, byEndpoint: { "GET (download)": 3 } });
    expect(await readdir(dir)).toEqual(["failures.csv"]);
  });

  it("reports an unwritable destination as the user's to fix, without retrying", async () => {
    server.fallback = () => ({ status: 200, body: "row,error\n" });
    const dest = join(dir, "no-such-dir", "failures.csv");
    const err = await client()
      .downloadToFile(`http://127.0.0.1:${server.port}/files/ex.csv`, dest)
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(err).toBeInstanceOf(CampaignctlError);
    expect(err).toMatchObject({
      code: "FILE_ACCESS",
      source: "user",
      message: `Could not write ${dest}: ENOENT`,
    });
    expect(server.requests).toHaveLength(1);
    expect(await readdir(dir)).toEqual([]);
  });
});

describe("injected clock", () => {
  it("judges Retry-After dates and the server clock by the injected clock, not the local one", async () => {
    const fixed = Date.parse("2030-06-01T00:00:00Z");
    server.reply(
      { status: 429, headers: { "retry-after": "Sat, 01 Jun 2030 00:00:04 GMT" } },
      { status: 200, body: campaign("cmp_1") },
    );
    const c = client({ now: () => fixed, rateLimit: false });
    expect(c.serverNow().getTime()).toBe(fixed);
    await c.getCampaign("cmp_1");
    expect(delays).toEqual([4000]);
  });
});

describe("client-side rate limit", () => {
  it("keeps every window at or under the limit, measured at the server", async () => {
    server.fallback = () => ({ status: 200, body: campaign("cmp_1") });
    const c = createLobClient({
      apiKey: KEY,
      baseUrl: server.url,
      rateLimit: { requests: 5, windowMs: 200 },
      onEvent: (e) => events.push(e),
    });
    await Promise.all(Array.from({ length: 20 }, () => c.getCampaign("cmp_1")));
    const times = server.requests.map((r) => r.at).sort((a, b) => a - b);
    expect(times).toHaveLength(20);
    for (let i = 5; i < times.length; i++) {
      // The 6th request after any request arrives a full window later.
      expect(times[i]! - times[i - 5]!).toBeGreaterThanOrEqual(200);
    }
    expect(c.stats().throttledMs).toBeGreaterThan(0);
    expect(events.some((e) => e.type === "throttle")).toBe(true);
  });
});
