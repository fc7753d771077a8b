import { endpointKey } from "./endpoint.js";
import type { MultipartBody } from "./multipart.js";
import { isIdempotentMethod } from "./retry.js";
import { toLobApiError } from "./to-lob-api-error.js";
import type { AttemptOutcome, Method, Transport } from "./transport.js";
import { withRetry } from "./with-retry.js";
import type { RetrySettings } from "./with-retry.js";

export type Query = Readonly<Record<string, string | number | readonly string[] | undefined>>;

/** One call of Lob's API, as the resource table states it. */
export interface ApiRequest {
  readonly method: Method;
  /** Relative to the base URL, ids already encoded. */
  readonly path: string;
  readonly query?: Query;
  readonly json?: unknown;
  readonly multipart?: MultipartBody;
  readonly onFileBytes?: (sent: number) => void;
  /** `none` for 204 endpoints. */
  readonly expect: "json" | "none";
}

export interface ApiCallContext {
  /** Without a trailing slash. */
  readonly baseUrl: string;
  /** The transport's timeout; a multipart body gets more, by its size. */
  readonly timeoutMs: number;
  readonly transport: Transport;
  readonly retry: RetrySettings;
  readonly secrets: readonly string[];
}

/** Slowest upload speed we still wait for before calling a file upload timed out. */
const MIN_UPLOAD_BYTES_PER_SECOND = 64 * 1024;

export type ApiCall = <T>(request: ApiRequest) => Promise<T>;

/** Encode, send with retries, parse the JSON answer, or throw the LobApiError for the failure. */
export function createApiCall(ctx: ApiCallContext): ApiCall {
  return async <T>(request: ApiRequest): Promise<T> => {
    const { method, path } = request;
    const endpoint = endpointKey(method, path);
    const headers: Record<string, string | number> = {};
    let body: string | (() => NodeJS.ReadableStream) | undefined;
    const multipart = request.multipart;
    if (multipart !== undefined) {
      headers["Content-Type"] = multipart.contentType;
      headers["Content-Length"] = multipart.contentLength;
      // A fresh stream per attempt: a retried upload sends the whole file again.
      body = () => multipart.open(request.onFileBytes);
    } else if (request.json !== undefined) {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify(request.json);
    }
    const url = ctx.baseUrl + path + encodeQuery(request.query);
    const outcome = await withRetry(
      (attempt) =>
        ctx.transport.send(
          {
            method,
            url,
            endpoint,
            credentials: "api-key",
            headers,
            body,
            ...(multipart === undefined
              ? {}
              : {
                  timeoutMs:
                    ctx.timeoutMs + Math.ceil((multipart.contentLength / MIN_UPLOAD_BYTES_PER_SECOND) * 1000),
                }),
          },
          attempt,
        ),
      { ...ctx.retry, method, endpoint, idempotent: isIdempotentMethod(method) },
    );
    const failed = { method, path, endpoint, secrets: ctx.secrets };
    if (outcome.networkCode !== undefined || outcome.status < 200 || outcome.status >= 300) {
      throw toLobApiError(outcome, failed);
    }
    if (request.expect === "none") return undefined as T;
    return parseJson<T>(outcome, () => toLobApiError(outcome, failed));
  };
}

function parseJson<T>(outcome: AttemptOutcome & { readonly body: string }, unreadable: () => Error): T {
  const text = outcome.body.replace(/^\uFEFF/, "");
  if (text.trim() === "") throw unreadable();
  try {
    return JSON.parse(text) as T;
  } catch {
    throw unreadable();
  }
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
