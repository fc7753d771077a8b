import { CampaignctlError } from "../core/errors.js";
import { BoundedReadError, MAX_ARTWORK_BYTES, readBoundedFile } from "../manifest/file-access.js";

/**
 * A local artwork file's bytes, read whole (artwork is at most MAX_ARTWORK_BYTES) from a regular
 * file only. Plans hash these bytes, and apply uploads exactly the bytes it hashed, so what Lob
 * receives is always what the plan showed.
 */
export async function readArtworkBytes(path: string, shown: string): Promise<Buffer> {
  try {
    return await readBoundedFile(path, MAX_ARTWORK_BYTES, "artwork file");
  } catch (error) {
    const reason =
      error instanceof BoundedReadError
        ? error.message.replace(path, shown)
        : `artwork file ${shown} cannot be read (${(error as NodeJS.ErrnoException).code ?? "error"})`;
    throw new CampaignctlError({
      code: "MANIFEST_INVALID",
      message: reason,
      hint: "run 'campaignctl validate' and fix the artwork file",
    });
  }
}
