import type { CommentIdentity } from "./marker.js";
import { isMarkedComment } from "./marker.js";

/** GitHub refuses an issue comment body longer than this many characters. */
export const GITHUB_COMMENT_MAX_CHARS = 65_536;

/** The few issue-comment calls the sticky comment needs (Octokit's, narrowed so tests can read them). */
export interface IssueComment {
  readonly id: number;
  readonly body?: string | null | undefined;
  readonly html_url: string;
}

export interface IssueCommentsApi {
  /** Every page of the pull request's comments, oldest first. */
  pages(): AsyncIterable<readonly IssueComment[]>;
  create(body: string): Promise<IssueComment>;
  update(id: number, body: string): Promise<IssueComment>;
}

export interface StickyResult {
  readonly action: "created" | "updated" | "unchanged";
  readonly url: string;
}

/**
 * Creates the comment the first time and updates that same comment on every later run. It looks
 * through every page before creating, so a pull request with hundreds of comments never gets a
 * second plan comment. Two marked comments (a race of two runs) are left as they are, and the
 * oldest is updated.
 */
export async function upsertStickyComment(
  api: IssueCommentsApi,
  identity: CommentIdentity,
  body: string,
): Promise<StickyResult> {
  let existing: IssueComment | undefined;
  for await (const page of api.pages()) {
    existing = page.find((comment) => isMarkedComment(comment.body, identity));
    if (existing) break;
  }
  if (!existing) return { action: "created", url: (await api.create(body)).html_url };
  // An identical body is not sent again: no "edited" churn for reviewers when nothing changed.
  if (existing.body === body) return { action: "unchanged", url: existing.html_url };
  return { action: "updated", url: (await api.update(existing.id, body)).html_url };
}

/**
 * The marker, then the markdown plan. A plan too long for GitHub is replaced by `fallback` (its
 * summary and where to read the rest), so the comment is always accepted.
 */
export function composeCommentBody(marker: string, markdown: string, fallback: string): string {
  const full = `${marker}\n${markdown}`;
  return full.length <= GITHUB_COMMENT_MAX_CHARS ? full : `${marker}\n${fallback}`;
}
