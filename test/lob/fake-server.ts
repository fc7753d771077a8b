import { createServer } from "node:http";
import type { IncomingHttpHeaders, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** A request as the fake server saw it. `at` is the arrival time (ms, performance clock). */
export interface RecordedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  readonly at: number;
}

export type ScriptedReply =
  | {
      readonly status: number;
      readonly headers?: Readonly<Record<string, string>>;
      /** Objects are sent as JSON; strings as they are. */
      readonly body?: unknown;
    }
  /** Read the request, then destroy the socket without answering. */
  | { readonly drop: true };

export interface FakeServer {
  readonly url: string;
  readonly port: number;
  readonly requests: RecordedRequest[];
  /** Queue replies; used in order, then `fallback`. */
  reply(...replies: ScriptedReply[]): void;
  fallback: (req: RecordedRequest) => ScriptedReply;
  close(): Promise<void>;
}

/** Scripted stand-in for Lob: a queue of replies, every request recorded. Loopback, port 0. */
export async function startFakeServer(port = 0): Promise<FakeServer> {
  const queue: ScriptedReply[] = [];
  const requests: RecordedRequest[] = [];
  const server: Server = createServer((req, res) => {
    const at = performance.now();
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const recorded: RecordedRequest = {
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks),
        at,
      };
      requests.push(recorded);
      const reply = queue.shift() ?? fake.fallback(recorded);
      send(res, reply);
    });
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const actual = (server.address() as AddressInfo).port;
  const fake: FakeServer = {
    url: `http://127.0.0.1:${actual}/v1`,
    port: actual,
    requests,
    reply: (...replies) => queue.push(...replies),
    fallback: () => ({
      status: 500,
      body: { error: { message: "unscripted", status_code: 500, code: "x" } },
    }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return fake;
}

function send(res: ServerResponse, reply: ScriptedReply): void {
  if ("drop" in reply) {
    res.socket?.destroy();
    return;
  }
  const body =
    reply.body === undefined ? "" : typeof reply.body === "string" ? reply.body : JSON.stringify(reply.body);
  const headers: Record<string, string> = { ...(reply.headers ?? {}) };
  if (reply.body !== undefined && typeof reply.body !== "string" && headers["content-type"] === undefined) {
    headers["content-type"] = "application/json";
  }
  res.writeHead(reply.status, headers);
  res.end(body);
}
