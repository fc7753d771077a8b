/**
 * Manifest loading and validation: YAML (with positions) -> `${env:…}` -> schema -> rules ->
 * audience preflight. The engine and the CLI import from here only.
 */
export type { LoadOptions, LoadResult } from "./load.js";
export { loadManifests } from "./load.js";
export { discoverManifestFiles } from "./discover.js";
export type { MergeVariableUse } from "./merge-variables.js";
export { extractMergeVariables, isValidMergeVariableName } from "./merge-variables.js";
export { classifyArtwork } from "./rules.js";
export type {
  Artwork,
  ArtworkField,
  AudienceSpec,
  CampaignManifest,
  CampaignSpec,
  CreativeSpec,
  SendSpec,
  SourceRef,
} from "./types.js";
export { ARTWORK_FIELDS } from "./types.js";
