import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { isCampaignctlError } from "../../src/core/errors.js";
import {
  fingerprintOf,
  markerIdentity,
  MARKER_MAX_CHARS,
  renderMarker,
  scopeOf,
} from "../../src/github/marker.js";
import { preparePlanComment, publishPlanComment } from "../../src/github/publish-plan-comment.js";
import { GITHUB_COMMENT_MAX_CHARS } from "../../src/github/sticky-comment.js";
import { checkGitHubResponse, githubContractViolations } from "../support/github-contract.js";
import { startGitHubDouble, type GitHubDouble } from "../support/github-double.js";

const TOKEN = "ghs_doubleTokenThatMustNeverBePrinted0001";
const REPO = "acme/mail";
let gh: GitHubDouble;
let dir: string;
let env: Record<string, string>;
let warnings: string[];

beforeAll(async () => {
  gh = await startGitHubDouble({ token: TOKEN });
  dir = mkdtempSync(join(tmpdir(), "campaignctl-gh-"));
});
afterAll(async () => {
  await gh.close();
  rmSync(dir, { recursive: true, force: true });
});
let checked = 0;
afterEach(() => {
  // Every request we sent and every answer the double gave, against GitHub's OpenAPI description.
  expect(githubContractViolations(gh.exchanges.slice(checked))).toEqual([]);
  checked = gh.exchanges.length;
  expect(JSON.stringify(warnings)).not.toContain(TOKEN);
});

let issue = 0;
function pullRequestEnv(extra: Record<string, unknown> = {}): Record<string, string> {
  issue++;
  const event = join(dir, `event-${issue}.json`);
  writeFileSync(
    event,
    JSON.stringify({
      action: "opened",
      number: issue,
      pull_request: {
        number: issue,
        head: { repo: { full_name: REPO } },
        base: { repo: { full_name: REPO } },
        ...extra,
      },
    }),
  );
  warnings = [];
  env = {
    GITHUB_ACTIONS: "true",
    GITHUB_TOKEN: TOKEN,
    GITHUB_REPOSITORY: REPO,
    GITHUB_EVENT_NAME: "pull_request",
    GITHUB_EVENT_PATH: event,
    GITHUB_API_URL: gh.url,
    GITHUB_STEP_SUMMARY: join(dir, `summary-${issue}.md`),
  };
  return env;
}

const identity = { project: "spring", scope: "project" };
async function publish(markdown: string, fingerprint = "sha256:0123456789abcdef") {
  const target = await preparePlanComment(env);
  return publishPlanComment(
    target,
    { identity, fingerprint, markdown, fallback: "too long: see the job summary" },
    env,
    (m) => warnings.push(m),
  );
}
const ours = () =>
  gh.comments.filter((c) => c.issue === issue && c.body.startsWith(markerIdentity(identity)));
const posts = () => gh.exchanges.filter((e) => e.method === "POST" && e.path.includes(`/issues/${issue}/`));

describe("the sticky plan comment against the GitHub double", () => {
  it("creates one comment, then updates that same comment, found on the last of several pages", async () => {
    pullRequestEnv();
    gh.seed(REPO, issue, ["LGTM"]);
    const first = await publish("### plan one\n");
    expect(first).toMatchObject({ kind: "comment", action: "created" });
    // A long discussion after it: our comment is on page 1 of 3; more after, so the next lookup pages.
    gh.seed(
      REPO,
      issue,
      Array.from({ length: 230 }, (_, i) => `comment ${i}`),
    );
    const second = await publish("### plan two\n", "sha256:fedcba9876543210");
    expect(second).toMatchObject({ kind: "comment", action: "updated" });
    expect(ours()).toHaveLength(1);
    expect(ours()[0]!.body).toContain("### plan two");
    expect(fingerprintOf(ours()[0]!.body)).toBe("sha256:fedcba9876543210");
    expect(posts()).toHaveLength(1);
    const third = await publish("### plan two\n", "sha256:fedcba9876543210");
    expect(third).toMatchObject({ kind: "comment", action: "unchanged" });
  });

  it("lists every page before creating: a marker on page 3 is found, no second comment", async () => {
    pullRequestEnv();
    gh.seed(
      REPO,
      issue,
      Array.from({ length: 240 }, (_, i) => `old ${i}`),
    );
    gh.seed(REPO, issue, [`${renderMarker(identity, "sha256:1")}\nold plan`], "github-actions[bot]");
    const outcome = await publish("### new plan\n");
    expect(outcome).toMatchObject({ kind: "comment", action: "updated" });
    const pages = gh.exchanges.filter(
      (e) => e.method === "GET" && e.path.includes(`/issues/${issue}/comments`),
    );
    expect(pages.map((e) => new URL(e.path, gh.url).searchParams.get("page") ?? "1")).toEqual([
      "1",
      "2",
      "3",
    ]);
    expect(posts()).toHaveLength(0);
    expect(ours()).toHaveLength(1);
  });

  it("a quoted marker in someone's reply, or another scope's comment, is not ours", async () => {
    pullRequestEnv();
    const other = { project: "spring", scope: scopeOf(["campaigns/a"]) };
    gh.seed(REPO, issue, [
      `> ${renderMarker(identity, "sha256:1")}\n> quoted`,
      `${renderMarker(other, "sha256:2")}\nother`,
    ]);
    expect(await publish("### mine\n")).toMatchObject({ action: "created" });
    expect(ours()).toHaveLength(1);
  });

  it("retries GitHub's secondary rate limit (403 and 429 with retry-after) and then succeeds", async () => {
    pullRequestEnv();
    gh.rateLimitNext(1, 403, 1);
    expect(await publish("### a\n")).toMatchObject({ action: "created" });
    gh.rateLimitNext(1, 429, 1);
    expect(await publish("### b\n")).toMatchObject({ action: "updated" });
    expect(warnings.filter((w) => w.includes("secondary rate limit"))).toHaveLength(2);
    expect(gh.exchanges.filter((e) => e.status === 403 || e.status === 429)).not.toHaveLength(0);
    expect(ours()).toHaveLength(1);
  }, 20_000);

  it("a read-only token (a fork's pull request): the plan goes to the job summary, no comment", async () => {
    pullRequestEnv({ head: { repo: { full_name: "someone/mail" } } });
    gh.readOnly = true;
    try {
      const outcome = await publish("### fork plan\n");
      expect(outcome).toEqual({ kind: "read-only", summaryWritten: true });
      expect(readFileSync(env.GITHUB_STEP_SUMMARY!, "utf8")).toContain("### fork plan");
      expect(ours()).toHaveLength(0);
      expect(gh.exchanges.at(-1)?.status).toBe(403);
    } finally {
      gh.readOnly = false;
    }
  });

  it("a refused token is a clear error that never shows the token", async () => {
    pullRequestEnv();
    env.GITHUB_TOKEN = `${TOKEN}-wrong`;
    const error = await publish("### x\n").catch((e: unknown) => e);
    expect(isCampaignctlError(error) && error.code).toBe("GITHUB_API");
    expect((error as Error).message).toMatch(/GitHub answered 401 \(Bad credentials\)/);
    expect(
      JSON.stringify({ m: (error as Error).message, h: (error as { hint?: string }).hint }),
    ).not.toContain(TOKEN);
  });
});

