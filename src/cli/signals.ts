import type { StateLock } from "../state/types.js";

/**
 * While the state lock is held: a crash releases it on exit, and Ctrl-C or a CI cancel says what
 * was finished (`onInterrupt`), releases it, and exits the way the signal would (128 + signo).
 * Returns the undo, for when the lock is released normally. The only process.exit below bin.ts.
 */
export function releaseLockOnSignals(
  onInterrupt?: (signal: NodeJS.Signals) => void,
): (lock: StateLock) => () => void {
  return (lock) => {
    const releaseOnExit = () => lock.releaseSync();
    const releaseOnSignal = (signal: NodeJS.Signals) => {
      try {
        onInterrupt?.(signal);
      } catch {
        // Saying what was finished is a courtesy; releasing the lock and exiting must still happen.
      }
      lock.releaseSync();
      process.exit(signal === "SIGINT" ? 130 : 143);
    };
    process.once("exit", releaseOnExit);
    process.once("SIGINT", releaseOnSignal);
    process.once("SIGTERM", releaseOnSignal);
    return () => {
      process.removeListener("exit", releaseOnExit);
      process.removeListener("SIGINT", releaseOnSignal);
      process.removeListener("SIGTERM", releaseOnSignal);
    };
  };
}
