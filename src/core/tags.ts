/**
 * Metadata keys campaignctl puts on every campaign it creates: the manifest key, the state's
 * lineage and the project's name. Lob has no idempotency keys for campaigns, so these tags are how
 * a run finds what a lost request created (key + lineage), and how any run, from any copy of the
 * state or none, proves that Lob holds no campaign for a key before creating one (project + key).
 */
export const TAG_KEY = "campaignctl_key";
export const TAG_LINEAGE = "campaignctl_lineage";
export const TAG_PROJECT = "campaignctl_project";

/** The project of a run without a project file, and of campaigns tagged before the project tag existed. */
export const DEFAULT_PROJECT = "default";

/** Every tag campaignctl owns: never shown or diffed as the user's metadata. */
export const OUR_TAGS: ReadonlySet<string> = new Set([TAG_KEY, TAG_LINEAGE, TAG_PROJECT]);

/** The project a campaign belongs to by its tags (untagged ones predate the project tag: `default`). */
export function projectOf(metadata: Readonly<Record<string, string>> | undefined): string {
  return metadata?.[TAG_PROJECT] ?? DEFAULT_PROJECT;
}