describe("when GitHub cannot be reached", () => {
  it("says so, with the connection error and without the token", async () => {
    pullRequestEnv();
    const closed = await startGitHubDouble({ token: TOKEN });
    await closed.close();
    env.GITHUB_API_URL = closed.url;
    const error = await publish("### x\n").catch((e: unknown) => e);
    expect(isCampaignctlError(error) && error.code).toBe("GITHUB_API");
    expect((error as Error).message).toMatch(/: cannot reach the GitHub API \(.*ECONNREFUSED/);
    expect((error as Error).message).not.toContain(TOKEN);
  });
});

describe("what --comment needs from the environment", () => {
  it("names every missing variable", async () => {
    const error = await preparePlanComment({ GITHUB_REPOSITORY: REPO }).catch((e: unknown) => e);
    expect(isCampaignctlError(error) && error.code).toBe("ENV_MISSING");
    expect((error as Error).message).toContain("GITHUB_TOKEN, GITHUB_EVENT_PATH");
  });

  it("refuses an event that is not a pull request, naming it", async () => {
    const event = join(dir, "push.json");
    writeFileSync(event, JSON.stringify({ ref: "refs/heads/main" }));
    const error = await preparePlanComment({
      GITHUB_TOKEN: TOKEN,
      GITHUB_REPOSITORY: REPO,
      GITHUB_EVENT_PATH: event,
      GITHUB_EVENT_NAME: "push",
    }).catch((e: unknown) => e);
    expect(isCampaignctlError(error) && error.code).toBe("USAGE");
    expect((error as Error).message).toBe(
      "plan --comment comments on a pull request, but this run was triggered by a 'push' event",
    );
  });

  it("honours GITHUB_API_URL (GitHub Enterprise) and tells forks apart", async () => {
    pullRequestEnv({ head: { repo: { full_name: "someone/mail" } } });
    const target = await preparePlanComment({ ...env, GITHUB_API_URL: "https://ghe.invalid/api/v3/" });
    expect(target).toMatchObject({
      apiUrl: "https://ghe.invalid/api/v3",
      owner: "acme",
      repo: "mail",
      number: issue,
      fromFork: true,
    });
  });
});

describe("the marker", () => {
  it("stays within 300 characters whatever the paths, and its identity ignores the fingerprint", () => {
    const long = {
      project: "p".repeat(500),
      scope: scopeOf(Array.from({ length: 80 }, (_, i) => `campaigns/${i}/x.yaml`)),
    };
    expect(renderMarker(long, `sha256:${"f".repeat(16)}`).length).toBeLessThanOrEqual(MARKER_MAX_CHARS);
    const plain = renderMarker(identity, "sha256:aa");
    expect(plain.startsWith(markerIdentity(identity))).toBe(true);
    expect(plain).toBe("<!-- campaignctl-plan project=spring scope=project fingerprint=sha256:aa -->");
    expect(scopeOf(["b", "a", "b"])).toBe("paths:a,b");
    // A name that tries to close the comment early is encoded.
    expect(renderMarker({ project: "x --> <b>", scope: "project" }, "sha256:1")).not.toMatch(/-->.*-->/);
  });

  it("an over-long plan is replaced by the fallback so GitHub accepts the comment", async () => {
    pullRequestEnv();
    await publish("x".repeat(GITHUB_COMMENT_MAX_CHARS));
    expect(ours()[0]!.body).toContain("too long: see the job summary");
    expect(ours()[0]!.body.length).toBeLessThanOrEqual(GITHUB_COMMENT_MAX_CHARS);
  });
});

describe("the contract check itself", () => {
  it("flags a response GitHub's description forbids", () => {
    const bad = checkGitHubResponse({
      method: "POST",
      path: "/repos/a/b/issues/1/comments",
      status: 201,
      responseHeaders: { "content-type": "application/json" },
      responseBody: { id: "1", body: "x" },
    });
    expect(bad.join("\n")).toMatch(/must have required property 'node_id'/);
    expect(bad.join("\n")).toMatch(/\/id must be integer/);
  });
});
