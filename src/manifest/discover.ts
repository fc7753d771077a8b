import { readdir, stat } from "node:fs/promises";
import { isAbsolute, join, resolve } from "node:path";
import { CampaignctlError } from "../core/errors.js";

const MANIFEST_EXTENSIONS = /\.ya?ml$/i;

/**
 * Expands the paths a user gave into manifest files: a file is taken as is, a directory means the
 * *.yaml / *.yml directly inside it (not recursive, so fixtures and data folders stay out), sorted.
 * Returns absolute paths without duplicates, in argument order.
 */
export async function discoverManifestFiles(paths: readonly string[], cwd: string): Promise<string[]> {
  const files: string[] = [];
  for (const given of paths.length === 0 ? ["."] : paths) {
    const absolute = isAbsolute(given) ? given : resolve(cwd, given);
    const info = await stat(absolute).catch(() => undefined);
    if (info === undefined) {
      throw new CampaignctlError({
        code: "MANIFEST_NOT_FOUND",
        message: `no such file or directory: ${given}`,
        hint: "pass a manifest file (campaign.yaml) or a directory that contains *.yaml manifests",
      });
    }
    if (info.isDirectory()) {
      const entries = await readdir(absolute, { withFileTypes: true });
      const found = entries
        .filter((e) => (e.isFile() || e.isSymbolicLink()) && MANIFEST_EXTENSIONS.test(e.name))
        .map((e) => join(absolute, e.name))
        .sort();
      if (found.length === 0) {
        throw new CampaignctlError({
          code: "MANIFEST_NOT_FOUND",
          message: `no *.yaml or *.yml manifests in ${given}`,
          hint: "pass the directory that holds your campaign manifests, or a manifest file; see examples/",
        });
      }
      files.push(...found);
    } else {
      files.push(absolute);
    }
  }
  return [...new Set(files)];
}
