import type { Dirent } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import { isAbsolute, join, relative, resolve, sep } from "node:path";
import { CampaignctlError } from "../core/errors.js";

const MANIFEST_EXTENSIONS = /\.ya?ml$/i;
/** Never searched: dependencies, and dot-folders (.git, .github, .campaignctl, …). */
const SKIPPED_FOLDERS = new Set(["node_modules"]);
/** The project file (src/project/): never a manifest, and the mark of a nested project. */
export const PROJECT_FILE_NAME = "campaignctl.yaml";

export interface ManifestFile {
  /** Absolute path. */
  readonly path: string;
  /**
   * Named on the command line, or matched by the project file's `manifests` globs: always a
   * manifest, validated strictly. Otherwise the file was found by searching a folder, and only
   * its documents that look like manifests are read (a workflow file or docker-compose.yml next
   * to the campaigns is not one).
   */
  readonly explicit: boolean;
}

/** What discovery needs to know of the project (see src/project/). */
export interface DiscoveryScope {
  readonly root: string;
  /** The project file's `manifests` globs, relative to the root; undefined = search the root. */
  readonly manifestGlobs?: readonly string[] | undefined;
}

/**
 * Expands the paths a user gave into manifest files, in argument order, without duplicates. A file
 * is taken as is; a directory is searched recursively (not following directory symlinks, skipping
 * dot-entries and node_modules). No paths means the whole project: the files the project's
 * `manifests` globs match, or else a search of the project root.
 */
export async function discoverManifestFiles(
  paths: readonly string[],
  cwd: string,
  scope: DiscoveryScope = { root: cwd },
): Promise<ManifestFile[]> {
  const matchesGlobs = await globMatcher(scope);
  const found = new Map<string, ManifestFile>();
  const add = (path: string, explicit: boolean) => {
    const earlier = found.get(path);
    if (earlier === undefined || (explicit && !earlier.explicit)) found.set(path, { path, explicit });
  };

  if (paths.length === 0) {
    const files = await searchFolder(scope.root, scope.root);
    for (const file of files) {
      if (scope.manifestGlobs === undefined) add(file, false);
      else if (matchesGlobs(file)) add(file, true);
    }
    if (found.size === 0) {
      throw new CampaignctlError({
        code: "MANIFEST_NOT_FOUND",
        message:
          scope.manifestGlobs === undefined
            ? `no *.yaml or *.yml manifests under ${scope.root}`
            : `no file under ${scope.root} matches the project file's manifests globs (${scope.manifestGlobs.join(", ")})`,
        hint: "pass a manifest file or the directory of your campaigns, or fix 'manifests' in campaignctl.yaml; see examples/",
      });
    }
    return [...found.values()];
  }

  for (const given of paths) {
    const absolute = isAbsolute(given) ? given : resolve(cwd, given);
    const info = await stat(absolute).catch(() => undefined);
    if (info === undefined) {
      throw new CampaignctlError({
        code: "MANIFEST_NOT_FOUND",
        message: `no such file or directory: ${given}`,
        hint: "pass a manifest file (campaign.yaml) or a directory that contains *.yaml manifests",
      });
    }
    if (!info.isDirectory()) {
      add(absolute, true);
      continue;
    }
    const files = await searchFolder(absolute, absolute);
    if (files.length === 0) {
      throw new CampaignctlError({
        code: "MANIFEST_NOT_FOUND",
        message: `no *.yaml or *.yml manifests in ${given}`,
        hint: "pass the directory that holds your campaign manifests, or a manifest file; see examples/",
      });
    }
    for (const file of files) add(file, matchesGlobs(file));
  }
  return [...found.values()];
}

/**
 * Every *.yaml / *.yml file below `dir`, sorted by path. A sub-folder with its own campaignctl.yaml
 * is another project and is not entered (as git leaves a nested repository alone); the project
 * file itself is never a manifest.
 */
async function searchFolder(dir: string, start: string): Promise<string[]> {
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    throw new CampaignctlError({
      code: "MANIFEST_NOT_FOUND",
      message: `cannot read the directory ${dir} (${(error as NodeJS.ErrnoException).code ?? "error"})`,
      hint: "check its permissions, or pass the manifest files themselves",
    });
  }
  if (dir !== start && entries.some((e) => e.name === PROJECT_FILE_NAME && e.isFile())) return [];
  const out: string[] = [];
  const folders: string[] = [];
  for (const entry of entries) {
    if (entry.name.startsWith(".")) continue;
    const full = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIPPED_FOLDERS.has(entry.name)) folders.push(full);
    } else if (MANIFEST_EXTENSIONS.test(entry.name) && entry.name !== PROJECT_FILE_NAME) {
      // Directory symlinks are never followed. Any other *.yaml entry is kept, even a link to a
      // FIFO or a device, so that reading it reports the problem instead of skipping a manifest.
      if (
        entry.isFile() ||
        (entry.isSymbolicLink() && !(await stat(full).catch(() => undefined))?.isDirectory())
      ) {
        out.push(full);
      }
    }
  }
  const nested = await Promise.all(folders.map((folder) => searchFolder(folder, start)));
  return [...out, ...nested.flat()].sort(comparePaths);
}

function comparePaths(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The project's globs as a predicate on absolute paths (picomatch is loaded only when there are globs). */
async function globMatcher(scope: DiscoveryScope): Promise<(file: string) => boolean> {
  if (scope.manifestGlobs === undefined || scope.manifestGlobs.length === 0) return () => false;
  const { default: picomatch } = await import("picomatch");
  const isMatch = picomatch([...scope.manifestGlobs], { dot: false });
  return (file) => {
    const rel = relative(scope.root, file);
    if (rel.startsWith("..") || isAbsolute(rel)) return false;
    return isMatch(rel.split(sep).join("/"));
  };
}
