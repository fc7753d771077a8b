import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnCli } from "../e2e/cli.js";

/** `plan --comment` outside a pull-request run: a clear error before any planning, exit 1. */
const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const TOKEN = "ghs_cliTokenThatMustNeverBePrinted00007";
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "campaignctl-comment-cli-"));
  cpSync(join(ROOT, "examples", "postcard"), join(dir, "postcard"), { recursive: true });
  writeFileSync(join(dir, "push.json"), JSON.stringify({ ref: "refs/heads/main" }));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (env: Record<string, string>) =>
  spawnCli(["plan", "--sandbox", "--comment", "postcard"], {
    cwd: dir,
    env: {
      LOB_API_KEY: "",
      GITHUB_TOKEN: "",
      GITHUB_REPOSITORY: "",
      GITHUB_EVENT_PATH: "",
      GITHUB_API_URL: "",
      ...env,
    },
  });

describe("plan --comment outside a pull request", () => {
  it("names the missing variables and how to set them", async () => {
    const result = await run({});
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(
      "Error: plan --comment needs GITHUB_TOKEN, GITHUB_REPOSITORY, GITHUB_EVENT_PATH (set in a GitHub Actions run)",
    );
    expect(result.stderr).toContain("hint: run it in a GitHub Actions job triggered by 'pull_request'");
    expect(result.stdout).toBe("");
  });

  it("refuses a push event, before planning, without a stack trace or the token", async () => {
    const result = await run({
      GITHUB_TOKEN: TOKEN,
      GITHUB_REPOSITORY: "acme/mail",
      GITHUB_EVENT_NAME: "push",
      GITHUB_EVENT_PATH: join(dir, "push.json"),
    });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(
      "Error: plan --comment comments on a pull request, but this run was triggered by a 'push' event",
    );
    expect(result.stdout).toBe("");
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(result.stdout + result.stderr).not.toContain(TOKEN);
  });
});
