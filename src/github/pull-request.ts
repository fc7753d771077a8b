import { readFile } from "node:fs/promises";
import { CampaignctlError } from "../core/errors.js";

/**
 * Where `plan --comment` posts: the pull request of the workflow run, read from the environment
 * GitHub Actions sets. The token is kept here and handed only to the API client; nothing prints it.
 */
export interface PullRequestTarget {
  readonly apiUrl: string;
  readonly token: string;
  readonly owner: string;
  readonly repo: string;
  readonly number: number;
  /** The head branch lives in another repository: GitHub gives such runs a read-only token. */
  readonly fromFork: boolean;
}

const DEFAULT_API_URL = "https://api.github.com";
const WORKFLOW_HINT =
  "run it in a GitHub Actions job triggered by 'pull_request', with 'env: GITHUB_TOKEN: ${{ github.token }}' (see examples/github/plan-on-pull-request.yml)";

export async function pullRequestFromEnv(
  env: Readonly<Record<string, string | undefined>>,
): Promise<PullRequestTarget> {
  const missing = ["GITHUB_TOKEN", "GITHUB_REPOSITORY", "GITHUB_EVENT_PATH"].filter((name) => !env[name]);
  if (missing.length > 0) {
    throw new CampaignctlError({
      code: "ENV_MISSING",
      message: `plan --comment needs ${missing.join(", ")} (set in a GitHub Actions run)`,
      hint: WORKFLOW_HINT,
    });
  }
  const repository = env.GITHUB_REPOSITORY!;
  const [owner, repo, ...rest] = repository.split("/");
  if (!owner || !repo || rest.length > 0) {
    throw new CampaignctlError({
      code: "USAGE",
      message: `GITHUB_REPOSITORY '${repository}' is not OWNER/REPO`,
      hint: "GitHub Actions sets it; leave it as the runner sets it",
    });
  }
  const event = await readEvent(env.GITHUB_EVENT_PATH!);
  const pr = isObject(event) ? event.pull_request : undefined;
  const number = isObject(pr) ? pr.number : undefined;
  if (!isObject(pr) || typeof number !== "number" || !Number.isInteger(number) || number < 1) {
    const name = env.GITHUB_EVENT_NAME
      ? `a '${env.GITHUB_EVENT_NAME}' event`
      : "an event without a pull request";
    throw new CampaignctlError({
      code: "USAGE",
      message: `plan --comment comments on a pull request, but this run was triggered by ${name}`,
      hint: `${WORKFLOW_HINT}; other triggers can run 'campaignctl plan' without --comment`,
    });
  }
  return {
    apiUrl: (env.GITHUB_API_URL || DEFAULT_API_URL).replace(/\/+$/, ""),
    token: env.GITHUB_TOKEN!,
    owner,
    repo,
    number,
    fromFork: repoName(pr.head) !== undefined && repoName(pr.head) !== repoName(pr.base),
  };
}

async function readEvent(path: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(path, "utf8"));
  } catch (error) {
    throw new CampaignctlError({
      code: "USAGE",
      message: `cannot read the GitHub event GITHUB_EVENT_PATH names (${(error as NodeJS.ErrnoException).code ?? "not JSON"})`,
      hint: "GitHub Actions writes that file for every run; leave GITHUB_EVENT_PATH as the runner sets it",
    });
  }
}

function repoName(side: unknown): string | undefined {
  const repo = isObject(side) ? side.repo : undefined;
  return isObject(repo) && typeof repo.full_name === "string" ? repo.full_name : undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
