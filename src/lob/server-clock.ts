/**
 * Lob's clock, estimated from the Date header of its latest response (decisions.md §4). Cancel
 * windows are Lob's, so deadlines are judged by this, not by the local clock.
 */
export interface ServerClock {
  /** Feed every response's Date header; anything unparsable is ignored. */
  note(dateHeader: unknown): void;
  /** Lob's time now; the local clock until a usable header arrived. */
  now(): Date;
}

/** The header has one-second resolution: differences smaller than this are truncation, not skew. */
const HEADER_RESOLUTION_MS = 2_000;

/** `localNow`: the injected clock, ms since epoch. */
export function createServerClock(localNow: () => number): ServerClock {
  // Server time minus local time, from the latest Date header.
  let offsetMs = 0;
  return {
    note(dateHeader) {
      const at = typeof dateHeader === "string" ? Date.parse(dateHeader) : Number.NaN;
      if (!Number.isFinite(at)) return;
      const offset = at - localNow();
      offsetMs = Math.abs(offset) < HEADER_RESOLUTION_MS ? 0 : offset;
    },
    now: () => new Date(localNow() + offsetMs),
  };
}
