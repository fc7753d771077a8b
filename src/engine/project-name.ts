import { DEFAULT_PROJECT } from "../core/tags.js";

/**
 * The name tagged on every campaign as `campaignctl_project`: the project file's `project`, or
 * `default` without one (issue 8 §1 adds the file; until then every run is `default`).
 */
export function projectName(options: { readonly project?: { readonly name: string } | undefined }): string {
  return options.project?.name ?? DEFAULT_PROJECT;
}
