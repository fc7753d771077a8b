/** Public types of the emulator (see README.md beside this file). */
import type { ResourceProofRenderer } from "../lob/wire.js";

// The resource-proof renderer port is declared with the wire facts, which src/proof/ may import too.
export type { ResourceProofRenderer, ResourceProofRendering, ResourceProofRequest } from "../lob/wire.js";

export type FaultKind =
  "500" | "503" | "429" | "reset_before" | "commit_then_drop" | "complete_after_disconnect";
// reset_before: destroy the socket before the request is processed (nothing committed).
// commit_then_drop: process and COMMIT the request fully, then destroy the socket without a response.
// complete_after_disconnect: read the request, answer nothing for a delay longer than the client's
//   timeout (the client gives up and disconnects), THEN process and commit it: a create that lands late.

export const FAULT_KINDS: readonly FaultKind[] = [
  "500",
  "503",
  "429",
  "reset_before",
  "commit_then_drop",
  "complete_after_disconnect",
];

/** Random faults draw from these unless told otherwise: a late completion stalls for its delay. */
export const RANDOM_FAULT_KINDS: readonly FaultKind[] = FAULT_KINDS.filter(
  (k) => k !== "complete_after_disconnect",
);

export interface FaultOptions {
  /** Probability 0..1 that a /v1 request is faulted. */
  readonly rate: number;
  /** Seed of the fault PRNG, so a run can be reproduced. Random when absent. */
  readonly seed?: number;
  /** Kinds to draw from (uniformly). Default: all but complete_after_disconnect. */
  readonly kinds?: readonly FaultKind[];
}

/**
 * Lob rejecting a share of rows that pass its rules as undeliverable (what a stale or bought
 * list looks like after send), so the failure-rate guard can be exercised. Seeded: the same seed
 * fails the same rows.
 */
export interface UndeliverableOptions {
  /** Share 0..1 of otherwise valid rows that fail as undeliverable (0 = off). */
  readonly ratio: number;
  /** Seed of the per-row draw, so a run can be reproduced. Random when absent. */
  readonly seed?: number;
}

export interface RateLimitOptions {
  readonly requests: number;
  readonly windowMs: number;
}

export interface EmulatorOptions {
  /** Default 4010; 0 = pick a free port. */
  port?: number;
  /** Default "127.0.0.1". */
  host?: string;
  /** Persist everything here (atomic writes); in memory when absent. */
  dataDir?: string;
  /** Fixed delay before every API response, in ms (default 0). */
  latencyMs?: number;
  /** Audience validation speed after send, in rows per second of real time (default 100_000). */
  processingRowsPerSecond?: number;
  /** Default 150 per 5000 ms per key per endpoint (src/lob/endpoint.ts endpointKey); false = off. */
  rateLimit?: RateLimitOptions | false;
  /** Random faults on /v1 routes. */
  faults?: FaultOptions;
  /** Fail a share of otherwise valid rows as undeliverable during processing (default: none). */
  undeliverable?: UndeliverableOptions;
  /** Account default cancel window in minutes (default 240 = 4 hours). */
  defaultCancelWindowMinutes?: number;
  /** One line per request: method, path, status, ms. Never bodies, never keys. */
  log?: (line: string) => void;
  /**
   * Required on the /_emulator control routes (header `X-Emulator-Token: TOKEN`) when set. When
   * absent and `host` is not a loopback address, one is generated (RunningEmulator.controlToken):
   * the control routes reset data, move the clock and serve files, so they are never open to
   * the network.
   */
  controlToken?: string;
  /**
   * How long a `complete_after_disconnect` fault holds a request before committing it, in ms
   * (default 35 000: longer than campaignctl's 30 s request timeout).
   */
  completeAfterDisconnectMs?: number;
  /**
   * Whether PATCH may change the metadata of a SENT campaign. Lob does not document it; default
   * false (see README.md beside this file, "Metadata after send").
   */
  acceptMetadataAfterSend?: boolean;
  /**
   * Renders POST /v1/resource_proofs requests (campaignctl passes its local proof pipeline, so the
   * emulator itself loads no browser). Without it, resource proofs end `failed`.
   */
  renderResourceProof?: ResourceProofRenderer;
}

export interface RequestLogEntry {
  readonly method: string;
  /** Path without query. */
  readonly path: string;
  /** endpointKey() of the request. */
  readonly endpoint: string;
  /** 0 when the connection was dropped. */
  readonly status: number;
  readonly fault?: FaultKind;
  /** The client went away before the response was written (not a fault: nothing was injected). */
  readonly aborted?: true;
  readonly at: string;
}

export interface RunningEmulator {
  /** Where a client on this machine reaches it: "http://127.0.0.1:PORT/v1" (also when bound to 0.0.0.0). */
  readonly url: string;
  /** The address actually bound, e.g. "http://0.0.0.0:4010/v1" with host 0.0.0.0. */
  readonly listenUrl: string;
  readonly port: number;
  /** Whether it listens on a loopback address only (the default). */
  readonly loopbackOnly: boolean;
  /** The token the /_emulator control routes require, if any (see EmulatorOptions.controlToken). */
  readonly controlToken: string | undefined;
  advanceClock(ms: number): void;
  /** The emulator's clock. */
  now(): Date;
  setFaults(faults: EmulatorOptions["faults"] | null): void;
  /** One-shot: the next N matching /v1 requests get this fault (delayMs: complete_after_disconnect's hold). */
  injectNext(kind: FaultKind, opts?: { count?: number; endpoint?: string; delayMs?: number }): void;
  /** Whether PATCH may change a sent campaign's metadata (see acceptMetadataAfterSend). */
  setAcceptMetadataAfterSend(accept: boolean): void;
  setLatency(ms: number): void;
  setRateLimit(limit: EmulatorOptions["rateLimit"]): void;
  setProcessingSpeed(rowsPerSecond: number): void;
  /** For campaigns sent from now on (null or ratio 0: off); returns the seed in use. */
  setUndeliverable(options: UndeliverableOptions | null): { ratio: number; seed: number } | undefined;
  requests(): readonly RequestLogEntry[];
  clearRequests(): void;
  close(): Promise<void>;
}

export const EMULATOR_DEFAULTS = {
  port: 4010,
  host: "127.0.0.1",
  processingRowsPerSecond: 100_000,
  defaultCancelWindowMinutes: 240,
  defaultUseType: "marketing",
  completeAfterDisconnectMs: 35_000,
  acceptMetadataAfterSend: false,
} as const;
