/**
 * Polling a remote state until it settles (an upload being validated, an export being built):
 * read, stop when `done`, otherwise wait `intervalMs` and read again, giving up once more than
 * `timeoutMs` has passed since the start. The clock and the sleep are injected, so tests run
 * without waiting.
 */
export interface PollOptions<T> {
  readonly read: () => Promise<T>;
  readonly done: (value: T) => boolean;
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly sleep: (ms: number) => Promise<void>;
  /** Milliseconds on any steady clock; only differences are used. */
  readonly now: () => number;
  /** Called with each value that is not done yet, before the timeout check and the wait. */
  readonly onPending?: (value: T) => void;
}

/** The last value read, and whether it was done (false: the timeout passed first). */
export interface PollOutcome<T> {
  readonly done: boolean;
  readonly value: T;
}

export async function pollUntil<T>(opts: PollOptions<T>): Promise<PollOutcome<T>> {
  const started = opts.now();
  for (;;) {
    const value = await opts.read();
    if (opts.done(value)) return { done: true, value };
    opts.onPending?.(value);
    if (opts.now() - started > opts.timeoutMs) return { done: false, value };
    await opts.sleep(opts.intervalMs);
  }
}
