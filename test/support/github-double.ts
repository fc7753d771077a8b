/**
 * A local stand-in for the few GitHub REST endpoints `plan --comment` uses (issue comments:
 * list with pagination and a Link header, create, update). Tests start it on port 0 and stop it.
 * It records every exchange, so a test can check them all against GitHub's OpenAPI description
 * (test/support/github-contract.ts), and it can play a fork's read-only token or a secondary
 * rate limit.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { GitHubExchange } from "./github-contract.js";

export interface StoredComment {
  readonly id: number;
  body: string;
  readonly issue: number;
  readonly repository: string;
  readonly created_at: string;
  updated_at: string;
  readonly login: string;
}

export interface GitHubDouble {
  /** The API root to set as GITHUB_API_URL. */
  readonly url: string;
  readonly exchanges: GitHubExchange[];
  readonly comments: StoredComment[];
  /** The token it accepts; any other answers 401. */
  readonly token: string;
  /** Answer writes with 403 "Resource not accessible by integration", as a fork's token gets. */
  readOnly: boolean;
  /** The next `times` requests answer a secondary rate limit with this status and retry-after. */
  rateLimitNext(times: number, status: 403 | 429, retryAfterSeconds?: number): void;
  /** Adds comments by someone else (a long discussion), oldest first. */
  seed(repository: string, issue: number, bodies: readonly string[], login?: string): void;
  close(): Promise<void>;
}

const BOT = "github-actions[bot]";

