import { codeForStatus, LobApiError, parseLobErrorBody, stripQuery } from "./errors.js";
import { isIdempotentMethod, isNothingSentError, isRetryableFailure } from "./retry.js";
import type { AttemptOutcome } from "./transport.js";

export interface FailedRequest {
  readonly method: string;
  /** As requested; the query is dropped before it is shown. */
  readonly path: string;
  readonly endpoint: string;
  /** `download`: a signed-URL fetch, reported as such. Default `api`. */
  readonly kind?: "api" | "download";
  /** Stripped from every text of the error (the API key). */
  readonly secrets: readonly string[];
}

/**
 * The LobApiError for the last outcome of a request that did not succeed: an HTTP error, no
 * response at all, or a 2xx the caller could not read. `ambiguous` marks what the engine must
 * reconcile: a write that may have landed although we saw no success (decisions.md §2).
 */
export function toLobApiError(outcome: AttemptOutcome, request: FailedRequest): LobApiError {
  const { method, endpoint, secrets } = request;
  const shown = `${method} ${stripQuery(request.path)}`;
  const base = { method, path: request.path, endpoint, secrets };

  if (outcome.networkCode !== undefined) {
    const { networkCode, detail } = outcome;
    return new LobApiError({
      ...base,
      code: "LOB_NETWORK",
      status: 0,
      lobCode: undefined,
      message: `No response to ${shown}: ${networkCode}${detail === "" ? "" : ` (${detail})`}`,
      retryable: isRetryableFailure(0, networkCode),
      // A read cannot have changed anything; a write may have landed unless nothing was sent.
      ambiguous: method !== "GET" && !isNothingSentError(networkCode),
      networkCode,
    });
  }

  const status = outcome.status;
  if (status >= 200 && status < 300) {
    return new LobApiError({
      ...base,
      code: "LOB_UNEXPECTED",
      status,
      lobCode: undefined,
      message: `${shown} answered ${status} without a JSON body.`,
      retryable: false,
      // The server said yes: whatever it was asked to create exists now.
      ambiguous: !isIdempotentMethod(method),
    });
  }

  const parsed = parseLobErrorBody(outcome.body);
  const said = parsed.message ?? "no error message";
  let message: string;
  if (request.kind === "download") {
    message = `Download of ${stripQuery(request.path)} failed (HTTP ${status}): ${said}`;
  } else if (status >= 300 && status < 400) {
    message = `${shown} was redirected (HTTP ${status}); check LOB_API_URL.`;
  } else {
    const lobCode = parsed.lobCode === undefined ? "" : ` ${parsed.lobCode}`;
    message = `Lob rejected ${shown} (HTTP ${status}${lobCode}): ${said}`;
  }
  return new LobApiError({
    ...base,
    code: codeForStatus(status),
    status,
    lobCode: parsed.lobCode,
    message,
    retryable: isRetryableFailure(status),
    ambiguous: request.kind !== "download" && status >= 500 && !isIdempotentMethod(method),
  });
}
