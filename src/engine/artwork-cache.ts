import { access, mkdir, readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { writeFileAtomic } from "../core/atomic-file.js";

/**
 * HTML artwork as last applied, stored by content hash beside the state file, so a plan can show
 * a text diff of what changed. Artwork is a template, not audience data. A missing entry only
 * means no diff is shown.
 */
export function artworkCacheDir(statePath: string): string {
  return join(dirname(statePath), "artwork");
}

/**
 * Best effort: the cache only feeds diffs, so a failure to write it must never fail an apply.
 * Content-addressed, so concurrent writers of the same artwork write the same bytes; each uses
 * its own temp name, and an existing entry is left alone.
 */
export async function rememberHtml(dir: string, sha256: string, html: string): Promise<void> {
  const target = join(dir, `${sha256}.html`);
  try {
    await mkdir(dir, { recursive: true });
    if (await exists(target)) return;
    await writeFileAtomic(target, html);
  } catch {
    // No diff next time for this artwork; nothing else depends on it.
  }
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

export async function loadPreviousHtml(dir: string, hashes: Iterable<string>): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const sha of hashes) {
    try {
      out.set(sha, await readFile(join(dir, `${sha}.html`), "utf8"));
    } catch {
      // Not cached (first apply on this machine, or cache cleared): no diff for this one.
    }
  }
  return out;
}
