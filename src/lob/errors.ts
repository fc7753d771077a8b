import { isPlainObject } from "../core/objects.js";
import { inspect } from "node:util";
import { CampaignctlError } from "../core/errors.js";
import type { ErrorSource, LobErrorCode } from "../core/errors.js";
import { redactSecrets } from "../core/redact.js";

/** The subset of error codes a Lob call can end in (the list lives in core/errors.ts). */
export type { LobErrorCode } from "../core/errors.js";

export interface LobApiErrorDetails {
  readonly code: LobErrorCode;
  /** HTTP status; 0 when no response arrived (network failure, timeout). */
  readonly status: number;
  /** Lob's own error code (`not_found`, `rate_limit_exceeded`, pydantic `type`…), when the body had one. */
  readonly lobCode: string | undefined;
  readonly message: string;
  readonly method: string;
  /** Request path without query string (queries may carry signed-URL secrets). */
  readonly path: string;
  /** endpointKey() of the request, e.g. `GET /campaigns/{id}`. */
  readonly endpoint: string;
  /** Whether a later identical request may succeed (transient failure). */
  readonly retryable: boolean;
  /**
   * The server may have processed the request although we saw no success: a network failure
   * after the request was (possibly) written, a timeout, or a 5xx on a non-idempotent call.
   * The engine must reconcile (look for what the lost request may have created) before retrying.
   */
  readonly ambiguous: boolean;
  /** Node/axios error code for network failures (`ECONNRESET`, `ETIMEDOUT`…). */
  readonly networkCode?: string;
  /** Secrets to strip from every text this error carries (the API key). */
  readonly secrets?: readonly string[];
}

const HINTS: Readonly<Record<LobErrorCode, string>> = {
  LOB_AUTH:
    "Check LOB_API_KEY: it must be a secret key (test_… or live_…) of the account that owns these objects.",
  LOB_NOT_FOUND:
    "The object may have been deleted outside campaignctl; run `campaignctl plan` to see the drift.",
  LOB_RATE_LIMITED:
    "Lob's rate limit was hit; wait a few seconds and rerun `campaignctl apply` (it resumes).",
  LOB_VALIDATION: "Lob rejected the request; fix the field named above and run `campaignctl validate`.",
  LOB_SERVER: "Lob had a server problem; rerun `campaignctl apply` later (it resumes from the state file).",
  LOB_NETWORK: "Check the network connection to Lob (or LOB_API_URL) and rerun the command.",
  LOB_UNEXPECTED: "Lob answered in an unexpected way; rerun the command, and report it if it persists.",
};

/**
 * One error for every failed Lob call (octokit's RequestError, minus the request object: we
 * never keep the request config because it carries the API key).
 */
export class LobApiError extends CampaignctlError {
  declare readonly code: LobErrorCode;
  readonly status: number;
  readonly lobCode: string | undefined;
  readonly method: string;
  readonly path: string;
  readonly endpoint: string;
  readonly retryable: boolean;
  readonly ambiguous: boolean;
  readonly networkCode: string | undefined;

  constructor(details: LobApiErrorDetails) {
    const secrets = details.secrets ?? [];
    const message = redactSecrets(details.message, secrets);
    super({
      code: details.code,
      message,
      source: sourceOfStatus(details.status),
      hint: HINTS[details.code],
    });
    this.name = "LobApiError";
    this.status = details.status;
    this.lobCode = details.lobCode === undefined ? undefined : redactSecrets(details.lobCode, secrets);
    this.method = details.method;
    this.path = redactSecrets(stripQuery(details.path), secrets);
    this.endpoint = details.endpoint;
    this.retryable = details.retryable;
    this.ambiguous = details.ambiguous;
    this.networkCode = details.networkCode;
    if (this.stack !== undefined) this.stack = redactSecrets(this.stack, secrets);
  }

  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      hint: this.hint,
      status: this.status,
      lobCode: this.lobCode,
      method: this.method,
      path: this.path,
      endpoint: this.endpoint,
      retryable: this.retryable,
      ambiguous: this.ambiguous,
      networkCode: this.networkCode,
    };
  }

  [inspect.custom](): string {
    return `${this.name} [${this.code}] ${inspect(this.toJSON())}`;
  }
}

/**
 * Whose move a failed call is: no response, a 5xx or a 429 (Lob's limit, shared by every caller
 * of the key) is on Lob's side; any other 4xx is a request the user can fix.
 */
export function sourceOfStatus(status: number): ErrorSource {
  return status === 0 || status === 429 || status >= 500 ? "remote" : "user";
}

export function isLobApiError(value: unknown): value is LobApiError {
  return value instanceof LobApiError;
}

export function codeForStatus(status: number): LobErrorCode {
  if (status === 0) return "LOB_NETWORK";
  if (status === 401 || status === 403) return "LOB_AUTH";
  if (status === 404) return "LOB_NOT_FOUND";
  if (status === 429) return "LOB_RATE_LIMITED";
  if (status >= 500) return "LOB_SERVER";
  if (status >= 400) return "LOB_VALIDATION";
  return "LOB_UNEXPECTED";
}

export interface ParsedErrorBody {
  readonly message: string | undefined;
  readonly lobCode: string | undefined;
}