export async function startGitHubDouble(options: {
  token: string;
  perPageMax?: number;
}): Promise<GitHubDouble> {
  const exchanges: GitHubExchange[] = [];
  const comments: StoredComment[] = [];
  let nextId = 1_000;
  let limited: { times: number; status: 403 | 429; retryAfter: number } | undefined;
  let origin = "";
  const clock = { at: Date.parse("2026-01-01T00:00:00Z") };
  const now = () => new Date((clock.at += 1000)).toISOString().replace(/\.\d{3}Z$/, "Z");

  function commentJson(c: StoredComment) {
    const [owner = "", repo = ""] = c.repository.split("/");
    const api = `${origin}/repos/${owner}/${repo}`;
    return {
      id: c.id,
      node_id: `IC_${c.id}`,
      url: `${api}/issues/comments/${c.id}`,
      html_url: `https://github.invalid/${c.repository}/pull/${c.issue}#issuecomment-${c.id}`,
      body: c.body,
      user: userJson(c.login),
      created_at: c.created_at,
      updated_at: c.updated_at,
      issue_url: `${api}/issues/${c.issue}`,
      author_association: "NONE",
    };
  }

  function userJson(login: string) {
    const base = `${origin}/users/${encodeURIComponent(login)}`;
    return {
      login,
      id: 41898282,
      node_id: "MDM6Qm90NDE4OTgyODI=",
      avatar_url: "https://avatars.invalid/in/15368",
      gravatar_id: "",
      url: base,
      html_url: `https://github.invalid/apps/github-actions`,
      followers_url: `${base}/followers`,
      following_url: `${base}/following{/other_user}`,
      gists_url: `${base}/gists{/gist_id}`,
      starred_url: `${base}/starred{/owner}{/repo}`,
      subscriptions_url: `${base}/subscriptions`,
      organizations_url: `${base}/orgs`,
      repos_url: `${base}/repos`,
      events_url: `${base}/events{/privacy}`,
      received_events_url: `${base}/received_events`,
      type: "Bot",
      site_admin: false,
    };
  }

  const error = (message: string, status: number, docs = "https://docs.github.com/rest") => ({
    message,
    documentation_url: docs,
    status: String(status),
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    let requestBody: unknown;
    try {
      requestBody = text === "" ? undefined : JSON.parse(text);
    } catch {
      requestBody = text;
    }
    const method = req.method ?? "GET";
    const path = req.url ?? "/";
    const url = new URL(path, origin);
    const headers: Record<string, string> = { "content-type": "application/json; charset=utf-8" };
    const reply = (status: number, body: unknown) => {
      exchanges.push({
        method,
        path,
        requestHeaders: req.headers,
        requestBody,
        status,
        responseHeaders: headers,
        responseBody: body,
      });
      res.writeHead(status, headers);
      res.end(body === undefined ? "" : JSON.stringify(body));
    };

    const auth = req.headers.authorization ?? "";
    if (auth !== `token ${options.token}` && auth !== `Bearer ${options.token}`) {
      return reply(401, error("Bad credentials", 401));
    }
    if (limited && limited.times > 0) {
      limited.times--;
      headers["retry-after"] = String(limited.retryAfter);
      return reply(
        limited.status,
        error(
          "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
          limited.status,
          "https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api#about-secondary-rate-limits",
        ),
      );
    }

    const list = /^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)\/comments$/.exec(url.pathname);
    const one = /^\/repos\/([^/]+)\/([^/]+)\/issues\/comments\/(\d+)$/.exec(url.pathname);
    if (list && method === "GET") {
      const repository = `${decodeURIComponent(list[1]!)}/${decodeURIComponent(list[2]!)}`;
      const issue = Number(list[3]);
      const perPage = Math.min(Number(url.searchParams.get("per_page") ?? 30), options.perPageMax ?? 100);
      const page = Number(url.searchParams.get("page") ?? 1);
      const all = comments.filter((c) => c.repository === repository && c.issue === issue);
      const last = Math.max(1, Math.ceil(all.length / perPage));
      const links: string[] = [];
      const at = (p: number) => {
        const u = new URL(url);
        u.searchParams.set("page", String(p));
        return `<${u.toString()}>`;
      };
      if (page < last) links.push(`${at(page + 1)}; rel="next"`, `${at(last)}; rel="last"`);
      if (page > 1) links.push(`${at(1)}; rel="first"`, `${at(page - 1)}; rel="prev"`);
      if (links.length > 0) headers.link = links.join(", ");
      return reply(200, all.slice((page - 1) * perPage, page * perPage).map(commentJson));
    }
    if (list && method === "POST") {
      if (double.readOnly) return reply(403, error("Resource not accessible by integration", 403));
      const body = (requestBody as { body?: unknown } | undefined)?.body;
      if (typeof body !== "string") return reply(422, { message: "Validation Failed", errors: [] });
      const at = now();
      const comment: StoredComment = {
        id: nextId++,
        body,
        issue: Number(list[3]),
        repository: `${decodeURIComponent(list[1]!)}/${decodeURIComponent(list[2]!)}`,
        created_at: at,
        updated_at: at,
        login: BOT,
      };
      comments.push(comment);
      headers.location = commentJson(comment).url;
      return reply(201, commentJson(comment));
    }
    if (one && method === "PATCH") {
      if (double.readOnly) return reply(403, error("Resource not accessible by integration", 403));
      const comment = comments.find((c) => c.id === Number(one[3]));
      if (!comment) return reply(404, error("Not Found", 404));
      const body = (requestBody as { body?: unknown } | undefined)?.body;
      if (typeof body !== "string") return reply(422, { message: "Validation Failed", errors: [] });
      comment.body = body;
      comment.updated_at = now();
      return reply(200, commentJson(comment));
    }
    return reply(404, error("Not Found", 404));
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      res.writeHead(500);
      res.end(String(err));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const double: GitHubDouble = {
    url: origin,
    exchanges,
    comments,
    token: options.token,
    readOnly: false,
    rateLimitNext(times, status, retryAfterSeconds = 1) {
      limited = { times, status, retryAfter: retryAfterSeconds };
    },
    seed(repository, issue, bodies, login = "octocat") {
      for (const body of bodies) {
        const at = now();
        comments.push({ id: nextId++, body, issue, repository, created_at: at, updated_at: at, login });
      }
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
  return double;
}
