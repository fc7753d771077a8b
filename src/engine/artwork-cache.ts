import { mkdir, readFile, writeFile, rename } from "node:fs/promises";
import { dirname, join } from "node:path";

/**
 * HTML artwork as last applied, stored by content hash beside the state file, so a plan can show
 * a text diff of what changed. Artwork is a template, not audience data. A missing entry only
 * means no diff is shown.
 */
export function artworkCacheDir(statePath: string): string {
  return join(dirname(statePath), "artwork");
}

export async function rememberHtml(dir: string, sha256: string, html: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const target = join(dir, `${sha256}.html`);
  const temp = `${target}.tmp-${process.pid}`;
  await writeFile(temp, html, "utf8");
  await rename(temp, target);
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
