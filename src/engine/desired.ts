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
  return Promise.all(manifests.map((m) => buildOne(m, preflight.get(m.key))));
}

async function buildOne(
  manifest: CampaignManifest,
  report: PreflightReport | undefined,
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
      const bytes = await readArtworkBytes(art.path, art.value);
      const sha256 = sha256Hex(bytes);
      artwork[field] = `sha256:${sha256}`;
      files[field] = { path: art.path, sha256, mediaType: art.mediaType };
      if (art.mediaType === "html") html[field] = bytes.toString("utf8");
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
    },
  };
}
