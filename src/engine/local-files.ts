import { stat } from "node:fs/promises";
import { CampaignctlError } from "../core/errors.js";

/**
 * The files a manifest names must still be readable when apply is about to send them: validation
 * read them earlier, but a file can be moved meanwhile. Checked here, before the Lob call and
 * before any intent is recorded, so the user gets the manifest's error, not a transport one.
 */
export async function assertManifestFileReadable(
  path: string,
  what: string,
  code: "AUDIENCE_INVALID" | "MANIFEST_INVALID",
): Promise<void> {
  try {
    await stat(path);
  } catch (err) {
    throw new CampaignctlError({
      code,
      source: "user",
      message: `Cannot read ${what} ${path}: ${(err as { code?: string }).code ?? "unreadable"}`,
      hint: "Check the path in the manifest, then run `campaignctl validate`.",
    });
  }
}
