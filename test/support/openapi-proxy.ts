/**
 * A loopback recording proxy: sits between a client under test and an upstream (the emulator),
 * forwards every request unchanged and keeps the raw request plus the decoded body, so contract
 * tests can check what the client actually put on the wire.
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Readable } from "node:stream";
import busboy from "busboy";
import qs from "qs";

export interface ProxiedExchange {
  readonly method: string;
  /** Path and query as received, e.g. `/v1/campaigns?limit=100`. */
  readonly path: string;
  readonly contentType: string | undefined;
  /** JSON value, expanded form/multipart fields (file parts as their filename), or undefined. */
  readonly body: unknown;
  readonly status: number;
  readonly responseContentType: string | undefined;
  readonly responseBody: unknown;
}

export interface RecordingProxy {
  /** Same shape as the upstream URL (`http://127.0.0.1:PORT/v1`). */
  readonly url: string;
  readonly exchanges: ProxiedExchange[];
  close(): Promise<void>;
}

async function readAll(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function decodeMultipart(raw: Buffer, contentType: string): Promise<Record<string, unknown>> {
  const pairs: string[] = [];
  await new Promise<void>((resolve, reject) => {
    const parser = busboy({ headers: { "content-type": contentType } });
    parser.on("field", (name, value) =>
      pairs.push(`${encodeURIComponent(name)}=${encodeURIComponent(value)}`),
    );
    parser.on("file", (name, stream, info) => {
      stream.resume();
      pairs.push(`${encodeURIComponent(name)}=${encodeURIComponent(info.filename ?? "")}`);
    });
    parser.on("close", resolve);
    parser.on("error", reject);
    Readable.from([raw]).pipe(parser);
  });
  // Bracket notation (`details[size]`) is how nested fields travel in both form and multipart.
  return qs.parse(pairs.join("&"), { depth: 10 }) as Record<string, unknown>;
}

export async function decodeRequestBody(raw: Buffer, contentType: string | undefined): Promise<unknown> {
  if (raw.length === 0) return undefined;
  const media = (contentType ?? "").split(";")[0]?.trim().toLowerCase();
  if (media === "application/json") {
    try {
      return JSON.parse(raw.toString("utf8")) as unknown;
    } catch {
      return raw.toString("utf8");
    }
  }
  if (media === "application/x-www-form-urlencoded") return qs.parse(raw.toString("utf8"), { depth: 10 });
  if (media === "multipart/form-data" && contentType) return decodeMultipart(raw, contentType);
  return raw.toString("utf8");
}

export async function startRecordingProxy(upstreamUrl: string): Promise<RecordingProxy> {
  const upstream = new URL(upstreamUrl);
  const exchanges: ProxiedExchange[] = [];
  const server: Server = createServer((req, res) => {
    void (async () => {
      const raw = await readAll(req);
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(req.headers)) {
        if (typeof value === "string" && !["host", "connection", "content-length"].includes(name)) {
          headers[name] = value;
        }
      }
      const method = req.method ?? "GET";
      const upstreamRes = await fetch(`${upstream.origin}${req.url ?? "/"}`, {
        method,
        headers,
        body: raw.length > 0 ? raw : undefined,
      });
      const text = await upstreamRes.text();
      const responseContentType = upstreamRes.headers.get("content-type") ?? undefined;
      let responseBody: unknown = text === "" ? undefined : text;
      if (text !== "" && /json/i.test(responseContentType ?? "")) responseBody = JSON.parse(text) as unknown;
      exchanges.push({
        method,
        path: req.url ?? "/",
        contentType: req.headers["content-type"],
        body: await decodeRequestBody(raw, req.headers["content-type"]),
        status: upstreamRes.status,
        responseContentType,
        responseBody,
      });
      const outHeaders: Record<string, string> = {};
      upstreamRes.headers.forEach((value, name) => {
        if (!["content-length", "content-encoding", "transfer-encoding", "connection"].includes(name)) {
          outHeaders[name] = value;
        }
      });
      res.writeHead(upstreamRes.status, outHeaders);
      res.end(text);
    })().catch((error: unknown) => {
      res.writeHead(502, { "content-type": "text/plain" });
      res.end(`proxy error: ${String(error)}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}${upstream.pathname.replace(/\/$/, "")}`,
    exchanges,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
