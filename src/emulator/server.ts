import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { createServer } from "node:http";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { Readable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import { CampaignctlError } from "../core/errors.js";
import { isPlainObject } from "../core/objects.js";
import { endpointKey, LOB_RATE_LIMIT } from "../lob/endpoint.js";
import type { LobMode } from "../lob/wire.js";
import {
  createCampaign,
  deleteCampaign,
  listCampaigns,
  retrieveCampaign,
  sendCampaign,
  updateCampaign,
} from "./campaigns.js";
import type { Account, Env, Handler, RequestContext } from "./context.js";
import {
  createFaultPlan,
  createServerRateLimiter,
  rateLimitHeaders,
  resolveUndeliverable,
} from "./controls.js";
import type { RateDecision } from "./controls.js";
import { createCreative, retrieveCreative, updateCreative } from "./creatives.js";
import type { Reply } from "./http.js";
import { jsonReply, readSmallBody, ReplyError } from "./http.js";
import { createProcessor } from "./processing.js";
import { openStore } from "./store.js";
import type { EmulatorOptions, FaultKind, RequestLogEntry, RunningEmulator } from "./types.js";
import { EMULATOR_DEFAULTS, FAULT_KINDS } from "./types.js";
import {
  createExport,
  createUpload,
  deleteUpload,
  listUploads,
  retrieveExport,
  retrieveReport,
  retrieveUpload,
  updateUpload,
  uploadFile,
} from "./uploads.js";

interface Route {
  readonly method: string;
  readonly pattern: RegExp;
  readonly names: readonly string[];
  readonly handler: Handler;
}

function route(method: string, template: string, handler: Handler): Route {
  const names: string[] = [];
  const source = template
    .split("/")
    .map((segment) => {
      if (!segment.startsWith(":")) return segment;
      names.push(segment.slice(1));
      return "([^/]+)";
    })
    .join("/");
  return { method, pattern: new RegExp(`^${source}/?$`), names, handler };
}

const ROUTES: readonly Route[] = [
  route("POST", "/v1/campaigns", createCampaign),
  route("GET", "/v1/campaigns", listCampaigns),
  route("GET", "/v1/campaigns/:id", retrieveCampaign),
  route("PATCH", "/v1/campaigns/:id", updateCampaign),
  route("DELETE", "/v1/campaigns/:id", deleteCampaign),
  route("POST", "/v1/campaigns/:id/send", sendCampaign),
  route("POST", "/v1/creatives", createCreative),
  route("GET", "/v1/creatives/:id", retrieveCreative),
  route("PATCH", "/v1/creatives/:id", updateCreative),
  route("POST", "/v1/uploads", createUpload),
  route("GET", "/v1/uploads", listUploads),
  route("GET", "/v1/uploads/:id", retrieveUpload),
  route("PATCH", "/v1/uploads/:id", updateUpload),
  route("DELETE", "/v1/uploads/:id", deleteUpload),
  route("POST", "/v1/uploads/:id/file", uploadFile),
  route("POST", "/v1/uploads/:id/exports", createExport),
  route("GET", "/v1/uploads/:id/exports/:exportId", retrieveExport),
  route("GET", "/v1/uploads/:id/report", retrieveReport),
];

const KEY_PATTERN = /^(test|live)_[A-Za-z0-9_]+$/;
const MAX_LOG = 100_000;

/** Basic auth: username = key, password empty. The key is hashed at once and never kept. */
function authenticate(req: IncomingMessage): Account | undefined {
  const header = req.headers.authorization ?? "";
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  const key = colon >= 0 ? decoded.slice(0, colon) : decoded;
  if (!KEY_PATTERN.test(key)) return undefined;
  return {
    id: createHash("sha256").update(`campaignctl-emulator:${key}`).digest("hex").slice(0, 20),
    mode: key.slice(0, 4) as LobMode,
  };
}

function errorBody(status: number, code: string, message: string): Reply {
  return jsonReply(status, { error: { message, status_code: status, code } });
}

/** Lob's 429, whether the limit was really reached or the fault was injected. */
function rateLimitedReply(retryAfterSeconds: number): Reply {
  return {
    ...errorBody(
      429,
      "rate_limit_exceeded",
      "Rate limit exceeded. Please wait 5 seconds and try your request again.",
    ),
    headers: { "Retry-After": String(retryAfterSeconds) },
  };
}

const FAULT_REPLIES: Readonly<Record<"500" | "503" | "429", () => Reply>> = {
  "500": () => errorBody(500, "internal_server_error", "Internal server error (injected by the emulator)"),
  "503": () => errorBody(503, "service_unavailable", "Service unavailable (injected by the emulator)"),
  "429": () => rateLimitedReply(1),
};

export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const host = options.host ?? EMULATOR_DEFAULTS.host;
  const loopbackOnly = isLoopbackHost(host);
  if (options.controlToken !== undefined && options.controlToken.length < 8) {
    throw new CampaignctlError({
      code: "USAGE",
      message: "the emulator control token must be at least 8 characters",
      hint: "leave it out to have one generated",
    });
  }
  // Open to the network, the control routes (reset, clock, faults, files) must not be open to all.
  const controlToken = options.controlToken ?? (loopbackOnly ? undefined : randomBytes(16).toString("hex"));
  const store = await openStore(options.dataDir);
  let latencyMs = Math.max(0, options.latencyMs ?? 0);
  const faults = createFaultPlan(options.faults);
  const limiter = createServerRateLimiter(
    options.rateLimit === undefined ? { ...LOB_RATE_LIMIT } : options.rateLimit,
  );
  const now = () => new Date(Date.now() + store.data.clockOffsetMs);
  const processor = createProcessor({
    store,
    now,
    rowsPerSecond: options.processingRowsPerSecond ?? EMULATOR_DEFAULTS.processingRowsPerSecond,
  });
  let acceptMetadataAfterSend = options.acceptMetadataAfterSend ?? EMULATOR_DEFAULTS.acceptMetadataAfterSend;
  let undeliverable = resolveUndeliverable(options.undeliverable);
  const env: Env = {
    store,
    now,
    defaultCancelWindowMinutes:
      options.defaultCancelWindowMinutes ?? EMULATOR_DEFAULTS.defaultCancelWindowMinutes,
    processor,
    acceptMetadataAfterSend: () => acceptMetadataAfterSend,
    undeliverable: () => undeliverable,
  };
  let log: RequestLogEntry[] = [];
  let port = 0;
  let boundHost = host;

  const record = (entry: RequestLogEntry, ms: number) => {
    log.push(entry);
    if (log.length > MAX_LOG) log = log.slice(-MAX_LOG / 2);
    options.log?.(
      `${entry.method} ${entry.path} ${entry.status}${entry.fault ? ` fault=${entry.fault}` : ""}${entry.aborted ? " aborted by the client" : ""} ${ms}ms`,
    );
  };

  const advanceClock = (ms: number) => {
    store.data.clockOffsetMs += ms;
    void store.persist();
  };

  const running: RunningEmulator = {
    get url() {
      return `http://${hostForUrl(host)}:${port}/v1`;
    },
    get listenUrl() {
      return `http://${bracketed(boundHost)}:${port}/v1`;
    },
    get port() {
      return port;
    },
    loopbackOnly,
    controlToken,
    advanceClock,
    now,
    setFaults: (f) => faults.set(f ?? null),
    injectNext: (kind, opts) => faults.injectNext(kind, opts),
    setLatency: (ms) => {
      latencyMs = Math.max(0, ms);
    },
    setRateLimit: (limit) => limiter.set(limit === undefined ? { ...LOB_RATE_LIMIT } : limit),
    setProcessingSpeed: (rows) => processor.setSpeed(rows),
    setAcceptMetadataAfterSend: (accept) => {
      acceptMetadataAfterSend = accept;
    },
    setUndeliverable: (next) => {
      undeliverable = resolveUndeliverable(next);
      return undeliverable;
    },
    requests: () => [...log],
    clearRequests: () => {
      log = [];
    },
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await processor.close();
      await store.close();
    },
  };

  async function handleApi(req: IncomingMessage, res: ServerResponse, path: string, rawQuery: string) {
    const started = performance.now();
    const method = (req.method ?? "GET").toUpperCase();
    const endpoint = endpointKey(method, path);
    const entry = (status: number, fault?: FaultKind): RequestLogEntry => ({
      method,
      path,
      endpoint,
      status,
      ...(fault ? { fault } : {}),
      at: new Date().toISOString(),
    });
    // A client that gave up (timeout, Ctrl-C) before its answer: logged as aborted, never as a
    // fault, whatever fault had been drawn for the request.
    const clientGone = () => req.socket.destroyed || (req.destroyed && !req.complete);
    const recordAborted = () =>
      record(
        { method, path, endpoint, status: 0, aborted: true, at: new Date().toISOString() },
        Math.round(performance.now() - started),
      );
    const finish = (reply: Reply, decision: RateDecision | undefined, fault?: FaultKind) => {
      if (clientGone()) {
        reply.stream?.destroy();
        recordAborted();
        return;
      }
      // Like Lob's, our Date header is the server's clock: clients judge cancel windows by it.
      res.setHeader("Date", now().toUTCString());
      writeReply(res, reply, decision);
      record(entry(reply.status, fault), Math.round(performance.now() - started));
    };

    const account = authenticate(req);
    if (!account) {
      req.resume();
      finish(
        errorBody(
          401,
          "unauthorized",
          "Your API key is not valid. Please sign up on lob.com to get a valid api key.",
        ),
        undefined,
      );
      return;
    }
    const fault = faults.pick(endpoint);
    const faultDelayMs =
      faults.lastDelayMs() ??
      options.completeAfterDisconnectMs ??
      EMULATOR_DEFAULTS.completeAfterDisconnectMs;
    if (fault === "reset_before") {
      req.socket.destroy();
      record(entry(0, fault), Math.round(performance.now() - started));
      return;
    }
    const decision = limiter.take(`${account.id} ${endpoint}`, Date.now());
    if (fault === "500" || fault === "503" || fault === "429") {
      req.resume();
      finish(FAULT_REPLIES[fault](), decision, fault);
      return;
    }
    if (decision && !decision.allowed) {
      req.resume();
      const retryAfter = Math.max(1, Math.ceil((decision.resetAt - Date.now()) / 1000));
      finish(rateLimitedReply(retryAfter), decision);
      return;
    }
    if (latencyMs > 0) await sleep(latencyMs);
    // A late completion: take the whole request, stay silent until the client has given up, then
    // process it as if it had just arrived (the socket is dropped below, as with commit_then_drop).
    const body = fault === "complete_after_disconnect" ? await lateRequest(req, faultDelayMs) : req;

    let reply: Reply;
    const matched = matchRoute(method, path);
    if (!matched) {
      req.resume();
      reply = errorBody(404, "unrecognized_endpoint", `Unrecognized endpoint: ${method} ${path}`);
    } else {
      const ctx: RequestContext = {
        req: body,
        account,
        params: matched.params,
        rawQuery,
        origin: originOf(req),
        env,
      };
      try {
        reply = await matched.route.handler(ctx);
      } catch (error) {
        if (error instanceof ReplyError) {
          reply = error.reply;
        } else {
          // Only the error's class: a message could quote request data.
          options.log?.(
            `emulator error on ${method} ${path}: ${error instanceof Error ? error.name : "unknown"}`,
          );
          reply = errorBody(500, "internal_server_error", "Internal server error");
        }
        req.resume();
      }
    }
    if (fault === "commit_then_drop" || fault === "complete_after_disconnect") {
      reply.stream?.destroy();
      if (fault === "complete_after_disconnect") {
        // The client is gone by design, and the request WAS committed: log the fault (unlike a
        // plain abort, after which nothing may have been committed).
        req.socket.destroy();
        record({ ...entry(0, fault), aborted: true }, Math.round(performance.now() - started));
        return;
      }
      if (clientGone()) {
        recordAborted();
        return;
      }
      req.socket.destroy();
      record(entry(0, fault), Math.round(performance.now() - started));
      return;
    }
    finish(reply, decision);
  }

  function originOf(req: IncomingMessage): string {
    const hostHeader = req.headers.host;
    return hostHeader ? `http://${hostHeader}` : `http://${hostForUrl(host)}:${port}`;
  }

  async function handleAdmin(req: IncomingMessage, res: ServerResponse, path: string) {
    const method = (req.method ?? "GET").toUpperCase();
    const send = (status: number, body: unknown) => writeReply(res, jsonReply(status, body), undefined);
    // Export downloads stay open: their names are random, like Lob's signed S3 URLs, and clients
    // fetch them without credentials.
    if (controlToken !== undefined && !path.startsWith("/_emulator/files/exports/")) {
      if (!hasToken(req, controlToken)) {
        req.resume();
        return send(401, {
          error: "the /_emulator control routes need the control token: send it as 'X-Emulator-Token: TOKEN'",
        });
      }
    }
    try {
      if (path.startsWith("/_emulator/files/")) {
        await serveFile(req, res, path.slice("/_emulator/files/".length));
        return;
      }
      const body = method === "POST" ? await readAdminBody(req) : (req.resume(), {});
      const num = (name: string): number | undefined => {
        const v = body[name];
        if (v === undefined) return undefined;
        const n = Number(v);
        if (!Number.isFinite(n)) throw new Error(`${name} must be a number`);
        return n;
      };
      const key = `${method} ${path.replace(/\/$/, "")}`;
      switch (key) {
        case "GET /_emulator/requests":
          return send(200, { requests: running.requests() });
        case "DELETE /_emulator/requests":
          running.clearRequests();
          return send(200, { requests: [] });
        case "GET /_emulator/clock":
          return send(200, { now: now().toISOString() });
        case "POST /_emulator/clock": {
          const ms = num("advanceMs") ?? (num("advanceMinutes") ?? 0) * 60_000;
          advanceClock(ms);
          return send(200, { now: now().toISOString() });
        }
        case "POST /_emulator/faults": {
          const rate = num("rate") ?? 0;
          const kinds = body.kinds;
          if (
            kinds !== undefined &&
            (!Array.isArray(kinds) || kinds.some((k) => !FAULT_KINDS.includes(k as FaultKind)))
          ) {
            throw new Error(`kinds must be a list of ${FAULT_KINDS.join(", ")}`);
          }
          const seed = num("seed");
          running.setFaults(
            rate > 0
              ? {
                  rate,
                  ...(seed !== undefined ? { seed } : {}),
                  ...(kinds ? { kinds: kinds as FaultKind[] } : {}),
                }
              : null,
          );
          return send(200, { ok: true });
        }
        case "POST /_emulator/faults/next": {
          const kind = body.kind as FaultKind;
          if (!FAULT_KINDS.includes(kind)) throw new Error(`kind must be one of ${FAULT_KINDS.join(", ")}`);
          const count = num("count");
          const endpoint = typeof body.endpoint === "string" ? body.endpoint : undefined;
          const delayMs = num("delayMs");
          running.injectNext(kind, {
            ...(count !== undefined ? { count } : {}),
            ...(endpoint ? { endpoint } : {}),
            ...(delayMs !== undefined ? { delayMs } : {}),
          });
          return send(200, { ok: true });
        }
        case "POST /_emulator/metadata-after-send": {
          if (typeof body.accept !== "boolean") throw new Error("accept must be true or false");
          running.setAcceptMetadataAfterSend(body.accept);
          return send(200, { ok: true, accept: body.accept });
        }
        case "POST /_emulator/undeliverable": {
          const ratio = num("ratio") ?? 0;
          const seed = num("seed");
          const rule = running.setUndeliverable({ ratio, ...(seed !== undefined ? { seed } : {}) });
          return send(200, { ok: true, ratio: rule?.ratio ?? 0, ...(rule ? { seed: rule.seed } : {}) });
        }
        case "POST /_emulator/latency":
          running.setLatency(num("ms") ?? 0);
          return send(200, { ok: true });
        case "POST /_emulator/processing": {
          const rows = num("rowsPerSecond");
          if (rows === undefined || rows <= 0) throw new Error("rowsPerSecond must be a positive number");
          running.setProcessingSpeed(rows);
          return send(200, { ok: true });
        }
        case "POST /_emulator/rate-limit": {
          if (body.enabled === false) running.setRateLimit(false);
          else {
            const requests = num("requests") ?? LOB_RATE_LIMIT.requests;
            const windowMs = num("windowMs") ?? LOB_RATE_LIMIT.windowMs;
            running.setRateLimit({ requests, windowMs });
          }
          return send(200, { ok: true });
        }
        case "POST /_emulator/reset":
          for (const id of Object.keys(store.data.uploads)) processor.cancel(id);
          await store.reset();
          running.clearRequests();
          return send(200, { ok: true });
        default:
          return send(404, { error: `unknown emulator admin route ${method} ${path}` });
      }
    } catch (error) {
      send(400, { error: error instanceof Error ? error.message : "bad request" });
    }
  }

  async function serveFile(req: IncomingMessage, res: ServerResponse, rest: string) {
    req.resume();
    const parts = rest.split("/").map((p) => decodeURIComponent(p));
    if (parts.some((p) => p === ".." || p.includes("\\") || p === "")) {
      writeReply(res, jsonReply(404, { error: "not found" }), undefined);
      return;
    }
    if (parts[0] === "templates" && parts.length === 2) {
      writeReply(
        res,
        {
          status: 200,
          headers: { "Content-Type": "text/html; charset=utf-8" },
          text: `<html><body><!-- ${parts[1]} --></body></html>`,
        },
        undefined,
      );
      return;
    }
    let path: string | undefined;
    let type = "application/octet-stream";
    if (parts[0] === "exports" && parts.length === 2) {
      path = join(store.filesDir, "exports", parts[1]!);
      type = "text/csv; charset=utf-8";
    } else if (parts[0] === "artwork" && parts.length >= 2 && /^[0-9a-f]{64}$/.test(parts[1]!)) {
      path = join(store.filesDir, "artwork", parts[1]!);
      const name = parts[2] ?? "";
      if (/\.html?$/i.test(name)) type = "text/html; charset=utf-8";
      else if (/\.pdf$/i.test(name)) type = "application/pdf";
      else if (/\.png$/i.test(name)) type = "image/png";
      else if (/\.jpe?g$/i.test(name)) type = "image/jpeg";
    }
    if (!path || parts[1]!.includes(".tmp")) {
      writeReply(res, jsonReply(404, { error: "not found" }), undefined);
      return;
    }
    try {
      const info = await stat(path);
      writeReply(
        res,
        {
          status: 200,
          headers: { "Content-Type": type, "Content-Length": String(info.size) },
          stream: createReadStream(path),
        },
        undefined,
      );
    } catch {
      writeReply(res, jsonReply(404, { error: "not found" }), undefined);
    }
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://emulator.invalid");
    const path = url.pathname;
    const work = path.startsWith("/_emulator/")
      ? handleAdmin(req, res, path)
      : handleApi(req, res, path, url.search.slice(1));
    work.catch(() => {
      if (!res.headersSent)
        writeReply(res, errorBody(500, "internal_server_error", "Internal server error"), undefined);
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 5_000;

  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) => {
      reject(
        new CampaignctlError({
          code: "EMULATOR_START_FAILED",
          message: `the emulator could not listen on ${host}:${options.port ?? EMULATOR_DEFAULTS.port} (${error.code ?? error.message})`,
          hint: "pick another port with --port, or stop whatever is using it",
          cause: error,
        }),
      );
    });
    server.listen(options.port ?? EMULATOR_DEFAULTS.port, host, () => resolve());
  }).catch(async (error: unknown) => {
    await processor.close();
    await store.close();
    throw error;
  });
  const address = server.address() as AddressInfo;
  port = address.port;
  boundHost = address.address;
  processor.resume();
  return running;
}

