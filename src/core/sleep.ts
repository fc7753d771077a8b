/** Resolves after `ms` milliseconds of real time: the default wherever a `sleep` can be injected. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
