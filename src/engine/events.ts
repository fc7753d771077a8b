import type { IoHost, IoRequest } from "../core/io-host.js";
import type { ActionKind, Plan, Resource } from "../plan/types.js";

/**
 * What the engine tells the outside world while it works. Every event has a stable `code`; the
 * CLI decides how to show these (stderr lines, progress bars, JSON lines); the engine never
 * writes to a terminal itself. No event carries an audience cell or the API key.
 */
export type EngineEvent =
  | { readonly type: "info"; readonly code: InfoCode; readonly message: string }
  | { readonly type: "warn"; readonly code: WarnCode; readonly message: string }
  | {
      readonly type: "step";
      readonly code: "step_started" | "step_done";
      readonly key: string;
      /** The plan action this step carries out (typed: match on it, not on display text). */
      readonly action: ActionKind;
      readonly resource?: Resource;
      readonly status: "start" | "done";
      readonly id?: string;
      readonly detail?: string;
    }
  | {
      readonly type: "upload_progress";
      readonly code: "upload_progress";
      readonly key: string;
      readonly sentBytes: number;
      readonly totalBytes: number;
    }
  | {
      readonly type: "processing";
      readonly code: "processing";
      readonly key: string;
      readonly state: string;
      readonly validated: number;
      readonly failed: number;
      readonly total: number;
    }
  | {
      readonly type: "sent";
      readonly code: "sent";
      readonly key: string;
      readonly campaignId: string;
      readonly state: string;
      readonly validated: number;
      readonly failed: number;
      readonly total: number;
      readonly cancelDeadline: string;
    }
  | {
      /** Right after a send: until when it can be cancelled (Lob's clock). */
      readonly type: "cancel_window";
      readonly code: "cancel_window";
      readonly key: string;
      readonly campaignId: string;
      readonly cancelDeadline: string;
      /** Lob's time when it was sent, to say how long is left. */
      readonly now: string;
    }
  | {
      readonly type: "refused";
      readonly code: "refused";
      readonly key: string;
      readonly reason: string;
      readonly hint?: string;
    }
  /** The plan apply or destroy is about to act on (shown before approval is asked). */
  | { readonly type: "plan"; readonly code: "plan_ready"; readonly plan: Plan }
  /**
   * A step boundary (`campaign:after-response`, …): a test host may stop the process here to prove
   * that every boundary is recoverable (CAMPAIGNCTL_TEST_CRASH_AT).
   */
  | { readonly type: "checkpoint"; readonly code: "checkpoint"; readonly point: string };

export type InfoCode = "sandbox_started" | "settle_wait" | "sent_not_watched";
export type WarnCode =
  | "live_key"
  | "stale_lock_taken"
  | "manifest_warning"
  | "row_warning"
  | "send_skipped"
  | "lost_response_adopted"
  | "watch_timeout"
  | "guard_not_applied";

/** Approve this plan? Default yes: a run told to take the defaults (`--auto-approve`) goes ahead. */
export interface ApprovePlanQuestion extends IoRequest<boolean> {
  readonly code: "approve_plan";
  readonly plan: Plan;
  /** Whether SEND actions will be carried out (apply's --allow-send); the host says so when asking. */
  readonly allowSend: boolean;
}

export type EngineQuestion = ApprovePlanQuestion;

/** The engine's I/O host: typed, coded events out; typed questions, each with a default, in. */
export type EngineIo = IoHost<EngineEvent, EngineQuestion>;

/** A sink for events alone (the CLI's stderr reporter sits behind its I/O host). */
export type Reporter = (event: EngineEvent) => void;
