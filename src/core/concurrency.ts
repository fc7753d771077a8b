/**
 * `items.map(fn)` with at most `limit` calls in flight, results in input order. For I/O-bound
 * work over many small files, where doing them one by one leaves the process idle.
 *
 * The one worker pool: after a call fails no new item is started, the calls already in flight
 * are waited for, and then the first failure is thrown. So nothing is still running when the
 * caller sees the error (and, say, releases a lock or stops a server).
 */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      const index = next;
      next += 1;
      try {
        results[index] = await fn(items[index]!, index);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  const settled = await Promise.allSettled(
    Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker),
  );
  const rejected = settled.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (rejected) throw rejected.reason;
  return results;
}

/** A one-at-a-time gate: `run(fn)` waits for every earlier run to finish. */
export function createMutex(): <R>(fn: () => Promise<R>) => Promise<R> {
  let tail: Promise<unknown> = Promise.resolve();
  return <R>(fn: () => Promise<R>) => {
    const result = tail.then(fn);
    tail = result.catch(() => undefined);
    return result;
  };
}
