/**
 * One error type for everything campaignctl reports on purpose. The `code` is stable (scripts and
 * tests match on it), `source` says whose move it is, and `hint` names the next thing to do.
 * Anything that is not a CampaignctlError reaching the CLI is a bug and is reported as such.
 */
export type ErrorSource = "user" | "remote" | "toolkit";

/** The codes a Lob call can end in: the one list, which `ErrorCode` and lob/ both use. */
export const LOB_ERROR_CODES = [
  "LOB_AUTH",
  "LOB_NOT_FOUND",
  "LOB_RATE_LIMITED",
  "LOB_VALIDATION",
  "LOB_SERVER",
  "LOB_NETWORK",
  "LOB_UNEXPECTED",
] as const;
export type LobErrorCode = (typeof LOB_ERROR_CODES)[number];

export type ErrorCode =
  // input
  | "USAGE"
  | "MANIFEST_INVALID"
  | "MANIFEST_NOT_FOUND"
  | "PROJECT_INVALID"
  | "AUDIENCE_INVALID"
  | "ENV_MISSING"
  /** A local file campaignctl must read or write (a download target, say) is not accessible. */
  | "FILE_ACCESS"
  // state
  | "STATE_LOCKED"
  /** The state database cannot be reached, or the connection to it was lost. */
  | "STATE_UNAVAILABLE"
  | "STATE_CORRUPT"
  | "STATE_TARGET_MISMATCH"
  /** A write made from an older version of the state than the one stored (compare-and-set). */
  | "STATE_CONFLICT"
  | "STATE_WRITE_FAILED"
  // remote
  | LobErrorCode
  // engine
  | "NO_API_KEY"
  | "APPROVAL_REQUIRED"
  | "APPROVAL_DECLINED"
  | "SEND_BLOCKED"
  | "CANCEL_WINDOW_CLOSED"
  /** send.max_failed_ratio fired after a send (the campaign was cancelled, or it was too late). */
  | "FAILURE_RATE_EXCEEDED"
  | "EXPORT_FAILED"
  | "TIMEOUT"
  | "PLAN_STALE"
  // proofs
  /** The browser that renders proofs could not start. */
  | "BROWSER_FAILED"
  /** An artwork cannot be rendered as a proof (an external stylesheet, too large for Lob's renderer). */
  | "PROOF_FAILED"
  // GitHub (plan --comment)
  | "GITHUB_API"
  // emulator
  | "EMULATOR_START_FAILED"
  | "INTERNAL";

export interface ErrorDetails {
  readonly code: ErrorCode;
  readonly message: string;
  readonly source?: ErrorSource;
  /** The next thing the user can do, ideally naming a command. */
  readonly hint?: string;
  readonly cause?: unknown;
}

export class CampaignctlError extends Error {
  readonly code: ErrorCode;
  readonly source: ErrorSource;
  readonly hint: string | undefined;

  constructor(details: ErrorDetails) {
    super(details.message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = "CampaignctlError";
    this.code = details.code;
    this.source = details.source ?? "user";
    this.hint = details.hint;
  }
}

export function isCampaignctlError(value: unknown): value is CampaignctlError {
  return value instanceof CampaignctlError;
}

/**
 * A broken invariant: campaignctl's own bug, never the user's move. Thrown instead of a bare
 * `Error` so the code says which kind of failure it is.
 */
export function internalError(message: string, cause?: unknown): CampaignctlError {
  return new CampaignctlError({ code: "INTERNAL", source: "toolkit", message, cause });
}