/** The request's bytes, read now and replayed after `delayMs` as a stream with the same headers. */
async function lateRequest(req: IncomingMessage, delayMs: number): Promise<IncomingMessage> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  await sleep(delayMs);
  const replay = Readable.from([Buffer.concat(chunks)]);
  return Object.assign(replay, {
    headers: req.headers,
    method: req.method,
    url: req.url,
  }) as unknown as IncomingMessage;
}

function matchRoute(method: string, path: string) {
  for (const r of ROUTES) {
    if (r.method !== method) continue;
    const m = r.pattern.exec(path);
    if (!m) continue;
    const params: Record<string, string> = {};
    r.names.forEach((name, i) => {
      params[name] = decodeURIComponent(m[i + 1] ?? "");
    });
    return { route: r, params };
  }
  return undefined;
}

function hostForUrl(host: string): string {
  if (host === "0.0.0.0" || host === "::") return "127.0.0.1";
  return bracketed(host);
}

function bracketed(host: string): string {
  return host.includes(":") ? `[${host}]` : host;
}

/** 127.0.0.0/8, ::1 and localhost: reachable from this machine only. */
export function isLoopbackHost(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[|\]$/g, "");
  return (
    h === "localhost" || h === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h) || h === "::ffff:127.0.0.1"
  );
}

