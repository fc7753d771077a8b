/**
 * What the engine tells the outside world while it works. The CLI decides how to show these
 * (stderr lines, progress bars, JSON lines); the engine never writes to a terminal itself.
 * No event carries an audience cell or the API key.
 */
export type EngineEvent =
  | { readonly type: "info"; readonly message: string }
  | { readonly type: "warn"; readonly message: string }
  | {
      readonly type: "step";
      readonly key: string;
      readonly action: string;
      readonly status: "start" | "done";
      readonly id?: string;
      readonly detail?: string;
    }
  | {
      readonly type: "upload_progress";
      readonly key: string;
      readonly sentBytes: number;
      readonly totalBytes: number;
    }
  | {
      readonly type: "processing";
      readonly key: string;
      readonly state: string;
      readonly validated: number;
      readonly failed: number;
      readonly total: number;
    }
  | {
      readonly type: "sent";
      readonly key: string;
      readonly campaignId: string;
      readonly state: string;
      readonly validated: number;
      readonly failed: number;
      readonly total: number;
      readonly cancelDeadline: string;
    }
  | { readonly type: "refused"; readonly key: string; readonly reason: string; readonly hint?: string };

export type Reporter = (event: EngineEvent) => void;

/**
 * Test-only crash injection: the CLI maps CAMPAIGNCTL_TEST_CRASH_AT to a hook that SIGKILLs the
 * process at the named point (e.g. `campaign:after-response`), so tests can prove that every step
 * boundary is recoverable.
 */
export type CrashHook = (point: string) => void;
