import type { BlobStore } from "../state/types.js";

/**
 * HTML artwork as last applied, kept by content hash in the state's blob store (beside the state
 * file, or in Postgres), so a plan can show a text diff of what changed, on any machine that has
 * the state. Artwork is a template, not audience data. A missing blob only means no diff is shown.
 */

/** Best effort: blobs only feed diffs, so a failure to store one must never fail an apply. */
export async function rememberHtml(blobs: BlobStore, sha256: string, html: string): Promise<void> {
  try {
    await blobs.put(sha256, new TextEncoder().encode(html));
  } catch {
    // No diff next time for this artwork; nothing else depends on it.
  }
}

/** The HTML of each of `hashes` the store has; the others are simply absent from the map. */
export async function loadPreviousHtml(
  blobs: BlobStore,
  hashes: Iterable<string>,
): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const sha of hashes) {
    try {
      const bytes = await blobs.get(sha);
      if (bytes !== undefined) out.set(sha, new TextDecoder().decode(bytes));
    } catch {
      // Unreadable: no diff for this one.
    }
  }
  return out;
}