/**
 * Reads any of Lob's three error shapes (CONTRACT §1.6) or a non-JSON body:
 * A `{error:{message,status_code,code}}`, B `{detail:[{loc,msg,type}]}`, C `{code,message,errors[]}`.
 * What the server said is scrubbed (scrubServerText): a proxy or a broken server may reflect the
 * request — its Authorization header, the audience it carried — and that must not be printed.
 */
export function parseLobErrorBody(body: string | undefined): ParsedErrorBody {
  const parsed = readErrorBody(body);
  return {
    message: parsed.message === undefined ? undefined : scrubServerText(parsed.message),
    lobCode: parsed.lobCode === undefined ? undefined : scrubServerText(parsed.lobCode, MAX_LOB_CODE_LENGTH),
  };
}

/** Server text shown to users: one line, at most this many characters. */
export const MAX_SERVER_TEXT_LENGTH = 300;
const MAX_LOB_CODE_LENGTH = 64;

/**
 * Text from a server, made safe to show: lines that look like a CSV row (two or more commas or
 * tabs between non-blank characters, as in `Jane Doe,1 Main St,Springfield`) and credentials
 * (`Authorization: …`, `Basic …`/`Bearer …` tokens) are removed, then it is folded onto one line
 * and cut to `max` characters. The key itself is redacted by LobApiError, which knows it.
 */
export function scrubServerText(text: string, max = MAX_SERVER_TEXT_LENGTH): string {
  const lines = text.split(/\r\n|\r|\n/).map((line) =>
    line
      .replace(/(proxy-)?authori[sz]ation["']?\s*[:=]\s*["']?[^"'\r\n,}]*/gi, "Authorization: [REDACTED]")
      .replace(/\b(basic|bearer)\s+[A-Za-z0-9+/=._~-]{4,}/gi, "$1 [REDACTED]")
      .split(/(?<=[:;|"'])\s+|\s+(?=["'])/)
      .map((segment) => (looksLikeRow(segment) ? "[row-like text removed]" : segment))
      .join(" "),
  );
  const folded = lines
    .join(" ")
    // eslint-disable-next-line no-control-regex -- control characters are exactly what is removed
    .replace(/[\u0000-\u001f\u007f-\u009f]/g, " ")
    .replace(/(\[row-like text removed\]\s*)+/g, "[row-like text removed] ")
    .replace(/\s+/g, " ")
    .trim();
  return folded.length > max ? `${folded.slice(0, max - 1)}…` : folded;
}

function looksLikeRow(segment: string): boolean {
  const tight = segment.match(/(?<=\S)[,\t](?=[^\s,])/g)?.length ?? 0;
  return tight >= 2 || (segment.match(/\t/g)?.length ?? 0) >= 2;
}

function readErrorBody(body: string | undefined): ParsedErrorBody {
  if (body === undefined || body.trim() === "") return { message: undefined, lobCode: undefined };
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return { message: summariseText(body), lobCode: undefined };
  }
  if (!isPlainObject(json)) return { message: summariseText(body), lobCode: undefined };

  const envelope = json["error"];
  if (isPlainObject(envelope)) {
    return {
      message: typeof envelope["message"] === "string" ? envelope["message"] : undefined,
      lobCode: typeof envelope["code"] === "string" ? envelope["code"] : undefined,
    };
  }
  if (typeof envelope === "string") return { message: envelope, lobCode: undefined };

  const detail = json["detail"];
  if (Array.isArray(detail)) {
    const items = detail.filter(isPlainObject);
    const parts = items.map(summarisePydanticItem);
    const firstType = items.map((i) => i["type"]).find((t): t is string => typeof t === "string");
    return { message: parts.length > 0 ? parts.join("; ") : undefined, lobCode: firstType };
  }
  if (typeof detail === "string") return { message: detail, lobCode: undefined };

  const message = typeof json["message"] === "string" ? json["message"] : undefined;
  const errors = Array.isArray(json["errors"])
    ? json["errors"].filter((e): e is string => typeof e === "string")
    : [];
  if (message !== undefined || errors.length > 0) {
    const code = json["code"];
    const text = [message, errors.length > 0 ? errors.join("; ") : undefined]
      .filter((t): t is string => t !== undefined)
      .join(": ");
    return {
      message: text,
      lobCode: typeof code === "string" ? code : typeof code === "number" ? String(code) : undefined,
    };
  }
  return { message: undefined, lobCode: undefined };
}

/** `{loc:["body","campaignId"], msg:"field required"}` → `campaignId: field required`. */
function summarisePydanticItem(item: Record<string, unknown>): string {
  const loc = Array.isArray(item["loc"]) ? item["loc"] : [];
  // `body`/`query`/`path` only say where FastAPI looked; the field path is what users need.
  const where = loc
    .filter((p, i) => !(i === 0 && (p === "body" || p === "query" || p === "path")))
    .map((p) => String(p))
    .join(".");
  const msg = typeof item["msg"] === "string" ? item["msg"] : "invalid";
  return where === "" ? msg : `${where}: ${msg}`;
}

/** Non-JSON bodies (HTML from a proxy, plain text) shortened to one readable line. */
function summariseText(body: string): string | undefined {
  // Line breaks are kept: scrubServerText judges line by line whether one is an audience row.
  const text = body
    .replace(/<[^>]*>/g, " ")
    .replace(/[ \t]*(\r\n|\r|\n)[ \t]*/g, "\n")
    .trim();
  return text === "" ? undefined : text;
}

export function stripQuery(path: string): string {
  const q = path.search(/[?#]/);
  return q === -1 ? path : path.slice(0, q);
}
