import type { EngineEvent, Reporter } from "../engine/events.js";
import type { ActionKind } from "../plan/types.js";
import { formatCount } from "../core/en-us.js";

/**
 * Counts what an apply has finished, from the engine's events, for the closing summary and for
 * the message printed when Ctrl-C stops it half-way. Campaign-level counts: a campaign whose
 * create and upload both finished counts once, as created.
 */
export interface ApplyTally {
  /** Passes every event on to `next`, counting the finished steps. */
  readonly reporter: Reporter;
  counts(): ApplyCounts;
}

export interface ApplyCounts {
  readonly created: number;
  readonly updated: number;
  readonly sent: number;
  /** Pieces Lob validated for the sends watched to the end; expected pieces for the others. */
  readonly pieces: number;
  /** Campaign keys with at least one finished step. */
  readonly touched: readonly string[];
}

/** Finished steps that change a campaign without creating it. */
const CHANGES: ReadonlySet<ActionKind> = new Set<ActionKind>(["create", "update", "replace", "upload_file"]);

export function createApplyTally(next: Reporter, expectedPieces: (key: string) => number): ApplyTally {
  const created = new Set<string>();
  const updated = new Set<string>();
  const sent = new Set<string>();
  const validated = new Map<string, number>();
  const touched = new Set<string>();
  return {
    reporter(event: EngineEvent) {
      if (event.type === "step" && event.status === "done") {
        touched.add(event.key);
        if (event.action === "create" && event.resource === "campaign") created.add(event.key);
        else if (CHANGES.has(event.action)) updated.add(event.key);
        else if (event.action === "send") sent.add(event.key);
      } else if (event.type === "sent") {
        validated.set(event.key, event.validated);
      }
      next(event);
    },
    counts() {
      let pieces = 0;
      for (const key of sent) pieces += validated.get(key) ?? expectedPieces(key);
      return {
        created: created.size,
        updated: [...updated].filter((key) => !created.has(key)).length,
        sent: sent.size,
        pieces,
        touched: [...touched].sort(),
      };
    },
  };
}

/** `3 created, 1 updated, 2 sent (1,204 pieces)`. */
export function describeCounts(counts: ApplyCounts): string {
  return `${counts.created} created, ${counts.updated} updated, ${counts.sent} sent (${formatCount(counts.pieces)} pieces)`;
}
