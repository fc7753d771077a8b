/**
 * How long a cancel window stays open, for people: "1h 05m left", "40s left", "closed". Both
 * times are Lob's clock (the deadline is Lob's send date plus the window), never this machine's.
 */
export function describeTimeLeft(deadline: string, now: string): string {
  const ms = Date.parse(deadline) - Date.parse(now);
  if (!Number.isFinite(ms)) return "time left unknown";
  if (ms <= 0) return "closed";
  return `${formatSpan(ms)} left`;
}

/** Whole seconds left until `deadline` (0 once it has passed), for JSON. */
export function secondsLeft(deadline: string, now: string): number {
  const ms = Date.parse(deadline) - Date.parse(now);
  return Number.isFinite(ms) ? Math.max(0, Math.floor(ms / 1000)) : 0;
}

/** 3_900_000 → "1h 05m"; 125_000 → "2m 05s"; 40_000 → "40s"; days as "2d 03h". */
export function formatSpan(ms: number): string {
  const total = Math.floor(ms / 1000);
  const d = Math.floor(total / 86_400);
  const h = Math.floor((total % 86_400) / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const two = (n: number) => String(n).padStart(2, "0");
  if (d > 0) return `${d}d ${two(h)}h`;
  if (h > 0) return `${h}h ${two(m)}m`;
  if (m > 0) return `${m}m ${two(s)}s`;
  return `${s}s`;
}
