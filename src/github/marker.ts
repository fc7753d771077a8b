import { createHash } from "node:crypto";

/**
 * The hidden first line of the sticky plan comment. It names the project and the paths' scope,
 * so each (project, scope) pair owns one comment on a pull request, and carries the plan's
 * fingerprint so a reader can tell which plan a comment shows. At most 300 characters: a long
 * list of paths is replaced by its hash.
 */
export const MARKER_MAX_CHARS = 300;
const PREFIX = "<!-- campaignctl-plan";

export interface CommentIdentity {
  readonly project: string;
  /** "project" (the whole project), or the manifest paths relative to the project root. */
  readonly scope: string;
}

/** `paths`: as the plan was scoped (relative to the project root, `/`-separated); empty for the whole project. */
export function scopeOf(paths: readonly string[]): string {
  if (paths.length === 0) return "project";
  const sorted = [...new Set(paths)].sort();
  const listed = `paths:${sorted.join(",")}`;
  return listed.length <= 160 ? listed : `paths-sha256:${sha256(sorted.join("\n")).slice(0, 32)}`;
}

/** The part that finds the comment: equal for every run of the same project and scope. */
export function markerIdentity(identity: CommentIdentity): string {
  const project = encodeURIComponent(identity.project);
  const scope = encodeURIComponent(identity.scope);
  const whole = `${PREFIX} project=${project} scope=${scope} `;
  if (whole.length <= MARKER_MAX_CHARS - 100) return whole;
  // A project name this long is unusual; its hash still identifies it.
  return `${PREFIX} project-sha256=${sha256(identity.project).slice(0, 32)} scope=${encodeURIComponent(identity.scope).slice(0, 100)} `;
}

export function renderMarker(identity: CommentIdentity, fingerprint: string): string {
  return `${markerIdentity(identity)}fingerprint=${fingerprint.replace(/[^\w:.-]/g, "").slice(0, 80)} -->`;
}

/** A comment is ours when its first line is our marker (a quote of it in a reply is not). */
export function isMarkedComment(body: string | null | undefined, identity: CommentIdentity): boolean {
  return typeof body === "string" && body.startsWith(markerIdentity(identity));
}

/** The fingerprint a marked comment records, if any. */
export function fingerprintOf(body: string): string | undefined {
  if (!body.startsWith(PREFIX)) return undefined;
  const firstLine = body.split("\n", 1)[0] ?? "";
  return /\sfingerprint=([\w:.-]+)\s-->/.exec(firstLine)?.[1];
}

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}
