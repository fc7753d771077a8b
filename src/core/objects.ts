/** A JSON-style object: not null, not an array. Bodies, manifests and wire values are checked with it. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