function hasToken(req: IncomingMessage, token: string): boolean {
  const header = req.headers["x-emulator-token"];
  const given = Array.isArray(header) ? header[0] : header;
  if (given === undefined) return false;
  // Compare digests: equal lengths for timingSafeEqual, and no early exit on the first difference.
  const digest = (s: string) => createHash("sha256").update(s).digest();
  return timingSafeEqual(digest(given), digest(token));
}

async function readAdminBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const raw = await readSmallBody(req, () => new ReplyError(jsonReply(413, { error: "too large" })));
  if (raw.length === 0) return {};
  const value: unknown = JSON.parse(raw.toString("utf8"));
  if (!isPlainObject(value)) throw new Error("body must be a JSON object");
  return value;
}

function writeReply(res: ServerResponse, reply: Reply, decision: RateDecision | undefined): void {
  const headers: Record<string, string> = {
    ...(decision ? rateLimitHeaders(decision) : {}),
    ...reply.headers,
  };
  if (reply.stream) {
    res.writeHead(reply.status, headers);
    reply.stream.on("error", () => res.destroy());
    reply.stream.pipe(res);
    return;
  }
  let payload: string | undefined;
  if (reply.json !== undefined) {
    payload = JSON.stringify(reply.json);
    headers["Content-Type"] = "application/json; charset=utf-8";
  } else if (reply.text !== undefined) {
    payload = reply.text;
  }
  if (payload !== undefined) headers["Content-Length"] = String(Buffer.byteLength(payload));
  res.writeHead(reply.status, headers);
  res.end(payload);
}
