import { appendFile } from "node:fs/promises";
import { CampaignctlError } from "../core/errors.js";
import { issueCommentsApi } from "./client.js";
import type { CommentIdentity } from "./marker.js";
import { renderMarker } from "./marker.js";
import { pullRequestFromEnv, type PullRequestTarget } from "./pull-request.js";
import type { StickyResult } from "./sticky-comment.js";
import { composeCommentBody, upsertStickyComment } from "./sticky-comment.js";

export interface PlanComment {
  readonly identity: CommentIdentity;
  readonly fingerprint: string;
  /** The markdown plan. */
  readonly markdown: string;
  /** Used instead when the markdown is too long for a comment: the summary and where the rest is. */
  readonly fallback: string;
  /** The plan is in the job summary already (written under GITHUB_ACTIONS=true): not again. */
  readonly summaryWritten?: boolean;
}

export type PublishOutcome =
  | ({ readonly kind: "comment" } & StickyResult)
  /** A read-only token (a fork's pull request): the plan went to the job summary instead. */
  | { readonly kind: "read-only"; readonly summaryWritten: boolean };

/** Checks the environment before any planning, so a misconfigured job fails at once. */
export async function preparePlanComment(
  env: Readonly<Record<string, string | undefined>>,
): Promise<PullRequestTarget> {
  return pullRequestFromEnv(env);
}

/**
 * Posts or updates the sticky plan comment. A 403 that is not a rate limit means the token may
 * not write (GitHub gives pull requests from forks a read-only token): the plan is appended to the
 * job summary instead and the caller warns; the plan's own exit code stands.
 */
export async function publishPlanComment(
  target: PullRequestTarget,
  comment: PlanComment,
  env: Readonly<Record<string, string | undefined>>,
  warn: (message: string) => void,
): Promise<PublishOutcome> {
  const marker = renderMarker(comment.identity, comment.fingerprint);
  const body = composeCommentBody(marker, comment.markdown, comment.fallback);
  const api = await issueCommentsApi(target, warn);
  try {
    return { kind: "comment", ...(await upsertStickyComment(api, comment.identity, body)) };
  } catch (error) {
    const status = statusOf(error);
    const message = messageOf(error);
    if (status === 403 && !/rate limit/i.test(message)) {
      const summaryWritten =
        comment.summaryWritten === true || (await appendSummary(env.GITHUB_STEP_SUMMARY, comment.markdown));
      return { kind: "read-only", summaryWritten };
    }
    throw new CampaignctlError({
      code: "GITHUB_API",
      source: "remote",
      message: `could not write the plan comment on ${target.owner}/${target.repo}#${target.number}: ${
        status === undefined ? message : `GitHub answered ${status}${message ? ` (${message})` : ""}`
      }`,
      hint:
        status === 404
          ? "check that the job's token may read the repository and that the pull request exists"
          : status === 401
            ? "the token was refused: pass 'GITHUB_TOKEN: ${{ github.token }}' to the step"
            : "the plan itself succeeded; run the job again (GitHub may be busy)",
      cause: error,
    });
  }
}

/** GitHub's job summary accepts 1 MiB per step; a longer plan is cut with a note. */
const SUMMARY_MAX_BYTES = 1024 * 1024 - 1024;

async function appendSummary(path: string | undefined, markdown: string): Promise<boolean> {
  if (!path) return false;
  const text =
    Buffer.byteLength(markdown) <= SUMMARY_MAX_BYTES
      ? markdown
      : `${Buffer.from(markdown)
          .subarray(0, SUMMARY_MAX_BYTES)
          .toString("utf8")
          .replace(/\uFFFD$/, "")}\n\n_(cut at GitHub's 1 MiB summary limit: see the plan artifact)_\n`;
  await appendFile(path, `${text}\n`);
  return true;
}

function statusOf(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | undefined)?.status;
  // Octokit reports a connection failure as status 500 with the cause attached.
  if (
    typeof status === "number" &&
    !(status === 500 && (error as { response?: unknown }).response === undefined)
  )
    return status;
  return undefined;
}

/** GitHub's own error message (never a header or the request: they carry the token). */
function messageOf(error: unknown): string {
  const data = (error as { response?: { data?: unknown } } | undefined)?.response?.data;
  const fromBody =
    typeof data === "object" && data !== null && typeof (data as { message?: unknown }).message === "string"
      ? (data as { message: string }).message
      : undefined;
  if (fromBody !== undefined) return fromBody.slice(0, 300);
  // No answer: Octokit's message is the connection error's own ("connect ECONNREFUSED …").
  const reason = error instanceof Error ? error.message.split("\n", 1)[0]!.slice(0, 200) : "";
  return `cannot reach the GitHub API${reason ? ` (${reason})` : ""}`;
}
