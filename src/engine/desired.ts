import { hashValue, sha256Hex } from "../core/canonical.js";
import { internalError } from "../core/errors.js";
import { formatLocation } from "../core/diagnostics.js";
import type { PreflightReport } from "../audience/types.js";
import type { CampaignManifest } from "../manifest/types.js";
import type { DesiredCampaign, LocalFileRef } from "../plan/types.js";
import { readArtworkBytes } from "./artwork-bytes.js";

/**
 * Reduce loaded manifests to the planner's plain input: local artwork files become content
 * hashes (and HTML text, for diffs), the audience becomes its sha256 and preflight counts.
 */
export async function buildDesired(
  manifests: readonly CampaignManifest[],
  preflight: ReadonlyMap<string, PreflightReport>,
): Promise<DesiredCampaign[]> {
  const artworkFiles: ArtworkFiles = new Map();
  return Promise.all(manifests.map((m) => buildOne(m, preflight.get(m.key), artworkFiles)));
}

/** A local artwork file as this run read it. */
interface ArtworkFile {
  readonly sha256: string;
  /** For HTML only: the text, for diffs. */
  readonly html?: string;
}

/**
 * Artwork files by path, read once per run: campaigns that share a template (1,000 of them, say)
 * share its one reading, hash and text, instead of holding a copy each. One reading also means
 * every campaign is planned with the same bytes, even if the file changes while the run reads it.
 */
type ArtworkFiles = Map<string, Promise<ArtworkFile>>;

function readArtworkFile(
  files: ArtworkFiles,
  path: string,
  shown: string,
  html: boolean,
): Promise<ArtworkFile> {
  const cacheKey = `${html ? "html" : "bytes"}:${path}`;
  let file = files.get(cacheKey);
  if (file === undefined) {
    file = readArtworkBytes(path, shown).then((bytes) => ({
      sha256: sha256Hex(bytes),
      ...(html ? { html: bytes.toString("utf8") } : {}),
    }));
    files.set(cacheKey, file);
  }
  return file;
}

async function buildOne(
  manifest: CampaignManifest,
  report: PreflightReport | undefined,
  artworkFiles: ArtworkFiles,
): Promise<DesiredCampaign> {
  if (!report) throw internalError(`no audience preflight for '${manifest.key}'`);
  const artwork: Record<string, string> = {};
  const artworkSource: Record<string, string> = {};
  const html: Record<string, string> = {};
  const files: Record<string, LocalFileRef> = {};
  for (const [field, art] of Object.entries(manifest.creative.artwork)) {
    if (!art) continue;
    artworkSource[field] = art.value;
    if (art.kind === "file") {
      const read = await readArtworkFile(artworkFiles, art.path, art.value, art.mediaType === "html");
      artwork[field] = `sha256:${read.sha256}`;
      files[field] = { path: art.path, sha256: read.sha256, mediaType: art.mediaType };
      if (read.html !== undefined) html[field] = read.html;
    } else {
      artwork[field] = art.value;
    }
  }
  const creative = manifest.creative;
  const fields: Record<string, unknown> = {};
  if (creative.from !== undefined) fields.from = creative.from;
  if (creative.description !== undefined) fields.description = creative.description;
  if (creative.metadata !== undefined) fields.metadata = creative.metadata;
  const audience = manifest.audience;
  return {
    key: manifest.key,
    source: formatLocation(manifest.source),
    campaign: { ...manifest.campaign },
    creative: {
      resource_type: creative.resource_type,
      details: creative.details,
      artwork,
      artworkSource,
      html,
      contentHash: hashValue({ resource_type: creative.resource_type, details: creative.details, artwork }),
      fields,
      files,
      ...(creative.pages !== undefined ? { pages: creative.pages } : {}),
    },
    upload: {
      requiredAddressColumnMapping: audience.requiredAddressColumnMapping,
      optionalAddressColumnMapping: audience.optionalAddressColumnMapping,
      mergeVariableColumnMapping: audience.mergeVariableColumnMapping,
      metadata: audience.metadata,
    },
    audience: {
      file: audience.fileAsWritten,
      sha256: report.sha256,
      totalRows: report.totalRows,
      passingRows: report.passingRows,
      local: { path: audience.file, sha256: report.sha256, mediaType: "csv" },
    },
    send: {
      enabled: manifest.send.enabled,
      ...(manifest.send.max_pieces !== undefined ? { maxPieces: manifest.send.max_pieces } : {}),
      ...(manifest.send.max_cost !== undefined ? { maxCost: manifest.send.max_cost } : {}),
      ...(manifest.send.max_failed_ratio !== undefined
        ? { maxFailedRatio: manifest.send.max_failed_ratio }
        : {}),
    },
  };
}
