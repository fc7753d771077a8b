import { createHash } from "node:crypto";
import { mkdir, readFile, access } from "node:fs/promises";
import path from "node:path";
import { writeFileAtomic } from "../core/atomic-file.js";
import { internalError } from "../core/errors.js";
import type { BlobStore } from "./types.js";

const SHA256 = /^[0-9a-f]{64}$/;

/**
 * Blobs as files named by their sha256 in `dir` (`<state>.blobs/`). `legacyDirs` are read too:
 * before blobs lived with the state, artwork HTML was cached as `<dir>/<sha256>.html`
 * (`.campaignctl/artwork/`), and a plan should still find what an older version kept there.
 */
export function fileBlobStore(dir: string, legacyDirs: readonly string[] = []): BlobStore {
  return {
    async put(sha256, bytes) {
      assertSha(sha256);
      const actual = createHash("sha256").update(bytes).digest("hex");
      if (actual !== sha256) throw internalError(`blob stored as ${sha256} has sha256 ${actual}`);
      const target = path.join(dir, sha256);
      // Content-addressed: an existing blob already holds these bytes.
      if (await exists(target)) return;
      await mkdir(dir, { recursive: true });
      await writeFileAtomic(target, Buffer.from(bytes).toString("utf8"));
    },
    async get(sha256) {
      assertSha(sha256);
      const candidates = [path.join(dir, sha256), ...legacyDirs.map((d) => path.join(d, `${sha256}.html`))];
      for (const candidate of candidates) {
        try {
          return new Uint8Array(await readFile(candidate));
        } catch {
          // Not there: try the next place; none means "not available".
        }
      }
      return undefined;
    },
  };
}

function assertSha(sha256: string): void {
  // Also keeps the name a plain file name: nothing outside the folder can be read or written.
  if (!SHA256.test(sha256)) throw internalError(`blob name is not a sha256: ${JSON.stringify(sha256)}`);
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}
