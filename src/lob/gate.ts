/** Caps how many requests are in flight at once; waiters are served first come, first served. */
export interface Gate {
  /** Resolves with a release function once a slot is free. Call it exactly once. */
  enter(): Promise<() => void>;
}

export function createGate(limit: number): Gate {
  if (!(limit >= 1)) throw new RangeError("gate limit must be >= 1");
  let active = 0;
  const waiting: Array<() => void> = [];

  function leave(): void {
    const next = waiting.shift();
    if (next === undefined) active -= 1;
    else next(); // hand the slot over directly so a newcomer cannot overtake the queue
  }

  return {
    enter() {
      const release = onceOnly(leave);
      if (active < limit) {
        active += 1;
        return Promise.resolve(release);
      }
      return new Promise((resolve) => waiting.push(() => resolve(release)));
    },
  };
}

function onceOnly(fn: () => void): () => void {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    fn();
  };
}
