import { randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { rename, stat, unlink } from "node:fs/promises";
import { basename } from "node:path";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import axios from "axios";
import type { AxiosInstance, AxiosResponse } from "axios";
import { CampaignctlError } from "../core/errors.js";
import { packageVersion } from "../package-info.js";
import { endpointKey, LOB_RATE_LIMIT } from "./endpoint.js";
import { codeForStatus, LobApiError, parseLobErrorBody, scrubServerText, stripQuery } from "./errors.js";
import { createGate } from "./gate.js";
import { buildMultipartBody, flattenFormFields } from "./multipart.js";
import type { MultipartBody, MultipartPart } from "./multipart.js";
import { createRateLimiter } from "./rate-limiter.js";
import type { RateLimit, RatePermit } from "./rate-limiter.js";
import {
  computeRetryDelay,
  DEFAULT_MAX_ATTEMPTS,
  isIdempotentMethod,
  isNothingSentError,
  isRetryableFailure,
  serverRequestedDelay,
  shouldRetry,
} from "./retry.js";
import type { HeaderBag } from "./retry.js";
import type {
  Campaign,
  CampaignDeleted,
  CampaignList,
  CampaignUpdatable,
  CampaignWritable,
  Creative,
  CreativeUpdatable,
  CreativeWritable,
  Export,
  ExportCreated,
  ExportType,
  LobMode,
  Report,
  ReportRowStatus,
  Upload,
  UploadFileAccepted,
  UploadUpdatable,
  UploadWritable,
} from "./wire.js";

export interface LobClientOptions {
  readonly apiKey: string;
  /** e.g. `https://api.lob.com/v1` (no trailing slash needed). */
  readonly baseUrl: string;
  /** Attempts per request, the first included. Default 5. */
  readonly maxAttempts?: number;
  /** Client-side limit per endpoint. Default LOB_RATE_LIMIT (150 per 5000 ms); false = off. */
  readonly rateLimit?: RateLimit | false;
  /** Socket idle timeout and time-to-response, ms. Default 30 000. File uploads get more. */
  readonly timeoutMs?: number;
  /** Default `campaignctl/<version>`. */
  readonly userAgent?: string;
  /** Waits between retries. Default setTimeout. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Jitter source, uniform in [0, 1). Default Math.random. */
  readonly random?: () => number;
  readonly onEvent?: (e: LobClientEvent) => void;
  /** Requests in flight at once, all endpoints together. Default DEFAULT_MAX_IN_FLIGHT (16). */
  readonly maxInFlight?: number;
  /**
   * Clock, ms since epoch. When given, the rate limiter uses it together with `sleep` (a fake
   * clock for tests); otherwise the limiter uses real time and timers.
   */
  readonly now?: () => number;
}

export type LobClientEvent =
  | {
      readonly type: "request";
      readonly method: string;
      readonly endpoint: string;
      /** 0 when no response arrived. */
      readonly status: number;
      readonly ms: number;
      readonly attempt: number;
    }
  | {
      readonly type: "retry";
      readonly method: string;
      readonly endpoint: string;
      readonly delayMs: number;
      readonly reason: string;
    }
  | { readonly type: "throttle"; readonly endpoint: string; readonly delayMs: number };

export type CreativeFileField = "front" | "back" | "file" | "inside" | "outside";

export interface LocalFile {
  readonly path: string;
  readonly filename: string;
  readonly contentType: string;
  /** The file's bytes, already read and checked by the caller: sent instead of reading `path`. */
  readonly data?: Uint8Array;
}

export interface LobClientStats {
  /** Attempts sent (retries included). */
  readonly requests: number;
  readonly byEndpoint: Readonly<Record<string, number>>;
  readonly retries: number;
  readonly throttledMs: number;
  readonly rateLimited429: number;
}

export interface LobClient {
  readonly mode: LobMode;
  readonly baseUrl: string;
  listCampaigns(q?: {
    limit?: number;
    after?: string;
    before?: string;
    includeTotalCount?: boolean;
  }): Promise<CampaignList>;
  /** Every campaign, following next_url with limit=100 (fewest requests). */
  listAllCampaigns(): Promise<Campaign[]>;
  getCampaign(id: string): Promise<Campaign>;
  createCampaign(body: CampaignWritable): Promise<Campaign>;
  updateCampaign(id: string, body: CampaignUpdatable): Promise<Campaign>;
  deleteCampaign(id: string): Promise<CampaignDeleted>;
  sendCampaign(id: string): Promise<Campaign>;
  /** JSON when no files; multipart (files streamed, nested fields in bracket notation) otherwise. */
  createCreative(
    body: CreativeWritable,
    files?: Partial<Record<CreativeFileField, LocalFile>>,
  ): Promise<Creative>;
  getCreative(id: string): Promise<Creative>;
  updateCreative(id: string, body: CreativeUpdatable): Promise<Creative>;
  createUpload(body: UploadWritable): Promise<Upload>;
  listUploads(campaignId: string): Promise<Upload[]>;
  getUpload(id: string): Promise<Upload>;
  updateUpload(id: string, body: UploadUpdatable): Promise<Upload>;
  deleteUpload(id: string): Promise<void>;
  /** Multipart part `file`, streamed from disk; progress reported as bytes are handed to the socket. */
  uploadFile(
    uploadId: string,
    file: {
      path: string;
      filename?: string;
      onProgress?: (sentBytes: number, totalBytes: number) => void;
    },
  ): Promise<UploadFileAccepted & { readonly sentSha256: string }>;
  createExport(uploadId: string, type: ExportType): Promise<ExportCreated>;
  getExport(uploadId: string, exportId: string): Promise<Export>;
  getReport(
    uploadId: string,
    q?: { status?: ReportRowStatus; limit?: number; offset?: number },
  ): Promise<Report>;
  /** Absolute (signed) URL, fetched WITHOUT the API key; streamed to a temp file then renamed. */
  downloadToFile(url: string, destPath: string): Promise<{ bytes: number }>;
  stats(): LobClientStats;
  /**
   * Lob's clock, estimated from the Date header of the latest response (to the second); the local
   * clock until a response arrived. Cancel windows are Lob's, so deadlines are judged by this.
   */
  serverNow(): Date;
}

export const DEFAULT_TIMEOUT_MS = 30_000;
/**
 * Requests in flight at once, all endpoints together. 16 lets a rate-limit window's 150 requests
 * go out in a fraction of a second; at 8, the first window's requests trickled out for ~0.8 s,
 * which pushed the next window (anchored on their responses) back by as much (bench/plan-noop.mjs).
 */
export const DEFAULT_MAX_IN_FLIGHT = 16;
/** Slowest upload speed we still wait for before calling a file upload timed out. */
const MIN_UPLOAD_BYTES_PER_SECOND = 64 * 1024;
const DOWNLOAD_ENDPOINT = "GET (download)";

type Method = "GET" | "POST" | "PATCH" | "DELETE";
type Query = Readonly<Record<string, string | number | readonly string[] | undefined>>;

interface RequestSpec {
  readonly method: Method;
  /** Relative to baseUrl, ids already encoded. */
  readonly path: string;
  readonly query?: Query;
  readonly json?: unknown;
  readonly multipart?: MultipartBody;
  readonly onFileBytes?: (sent: number) => void;
  /** `none` for 204 endpoints. */
  readonly expect: "json" | "none";
  readonly timeoutMs?: number;
}

interface RawResponse {
  readonly status: number;
  readonly headers: HeaderBag;
  readonly body: string;
}

export function createLobClient(options: LobClientOptions): LobClient {
  const apiKey = options.apiKey;
  const secrets = [apiKey];
  const baseUrl = options.baseUrl.replace(/\/+$/, "");
  const mode: LobMode = apiKey.startsWith("live_") ? "live" : "test";
  const maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const userAgent = options.userAgent ?? `campaignctl/${packageVersion()}`;
  const sleep = options.sleep ?? realSleep;
  const random = options.random ?? Math.random;
  const now = options.now ?? Date.now;
  const emit = options.onEvent ?? (() => undefined);
  const gate = createGate(options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT);
  const rateLimit = options.rateLimit === undefined ? LOB_RATE_LIMIT : options.rateLimit;
  const limiter =
    rateLimit === false
      ? undefined
      : createRateLimiter({
          ...rateLimit,
          ...(options.now === undefined ? {} : { now: options.now, sleep }),
        });

  const counters = { requests: 0, retries: 0, throttledMs: 0, rateLimited429: 0 };
  const byEndpoint: Record<string, number> = {};

  const http: AxiosInstance = axios.create({
    auth: { username: apiKey, password: "" },
    headers: { "User-Agent": userAgent, Accept: "application/json" },
    timeout: timeoutMs,
    // Native transport: follow-redirects would buffer streamed upload bodies in memory.
    maxRedirects: 0,
    validateStatus: () => true,
    responseType: "text",
    transformResponse: [(data: unknown) => data],
    transitional: { clarifyTimeoutError: true },
  });
  // Signed download URLs must never see the API key, so they get their own instance.
  const plain: AxiosInstance = axios.create({
    headers: { "User-Agent": userAgent },
    timeout: timeoutMs,
    maxRedirects: 5,
    validateStatus: () => true,
    transitional: { clarifyTimeoutError: true },
  });

  // Server time minus local time, from the latest Date header; 0 until a response arrived.
  let serverClockOffsetMs = 0;
  function noteServerDate(header: unknown): void {
    const at = typeof header === "string" ? Date.parse(header) : Number.NaN;
    if (!Number.isFinite(at)) return;
    // The header has one-second resolution: differences that small are truncation, not skew.
    const offset = at - Date.now();
    serverClockOffsetMs = Math.abs(offset) < 2_000 ? 0 : offset;
  }

  function count(endpoint: string): void {
    counters.requests += 1;
    byEndpoint[endpoint] = (byEndpoint[endpoint] ?? 0) + 1;
  }

  /** One attempt through the gate and the limiter. Network failures come back as status 0. */
  async function attemptOnce(
    spec: RequestSpec,
    endpoint: string,
    attempt: number,
  ): Promise<RawResponse | { readonly status: 0; readonly networkCode: string; readonly detail: string }> {
    const release = await gate.enter();
    let permit: RatePermit | undefined;
    try {
      if (limiter !== undefined) {
        permit = await limiter.acquire(endpoint);
        if (permit.waitedMs > 0) {
          counters.throttledMs += permit.waitedMs;
          emit({ type: "throttle", endpoint, delayMs: permit.waitedMs });
        }
      }
      count(endpoint);
      const started = performance.now();
      const headers: Record<string, string | number> = {};
      let data: unknown;
      if (spec.multipart !== undefined) {
        headers["Content-Type"] = spec.multipart.contentType;
        headers["Content-Length"] = spec.multipart.contentLength;
        data = spec.multipart.open(spec.onFileBytes);
      } else if (spec.json !== undefined) {
        headers["Content-Type"] = "application/json";
        data = JSON.stringify(spec.json);
      }
      try {
        const res: AxiosResponse<unknown> = await http.request({
          method: spec.method,
          url: baseUrl + spec.path + encodeQuery(spec.query),
          headers,
          data,
          timeout: spec.timeoutMs ?? timeoutMs,
        });
        const ms = Math.round(performance.now() - started);
        emit({ type: "request", method: spec.method, endpoint, status: res.status, ms, attempt });
        noteServerDate(res.headers["date"]);
        return {
          status: res.status,
          headers: res.headers as HeaderBag,
          body: typeof res.data === "string" ? res.data : res.data == null ? "" : String(res.data),
        };
      } catch (err) {
        const ms = Math.round(performance.now() - started);
        emit({ type: "request", method: spec.method, endpoint, status: 0, ms, attempt });
        return { status: 0, ...describeNetworkError(err) };
      }
    } finally {
      permit?.done();
      release();
    }
  }

  async function call<T>(spec: RequestSpec): Promise<T> {
    const endpoint = endpointKey(spec.method, spec.path);
    const idempotent = isIdempotentMethod(spec.method);
    for (let attempt = 1; ; attempt += 1) {
      const res = await attemptOnce(spec, endpoint, attempt);
      if (res.status >= 200 && res.status < 300 && "body" in res) {
        return parseSuccess<T>(spec, endpoint, res);
      }
      const networkCode = "networkCode" in res ? res.networkCode : undefined;
      const headers = "headers" in res ? res.headers : {};
      if (res.status === 429) {
        counters.rateLimited429 += 1;
        const told = serverRequestedDelay(headers, now());
        if (told !== undefined) limiter?.blockUntil(endpoint, now() + told);
      }
      if (
        shouldRetry({
          method: spec.method,
          status: res.status,
          errorCode: networkCode,
          attempt,
          idempotent,
          maxAttempts,
        })
      ) {
        const delayMs = computeRetryDelay({ attempt, headers, now: now(), random });
        counters.retries += 1;
        emit({
          type: "retry",
          method: spec.method,
          endpoint,
          delayMs,
          reason: res.status === 0 ? (networkCode ?? "network error") : `HTTP ${res.status}`,
        });
        await sleep(delayMs);
        continue;
      }
      if ("body" in res) throw httpError(spec, endpoint, res);
      throw networkError(spec.method, spec.path, endpoint, res.networkCode, res.detail);
    }
  }

  function parseSuccess<T>(spec: RequestSpec, endpoint: string, res: RawResponse): T {
    if (spec.expect === "none") return undefined as T;
    const text = res.body.replace(/^\uFEFF/, "");
    try {
      if (text.trim() === "") throw new SyntaxError("empty body");
      return JSON.parse(text) as T;
    } catch {
      throw new LobApiError({
        code: "LOB_UNEXPECTED",
        status: res.status,
        lobCode: undefined,
        message: `${spec.method} ${stripQuery(spec.path)} answered ${res.status} without a JSON body.`,
        method: spec.method,
        path: spec.path,
        endpoint,
        retryable: false,
        // The server said yes: whatever it was asked to create exists now.
        ambiguous: !isIdempotentMethod(spec.method),
        secrets,
      });
    }
  }

  function httpError(spec: RequestSpec, endpoint: string, res: RawResponse): LobApiError {
    const parsed = parseLobErrorBody(res.body);
    const what = `${spec.method} ${stripQuery(spec.path)}`;
    const status = res.status;
    const message =
      status >= 300 && status < 400
        ? `${what} was redirected (HTTP ${status}); check LOB_API_URL.`
        : `Lob rejected ${what} (HTTP ${status}${parsed.lobCode === undefined ? "" : ` ${parsed.lobCode}`}): ${parsed.message ?? "no error message"}`;
    return new LobApiError({
      code: codeForStatus(status),
      status,
      lobCode: parsed.lobCode,
      message,
      method: spec.method,
      path: spec.path,
      endpoint,
      retryable: isRetryableFailure(status),
      ambiguous: status >= 500 && !isIdempotentMethod(spec.method),
      secrets,
    });
  }

  function networkError(
    method: string,
    path: string,
    endpoint: string,
    networkCode: string,
    detail: string,
  ): LobApiError {
    return new LobApiError({
      code: "LOB_NETWORK",
      status: 0,
      lobCode: undefined,
      message: `No response to ${method} ${stripQuery(path)}: ${networkCode}${detail === "" ? "" : ` (${detail})`}`,
      method,
      path,
      endpoint,
      retryable: isRetryableFailure(0, networkCode),
      // A read cannot have changed anything; a write may have landed unless nothing was sent.
      ambiguous: method !== "GET" && !isNothingSentError(networkCode),
      networkCode,
      secrets,
    });
  }

  function describeNetworkError(err: unknown): { readonly networkCode: string; readonly detail: string } {
    // Only the code and a short message survive: the AxiosError itself carries config.auth.
    const e = err as { code?: unknown; message?: unknown; cause?: { code?: unknown } };
    const code =
      typeof e.code === "string" && e.code !== ""
        ? e.code
        : typeof e.cause?.code === "string"
          ? e.cause.code
          : "ERR_NETWORK";
    const detail = typeof e.message === "string" ? scrubServerText(redact(e.message), 200) : "";
    return { networkCode: code, detail: detail === code ? "" : detail };
  }

  function redact(text: string): string {
    return stripUrlQueries(text.split(apiKey).join("[REDACTED]"));
  }

  async function download(url: string, destPath: string): Promise<{ bytes: number }> {
    const target = new URL(url, baseUrl + "/");
    const shownPath = `${target.host}${target.pathname}`;
    for (let attempt = 1; ; attempt += 1) {
      const release = await gate.enter();
      count(DOWNLOAD_ENDPOINT);
      const started = performance.now();
      const tmp = `${destPath}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
      let outcome:
        | { readonly ok: true; readonly bytes: number }
        | { readonly ok: false; readonly status: number; readonly headers: HeaderBag; readonly body: string }
        | { readonly ok: false; readonly status: 0; readonly networkCode: string; readonly detail: string };
      try {
        const res = await plain.request<NodeJS.ReadableStream>({
          method: "GET",
          url: target.toString(),
          responseType: "stream",
        });
        if (res.status >= 200 && res.status < 300) {
          let bytes = 0;
          const counter = new Transform({
            transform(chunk: Buffer, _enc, cb) {
              bytes += chunk.length;
              cb(null, chunk);
            },
          });
          try {
            await pipeline(res.data, counter, createWriteStream(tmp));
            await rename(tmp, destPath);
          } catch (err) {
            await unlink(tmp).catch(() => undefined);
            throw err;
          }
          outcome = { ok: true, bytes };
        } else {
          outcome = {
            ok: false,
            status: res.status,
            headers: res.headers as HeaderBag,
            body: await readSome(res.data, 64 * 1024),
          };
        }
      } catch (err) {
        if (isFsError(err)) {
          throw new CampaignctlError({
            code: "INTERNAL",
            source: "toolkit",
            message: `Could not write ${destPath}: ${(err as { code: string }).code}`,
            hint: "Check that the destination directory exists and is writable.",
          });
        }
        outcome = { ok: false, status: 0, ...describeNetworkError(err) };
      } finally {
        release();
      }
      const status = outcome.ok ? 200 : outcome.status;
      emit({
        type: "request",
        method: "GET",
        endpoint: DOWNLOAD_ENDPOINT,
        status,
        ms: Math.round(performance.now() - started),
        attempt,
      });
      if (outcome.ok) return { bytes: outcome.bytes };
      const networkCode = "networkCode" in outcome ? outcome.networkCode : undefined;
      const headers = "headers" in outcome ? outcome.headers : {};
      if (
        shouldRetry({ method: "GET", status, errorCode: networkCode, attempt, idempotent: true, maxAttempts })
      ) {
        const delayMs = computeRetryDelay({ attempt, headers, now: now(), random });
        counters.retries += 1;
        emit({
          type: "retry",
          method: "GET",
          endpoint: DOWNLOAD_ENDPOINT,
          delayMs,
          reason: status === 0 ? (networkCode ?? "network error") : `HTTP ${status}`,
        });
        await sleep(delayMs);
        continue;
      }
      if ("networkCode" in outcome) {
        throw networkError("GET", shownPath, DOWNLOAD_ENDPOINT, outcome.networkCode, outcome.detail);
      }
      const parsed = parseLobErrorBody(outcome.body);
      throw new LobApiError({
        code: codeForStatus(status),
        status,
        lobCode: parsed.lobCode,
        message: `Download of ${shownPath} failed (HTTP ${status}): ${parsed.message ?? "no error message"}`,
        method: "GET",
        path: shownPath,
        endpoint: DOWNLOAD_ENDPOINT,
        retryable: isRetryableFailure(status),
        ambiguous: false,
        secrets,
      });
    }
  }

  async function statOrFail(
    path: string,
    what: string,
    code: "AUDIENCE_INVALID" | "MANIFEST_INVALID",
  ): Promise<number> {
    let info;
    try {
      info = await stat(path);
    } catch (err) {
      throw new CampaignctlError({
        code,
        source: "user",
        message: `Cannot read ${what} ${path}: ${(err as { code?: string }).code ?? "unreadable"}`,
        hint: "Check the path in the manifest, then run `campaignctl validate`.",
      });
    }
    // A FIFO or device swapped in since validation would block the upload or stream forever.
    if (!info.isFile()) {
      throw new CampaignctlError({
        code,
        source: "user",
        message: `Cannot read ${what} ${path}: not a regular file`,
        hint: "Check the path in the manifest, then run `campaignctl validate`.",
      });
    }
    return info.size;
  }

  const id = (value: string): string => encodeURIComponent(value);

  return {
    mode,
    baseUrl,

    listCampaigns(q = {}) {
      return call<CampaignList>({
        method: "GET",
        path: "/campaigns",
        query: {
          limit: q.limit,
          after: q.after,
          before: q.before,
          "include[]": q.includeTotalCount === true ? "total_count" : undefined,
        },
        expect: "json",
      });
    },

    async listAllCampaigns() {
      const all: Campaign[] = [];
      const seen = new Set<string>();
      let query: Query = { limit: 100 };
      for (;;) {
        const page = await call<CampaignList>({ method: "GET", path: "/campaigns", query, expect: "json" });
        all.push(...page.data);
        const next = nextPageQuery(page.next_url);
        if (next === undefined || page.data.length === 0) return all;
        const key = JSON.stringify(next);
        if (seen.has(key)) {
          throw new LobApiError({
            code: "LOB_UNEXPECTED",
            status: 200,
            lobCode: undefined,
            message: "GET /campaigns returned the same next_url twice; stopping to avoid an endless loop.",
            method: "GET",
            path: "/campaigns",
            endpoint: endpointKey("GET", "/campaigns"),
            retryable: false,
            ambiguous: false,
            secrets,
          });
        }
        seen.add(key);
        // Reuse only the cursor: the host in next_url is Lob's idea of itself, not necessarily ours.
        query = { ...next, limit: 100 };
      }
    },

    getCampaign: (cmp) => call<Campaign>({ method: "GET", path: `/campaigns/${id(cmp)}`, expect: "json" }),
    createCampaign: (body) =>
      call<Campaign>({ method: "POST", path: "/campaigns", json: body, expect: "json" }),
    updateCampaign: (cmp, body) =>
      call<Campaign>({ method: "PATCH", path: `/campaigns/${id(cmp)}`, json: body, expect: "json" }),
    deleteCampaign: (cmp) =>
      call<CampaignDeleted>({ method: "DELETE", path: `/campaigns/${id(cmp)}`, expect: "json" }),
    sendCampaign: (cmp) =>
      call<Campaign>({ method: "POST", path: `/campaigns/${id(cmp)}/send`, expect: "json" }),

    async createCreative(body, files) {
      const fileEntries = Object.entries(files ?? {}).filter(
        (e): e is [CreativeFileField, LocalFile] => e[1] !== undefined,
      );
      if (fileEntries.length === 0) {
        return call<Creative>({ method: "POST", path: "/creatives", json: body, expect: "json" });
      }
      const fieldsBody: Record<string, unknown> = { ...body };
      for (const [name] of fileEntries) delete fieldsBody[name];
      const parts: MultipartPart[] = flattenFormFields(fieldsBody).map((f) => ({ kind: "field", ...f }));
      for (const [name, file] of fileEntries) {
        if (file.data === undefined)
          await statOrFail(file.path, `artwork file for ${name}:`, "MANIFEST_INVALID");
        parts.push({
          kind: "file",
          name,
          path: file.path,
          filename: file.filename,
          contentType: file.contentType,
          ...(file.data === undefined ? {} : { data: file.data }),
        });
      }
      const multipart = await buildMultipartBody(parts);
      return call<Creative>({
        method: "POST",
        path: "/creatives",
        multipart,
        expect: "json",
        timeoutMs: uploadTimeout(timeoutMs, multipart.contentLength),
      });
    },
    getCreative: (crv) => call<Creative>({ method: "GET", path: `/creatives/${id(crv)}`, expect: "json" }),
    updateCreative: (crv, body) =>
      call<Creative>({ method: "PATCH", path: `/creatives/${id(crv)}`, json: body, expect: "json" }),

    createUpload: (body) => call<Upload>({ method: "POST", path: "/uploads", json: body, expect: "json" }),
    listUploads: (cmp) =>
      call<Upload[]>({ method: "GET", path: "/uploads", query: { campaignId: cmp }, expect: "json" }),
    getUpload: (upl) => call<Upload>({ method: "GET", path: `/uploads/${id(upl)}`, expect: "json" }),
    updateUpload: (upl, body) =>
      call<Upload>({ method: "PATCH", path: `/uploads/${id(upl)}`, json: body, expect: "json" }),
    deleteUpload: (upl) => call<void>({ method: "DELETE", path: `/uploads/${id(upl)}`, expect: "none" }),

    async uploadFile(upl, file) {
      await statOrFail(file.path, "audience file", "AUDIENCE_INVALID");
      const multipart = await buildMultipartBody([
        {
          kind: "file",
          name: "file",
          path: file.path,
          filename: file.filename ?? basename(file.path),
          contentType: "text/csv",
        },
      ]);
      const total = multipart.fileBytes;
      const onProgress = file.onProgress;
      onProgress?.(0, total);
      const accepted = await call<UploadFileAccepted>({
        method: "POST",
        path: `/uploads/${id(upl)}/file`,
        multipart,
        ...(onProgress === undefined ? {} : { onFileBytes: (sent: number) => onProgress(sent, total) }),
        expect: "json",
        timeoutMs: uploadTimeout(timeoutMs, multipart.contentLength),
      });
      return { ...accepted, sentSha256: multipart.sentFileSha256() ?? "" };
    },

    createExport: (upl, type) =>
      call<ExportCreated>({
        method: "POST",
        path: `/uploads/${id(upl)}/exports`,
        json: { type },
        expect: "json",
      }),
    getExport: (upl, ex) =>
      call<Export>({ method: "GET", path: `/uploads/${id(upl)}/exports/${id(ex)}`, expect: "json" }),
    getReport: (upl, q = {}) =>
      call<Report>({
        method: "GET",
        path: `/uploads/${id(upl)}/report`,
        query: { status: q.status, limit: q.limit, offset: q.offset },
        expect: "json",
      }),

    downloadToFile: download,

    stats() {
      return { ...counters, byEndpoint: { ...byEndpoint } };
    },

    serverNow() {
      return new Date(Date.now() + serverClockOffsetMs);
    },
  };
}

function encodeQuery(query: Query | undefined): string {
  if (query === undefined) return "";
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const v of value) params.append(key, String(v));
    else params.append(key, String(value));
  }
  const text = params.toString();
  return text === "" ? "" : `?${text}`;
}

/** The `after` cursor in a list's next_url (absolute or relative), or undefined on the last page. */
export function afterCursorOf(nextUrl: string | null | undefined): string | undefined {
  const after = nextPageQuery(nextUrl)?.after;
  return typeof after === "string" && after !== "" ? after : undefined;
}

/** The query of a next_url as a Query, or undefined on the last page. */
function nextPageQuery(nextUrl: string | null | undefined): Query | undefined {
  if (nextUrl === null || nextUrl === undefined || nextUrl.trim() === "") return undefined;
  let url: URL;
  try {
    url = new URL(nextUrl, "https://api.lob.com/v1/");
  } catch {
    return undefined;
  }
  const out: Record<string, string | string[]> = {};
  for (const key of new Set(url.searchParams.keys())) {
    const values = url.searchParams.getAll(key);
    out[key] = values.length === 1 ? (values[0] as string) : values;
  }
  return out;
}

function uploadTimeout(timeoutMs: number, bytes: number): number {
  return timeoutMs + Math.ceil((bytes / MIN_UPLOAD_BYTES_PER_SECOND) * 1000);
}

function stripUrlQueries(text: string): string {
  return text.replace(/(https?:\/\/[^\s?#]*)[?#]\S*/g, "$1");
}

function isFsError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return (
    typeof code === "string" &&
    ["ENOENT", "EACCES", "EISDIR", "ENOTDIR", "EROFS", "ENOSPC", "EEXIST", "EPERM"].includes(code) &&
    !(err as { isAxiosError?: boolean }).isAxiosError
  );
}

async function readSome(stream: NodeJS.ReadableStream, maxBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer | string>) {
      const buf = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
      if (size < maxBytes) chunks.push(buf);
      size += buf.length;
    }
  } catch {
    // A broken error body is still an error; the status says enough.
  }
  return Buffer.concat(chunks).toString("utf8").slice(0, maxBytes);
}

function realSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
