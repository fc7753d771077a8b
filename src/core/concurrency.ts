/**
 * `items.map(fn)` with at most `limit` calls in flight, results in input order. For I/O-bound
 * work over many small files, where doing them one by one leaves the process idle.
 */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next;
      next += 1;
      results[index] = await fn(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
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
