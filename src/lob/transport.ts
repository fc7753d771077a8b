import axios from "axios";
import type { AxiosInstance, AxiosResponse } from "axios";
import { isCampaignctlError } from "../core/errors.js";
import { scrubServerText } from "./errors.js";
import type { Gate } from "./gate.js";
import type { RateLimiter, RatePermit } from "./rate-limiter.js";
import type { HeaderBag } from "./retry.js";

/**
 * One attempt of one HTTP request: through the in-flight gate and (for Lob's API) the rate
 * limiter, counted and reported. It never retries and never throws for HTTP or network failures:
 * those come back as outcomes, for withRetry to judge and toLobApiError to describe.
 */

export type Method = "GET" | "POST" | "PATCH" | "DELETE";

export interface TransportRequest {
  readonly method: Method;
  /** Absolute URL. */
  readonly url: string;
  /** Rate-limit and statistics key, e.g. `GET /campaigns/{id}`. */
  readonly endpoint: string;
  /**
   * `api-key`: Lob's API (Basic auth, rate-limited, its Date header read). `none`: a signed URL,
   * which must never see the key.
   */
  readonly credentials: "api-key" | "none";
  readonly headers?: Readonly<Record<string, string | number>>;
  /** A string, or a function that opens a fresh stream for this attempt. */
  readonly body?: string | (() => NodeJS.ReadableStream);
  readonly timeoutMs?: number;
  /**
   * Streams a 2xx body somewhere (a download) instead of buffering it; resolves to the bytes taken.
   * A CampaignctlError it throws (a local file problem) propagates; anything else counts as a
   * network failure of this attempt.
   */
  readonly sink?: (body: NodeJS.ReadableStream) => Promise<number>;
}

export type AttemptOutcome =
  /** A response; `body` is the text (empty when a sink took it), `bytes` what the sink took. */
  | {
      readonly status: number;
      readonly headers: HeaderBag;
      readonly body: string;
      readonly bytes?: number;
      readonly networkCode?: undefined;
    }
  /** No response (refused, reset, timed out…): status 0. */
  | {
      readonly status: 0;
      readonly networkCode: string;
      readonly detail: string;
      readonly headers?: undefined;
    };

export type TransportEvent =
  | {
      readonly type: "request";
      readonly method: string;
      readonly endpoint: string;
      /** 0 when no response arrived. */
      readonly status: number;
      readonly ms: number;
      readonly attempt: number;
    }
  | { readonly type: "throttle"; readonly endpoint: string; readonly delayMs: number };

export interface TransportOptions {
  readonly apiKey: string;
  readonly userAgent: string;
  readonly timeoutMs: number;
  readonly gate: Gate;
  readonly limiter?: RateLimiter | undefined;
  readonly onEvent: (e: TransportEvent) => void;
  /** Every Date header of Lob's API responses (the server clock). */
  readonly onServerDate: (header: unknown) => void;
}

export interface TransportCounters {
  /** Attempts sent. */
  readonly requests: number;
  readonly byEndpoint: Readonly<Record<string, number>>;
  /** Time spent waiting for the rate limiter, ms. */
  readonly throttledMs: number;
}

export interface Transport {
  /** `attempt` is 1-based; it is only reported. */
  send(request: TransportRequest, attempt: number): Promise<AttemptOutcome>;
  counters(): TransportCounters;
}

/** Largest non-2xx body kept when the response was streamed (a download's error page). */
const MAX_STREAMED_ERROR_BODY = 64 * 1024;

export function createTransport(options: TransportOptions): Transport {
  const { gate, limiter, onEvent } = options;
  const byEndpoint: Record<string, number> = {};
  let requests = 0;
  let throttledMs = 0;

  const keyed: AxiosInstance = axios.create({
    auth: { username: options.apiKey, password: "" },
    headers: { "User-Agent": options.userAgent, Accept: "application/json" },
    timeout: options.timeoutMs,
    // Native transport: follow-redirects would buffer streamed upload bodies in memory.
    maxRedirects: 0,
    validateStatus: () => true,
    transitional: { clarifyTimeoutError: true },
  });
  // Signed download URLs must never see the API key, so they get their own instance.
  const plain: AxiosInstance = axios.create({
    headers: { "User-Agent": options.userAgent },
    timeout: options.timeoutMs,
    maxRedirects: 5,
    validateStatus: () => true,
    transitional: { clarifyTimeoutError: true },
  });

  async function exchange(request: TransportRequest): Promise<AttemptOutcome> {
    const streamed = request.sink !== undefined;
    const res: AxiosResponse<unknown> = await (request.credentials === "api-key" ? keyed : plain).request({
      method: request.method,
      url: request.url,
      headers: { ...request.headers },
      data: typeof request.body === "function" ? request.body() : request.body,
      ...(request.timeoutMs === undefined ? {} : { timeout: request.timeoutMs }),
      ...(streamed
        ? { responseType: "stream" }
        : { responseType: "text", transformResponse: [(data: unknown) => data] }),
    });
    if (request.credentials === "api-key") options.onServerDate(res.headers["date"]);
    const headers = res.headers as HeaderBag;
    if (!streamed) {
      const body = typeof res.data === "string" ? res.data : res.data == null ? "" : String(res.data);
      return { status: res.status, headers, body };
    }
    const stream = res.data as NodeJS.ReadableStream;
    if (res.status >= 200 && res.status < 300 && request.sink !== undefined) {
      return { status: res.status, headers, body: "", bytes: await request.sink(stream) };
    }
    return { status: res.status, headers, body: await readSome(stream, MAX_STREAMED_ERROR_BODY) };
  }

  return {
    async send(request, attempt) {
      const release = await gate.enter();
      let permit: RatePermit | undefined;
      try {
        if (limiter !== undefined && request.credentials === "api-key") {
          permit = await limiter.acquire(request.endpoint);
          if (permit.waitedMs > 0) {
            throttledMs += permit.waitedMs;
            onEvent({ type: "throttle", endpoint: request.endpoint, delayMs: permit.waitedMs });
          }
        }
        requests += 1;
        byEndpoint[request.endpoint] = (byEndpoint[request.endpoint] ?? 0) + 1;
        const started = performance.now();
        let outcome: AttemptOutcome;
        try {
          outcome = await exchange(request);
        } catch (err) {
          if (isCampaignctlError(err)) throw err;
          outcome = { status: 0, ...describeNetworkError(err, options.apiKey) };
        }
        const ms = Math.round(performance.now() - started);
        onEvent({
          type: "request",
          method: request.method,
          endpoint: request.endpoint,
          status: outcome.status,
          ms,
          attempt,
        });
        return outcome;
      } finally {
        permit?.done();
        release();
      }
    },
    counters: () => ({ requests, byEndpoint: { ...byEndpoint }, throttledMs }),
  };
}

/** Only the code and a short scrubbed message survive: the AxiosError itself carries config.auth. */
export function describeNetworkError(
  err: unknown,
  apiKey: string,
): { readonly networkCode: string; readonly detail: string } {
  const e = err as { code?: unknown; message?: unknown; cause?: { code?: unknown } };
  const code =
    typeof e.code === "string" && e.code !== ""
      ? e.code
      : typeof e.cause?.code === "string"
        ? e.cause.code
        : "ERR_NETWORK";
  const detail =
    typeof e.message === "string"
      ? scrubServerText(stripUrlQueries(e.message.split(apiKey).join("[REDACTED]")), 200)
      : "";
  return { networkCode: code, detail: detail === code ? "" : detail };
}

function stripUrlQueries(text: string): string {
  return text.replace(/(https?:\/\/[^\s?#]*)[?#]\S*/g, "$1");
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
