import { packageVersion } from "../package-info.js";
import type { PullRequestTarget } from "./pull-request.js";
import type { IssueCommentsApi } from "./sticky-comment.js";

/** Retries of a secondary rate limit (GitHub's abuse protection) before giving up. */
const SECONDARY_RATE_LIMIT_RETRIES = 3;
const PER_PAGE = 100;

/**
 * Octokit with the throttling plugin: it queues writes and, on a secondary rate limit (403 or
 * 429 saying so, with retry-after), waits as told and retries. Loaded only for `plan --comment`,
 * so no other command pays for it.
 */
export async function issueCommentsApi(
  target: PullRequestTarget,
  warn: (message: string) => void,
): Promise<IssueCommentsApi> {
  const { Octokit } = await import("@octokit/rest");
  const { throttling } = await import("@octokit/plugin-throttling");
  const GitHub = Octokit.plugin(throttling);
  const octokit = new GitHub({
    auth: target.token,
    baseUrl: target.apiUrl,
    userAgent: `campaignctl/${packageVersion()}`,
    // Octokit's own logging would print request details; campaignctl says what happened itself.
    log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
    throttle: {
      onSecondaryRateLimit: (
        retryAfter: number,
        _options: unknown,
        _octokit: unknown,
        retryCount: number,
      ) => {
        if (retryCount >= SECONDARY_RATE_LIMIT_RETRIES) return false;
        warn(`GitHub's secondary rate limit was hit; retrying in ${retryAfter}s`);
        return true;
      },
      onRateLimit: (retryAfter: number, _options: unknown, _octokit: unknown, retryCount: number) => {
        if (retryCount >= 1 || retryAfter > 60) return false;
        warn(`GitHub's rate limit was hit; retrying in ${retryAfter}s`);
        return true;
      },
    },
  });
  const where = { owner: target.owner, repo: target.repo };
  return {
    pages: async function* () {
      const iterator = octokit.paginate.iterator(octokit.rest.issues.listComments, {
        ...where,
        issue_number: target.number,
        per_page: PER_PAGE,
      });
      for await (const page of iterator) yield page.data;
    },
    create: async (body) =>
      (await octokit.rest.issues.createComment({ ...where, issue_number: target.number, body })).data,
    update: async (id, body) =>
      (await octokit.rest.issues.updateComment({ ...where, comment_id: id, body })).data,
  };
}
