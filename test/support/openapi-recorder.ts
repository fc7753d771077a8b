/**
 * A plain-fetch HTTP helper for contract tests: it speaks Lob's wire format by hand (no client
 * code of ours in the loop) and records every exchange so a test file can check them all
 * against the OpenAPI document at the end.
 */
import qs from "qs";
import {
  checkComponentSchema,
  checkResponse,
  formatContractFailure,
  loadLobSpec,
} from "./openapi-contract.js";

export interface RecordedExchange {
  readonly method: string;
  /** Path relative to the API root including `/v1` and the query, e.g. `/v1/campaigns?limit=1`. */
  readonly path: string;
  readonly status: number;
  readonly contentType: string | undefined;
  /** Parsed JSON body; the raw text when it is not JSON; `undefined` when empty. */
  readonly body: unknown;
  readonly text: string;
  readonly headers: Headers;
  /** Set when the route is not in the spec on purpose: the body is checked against this component schema. */
  readonly expectComponent?: string;
}

export type RequestBody =
  | { readonly json: unknown }
  | { readonly form: Record<string, unknown> }
  | { readonly multipart: FormData }
  | { readonly raw: string; readonly contentType: string };

export interface CallOptions {
  readonly body?: RequestBody;
  /** API key to use; `null` sends no Authorization header. Default: the recorder's key. */
  readonly key?: string | null;
  /** Raw Authorization header, overriding `key`. */
  readonly authorization?: string;
  /** For routes deliberately outside the spec (unknown endpoints): the component schema to use. */
  readonly expectComponent?: string;
}

export function basicAuth(key: string): string {
  return `Basic ${Buffer.from(`${key}:`).toString("base64")}`;
}

export interface Recorder {
  readonly exchanges: RecordedExchange[];
  call(method: string, path: string, options?: CallOptions): Promise<RecordedExchange>;
}

/** `baseUrl` is the emulator's `url` (ending in /v1); `path` is given relative to it, e.g. `/campaigns`. */
export function createRecorder(baseUrl: string, defaultKey: string): Recorder {
  const exchanges: RecordedExchange[] = [];
  const apiRoot = new URL(baseUrl);
  const prefix = apiRoot.pathname.replace(/\/$/, "");

  async function call(method: string, path: string, options: CallOptions = {}): Promise<RecordedExchange> {
    const headers: Record<string, string> = {};
    const key = options.key === undefined ? defaultKey : options.key;
    if (options.authorization !== undefined) headers.authorization = options.authorization;
    else if (key !== null) headers.authorization = basicAuth(key);
    let body: string | FormData | undefined;
    const b = options.body;
    if (b && "json" in b) {
      headers["content-type"] = "application/json";
      body = JSON.stringify(b.json);
    } else if (b && "form" in b) {
      headers["content-type"] = "application/x-www-form-urlencoded";
      body = qs.stringify(b.form, { encodeValuesOnly: true });
    } else if (b && "multipart" in b) {
      body = b.multipart;
    } else if (b && "raw" in b) {
      headers["content-type"] = b.contentType;
      body = b.raw;
    }
    const response = await fetch(`${apiRoot.origin}${prefix}${path}`, { method, headers, body });
    const text = await response.text();
    const contentType = response.headers.get("content-type") ?? undefined;
    let parsed: unknown = text === "" ? undefined : text;
    if (text !== "" && /json/i.test(contentType ?? "")) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = text;
      }
    }
    const exchange: RecordedExchange = {
      method: method.toUpperCase(),
      path: `${prefix}${path}`,
      status: response.status,
      contentType,
      body: parsed,
      text,
      headers: response.headers,
      ...(options.expectComponent ? { expectComponent: options.expectComponent } : {}),
    };
    exchanges.push(exchange);
    return exchange;
  }

  return { exchanges, call };
}

/** Every recorded response against the spec; returns one readable message per failure. */
export function findContractViolations(exchanges: readonly RecordedExchange[]): string[] {
  const spec = loadLobSpec();
  const failures: string[] = [];
  for (const ex of exchanges) {
    const req = { method: ex.method, path: ex.path };
    const res = {
      status: ex.status,
      body: ex.body,
      ...(ex.contentType ? { contentType: ex.contentType } : {}),
    };
    const check = ex.expectComponent
      ? checkComponentSchema(spec, ex.expectComponent, ex.body)
      : checkResponse(spec, req, res);
    if (!check.ok) failures.push(formatContractFailure(req, res, check));
  }
  return failures;
}
