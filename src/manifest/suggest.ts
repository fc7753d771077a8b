/** "Did you mean" for typos in field names and enum values. */

function editDistance(a: string, b: string): number {
  const previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = previous[0]!;
    previous[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = previous[j]!;
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      previous[j] = Math.min(above + 1, previous[j - 1]! + 1, diagonal + cost);
      diagonal = above;
    }
  }
  return previous[b.length]!;
}

const normalise = (s: string) => s.toLowerCase().replace(/[-_\s]/g, "");

/** The closest candidate when it is plausibly a typo (same letters modulo case/underscores, or a few edits). */
export function suggestClosest(input: string, candidates: readonly string[]): string | undefined {
  const wanted = normalise(input);
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    if (candidate === input) continue;
    const distance = normalise(candidate) === wanted ? 0 : editDistance(wanted, normalise(candidate));
    if (best === undefined || distance < best.distance) best = { candidate, distance };
  }
  if (best === undefined) return undefined;
  const allowed = Math.max(1, Math.floor(Math.max(wanted.length, 3) / 3));
  return best.distance <= allowed ? best.candidate : undefined;
}
