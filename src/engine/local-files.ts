import { stat } from "node:fs/promises";
import { CampaignctlError } from "../core/errors.js";

/**
 * The audience file must still be a readable regular file when apply is about to upload it:
 * preflight read it earlier, but a file can be moved, or a FIFO swapped in (which would stall the
 * upload), meanwhile. Checked here, before the Lob call and before any intent is recorded, so the
 * user gets the manifest's error, not a transport one. (Artwork is read whole by readArtworkBytes.)
 */
export async function assertAudienceFileReadable(path: string): Promise<void> {
  let reason: string | undefined;
  try {
    if (!(await stat(path)).isFile()) reason = "not a regular file";
  } catch (err) {
    reason = (err as { code?: string }).code ?? "unreadable";
  }
  if (reason === undefined) return;
  throw new CampaignctlError({
    code: "AUDIENCE_INVALID",
    source: "user",
    message: `Cannot read audience file ${path}: ${reason}`,
    hint: "Check the path in the manifest, then run `campaignctl validate`.",
  });
}
