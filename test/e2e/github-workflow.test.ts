/**
 * The pull-request workflow end to end, without GitHub: the steps of action.yml run by bash as
 * the runner runs them (inputs as INPUT_* variables, GITHUB_* set as Actions sets them), the
 * built CLI against the Lob emulator, and the GitHub REST double for the sticky comment. Each
 * "run" works in its own checkout; the state is shared, as the Postgres state of the example
 * workflows is. The plan artifact is a file copied from the pull request's run to the merge run.
 */
import { execa } from "execa";
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { parse } from "yaml";
import { useEmulator } from "../support/emulator.js";
import { githubContractViolations } from "../support/github-contract.js";
import { startGitHubDouble, type GitHubDouble } from "../support/github-double.js";
import { TEST_API_KEY } from "../support/workspace.js";
import { BIN } from "./cli.js";

vi.setConfig({ testTimeout: 120_000 });

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const TOKEN = "ghs_simulatedWorkflowTokenNeverPrinted42";
const LOB_KEY = `${TEST_API_KEY}workflow`;
const REPO = "acme/mail";
const ACTION = parse(readFileSync(join(ROOT, "action.yml"), "utf8")) as {
  runs: { steps: { run: string; env?: Record<string, string> }[] };
};

const emulator = useEmulator({ processingRowsPerSecond: 1_000_000, rateLimit: false });
let gh: GitHubDouble;
let base: string;
let runs = 0;
/** Everything any run printed or wrote, to check that no token or key ever appears. */
const outputs: string[] = [];

beforeAll(async () => {
  gh = await startGitHubDouble({ token: TOKEN });
  base = mkdtempSync(join(tmpdir(), "campaignctl-workflow-"));
});
afterAll(async () => {
  await gh.close();
  rmSync(base, { recursive: true, force: true });
});

/** A checkout of the repository holding the campaigns `keys` (postcards like examples/postcard). */
function checkout(keys: readonly string[], names: Record<string, string> = {}): string {
  const dir = join(base, `checkout-${(runs += 1)}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, "campaignctl.yaml"),
    // The shared state: one file for every run here, as one database is in the example workflows.
    `version: 1\nproject: mail\nmanifests:\n  - campaigns/*/campaign.yaml\nstate: ${JSON.stringify(join(base, "state.json"))}\n`,
  );
  for (const key of keys) {
    const folder = join(dir, "campaigns", key);
    cpSync(join(ROOT, "examples/postcard"), folder, { recursive: true });
    const yaml = readFileSync(join(folder, "campaign.yaml"), "utf8")
      .replace("key: spring-promo", `key: ${key}`)
      .replace("name: Spring Promo 2026", `name: ${names[key] ?? key}`);
    writeFileSync(join(folder, "campaign.yaml"), yaml);
  }
  // The package the lock file pins, as `npm ci` leaves it: its bin runs the built CLI.
  mkdirSync(join(dir, "node_modules/.bin"), { recursive: true });
  writeFileSync(join(dir, "package.json"), '{ "name": "mail", "private": true }\n');
  writeFileSync(join(dir, "package-lock.json"), '{ "name": "mail", "lockfileVersion": 3, "packages": {} }\n');
  const shim = join(dir, "node_modules/.bin/campaignctl");
  writeFileSync(shim, `#!/bin/sh\nexec node ${JSON.stringify(BIN)} "$@"\n`);
  chmodSync(shim, 0o755);
  return dir;
}

interface PullRequest {
  readonly number: number;
  readonly fork?: boolean;
}

interface StepRun {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly outputs: Record<string, string>;
  readonly summary: string;
}

/** Runs action.yml's steps in `dir` with `inputs`, for a pull_request event or a push. */
async function runAction(
  dir: string,
  inputs: Record<string, string>,
  event: { pr?: PullRequest },
): Promise<StepRun> {
  const eventPath = join(dir, "event.json");
  const pr = event.pr;
  writeFileSync(
    eventPath,
    JSON.stringify(
      pr
        ? {
            action: "synchronize",
            number: pr.number,
            pull_request: {
              number: pr.number,
              head: { repo: { full_name: pr.fork ? "someone/mail" : REPO } },
              base: { repo: { full_name: REPO } },
            },
          }
        : { ref: "refs/heads/main" },
    ),
  );
  const files = { output: join(dir, "github-output"), summary: join(dir, "step-summary.md") };
  writeFileSync(files.output, "");
  writeFileSync(files.summary, "");
  const all: Record<string, string> = {
    command: "",
    paths: "",
    state: "",
    "allow-send": "false",
    comment: "false",
    "plan-file": "",
    "working-directory": ".",
    "github-token": TOKEN,
    ...inputs,
  };
  let last: StepRun | undefined;
  for (const step of ACTION.runs.steps) {
    // The runner evaluates `${{ inputs.x }}` in the step's env; the script sees only variables.
    const stepEnv = Object.fromEntries(
      Object.entries(step.env ?? {}).map(([name, value]) => [
        name,
        value.replace(/\$\{\{\s*inputs\.([\w-]+)\s*\}\}/g, (_m, input: string) => all[input] ?? ""),
      ]),
    );
    // `shell: bash` on the runner is `bash --noprofile --norc -eo pipefail {0}`.
    const result = await execa("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", step.run], {
      cwd: dir,
      reject: false,
      stdin: "ignore",
      timeout: 90_000,
      env: {
        FORCE_COLOR: undefined,
        NO_COLOR: "1",
        CI: "true",
        GITHUB_ACTIONS: "true",
        GITHUB_REPOSITORY: REPO,
        GITHUB_EVENT_NAME: pr ? "pull_request" : "push",
        GITHUB_EVENT_PATH: eventPath,
        GITHUB_API_URL: gh.url,
        GITHUB_OUTPUT: files.output,
        GITHUB_STEP_SUMMARY: files.summary,
        GITHUB_WORKSPACE: dir,
        LOB_API_KEY: LOB_KEY,
        LOB_API_URL: emulator.url,
        npm_config_update_notifier: "false",
        ...stepEnv,
      },
      extendEnv: true,
    });
    last = {
      exitCode: result.exitCode ?? -1,
      stdout: String(result.stdout),
      stderr: String(result.stderr),
      outputs: Object.fromEntries(
        readFileSync(files.output, "utf8")
          .split("\n")
          .filter((line) => line.includes("="))
          .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
      ),
      summary: readFileSync(files.summary, "utf8"),
    };
    outputs.push(last.stdout, last.stderr, last.summary);
    if (last.exitCode !== 0) break;
  }
  return last!;
}

/** plan-on-pull-request.yml's steps: validate, plan --out --comment, upload the plan (returned). */
async function planOnPullRequest(dir: string, pr: PullRequest): Promise<{ plan: StepRun; artifact: string }> {
  const validate = await runAction(dir, { command: "validate" }, { pr });
  expect(validate.exitCode, validate.stderr).toBe(0);
  const plan = await runAction(
    dir,
    { command: "plan", "plan-file": "campaignctl-plan.json", comment: "true" },
    { pr },
  );
  const artifact = join(base, `artifact-pr${pr.number}-${runs}.json`);
  if (existsSync(join(dir, "campaignctl-plan.json"))) cpSync(join(dir, "campaignctl-plan.json"), artifact);
  return { plan, artifact };
}

/** apply-on-merge.yml's apply job: download the reviewed plan, apply exactly it. */
async function applyOnMerge(dir: string, artifact: string): Promise<StepRun> {
  mkdirSync(join(dir, "reviewed"), { recursive: true });
  cpSync(artifact, join(dir, "reviewed/campaignctl-plan.json"));
  return runAction(
    dir,
    { command: "apply", "plan-file": "reviewed/campaignctl-plan.json", "allow-send": "true" },
    {},
  );
}

const commentsOn = (issue: number) =>
  gh.comments.filter((c) => c.issue === issue && c.body.startsWith("<!-- campaignctl-plan"));
const stateKeys = () =>
  Object.keys(
    (JSON.parse(readFileSync(join(base, "state.json"), "utf8")) as { campaigns: Record<string, unknown> })
      .campaigns,
  ).sort();

describe("the pull-request workflow, simulated", () => {
  it("PR opened → one comment; PR updated → the same comment; merge → the reviewed plan applied", async () => {
    const opened = await planOnPullRequest(checkout(["spring"]), { number: 1 });
    expect(opened.plan.exitCode, opened.plan.stderr).toBe(0);
    expect(opened.plan.stderr).toMatch(/Plan comment created: /);
    expect(commentsOn(1)).toHaveLength(1);
    expect(commentsOn(1)[0]!.body).toContain("project=mail scope=project");

    const updated = await planOnPullRequest(checkout(["spring"], { spring: "Spring Promo, reworded" }), {
      number: 1,
    });
    expect(updated.plan.exitCode, updated.plan.stderr).toBe(0);
    expect(updated.plan.stderr).toMatch(/Plan comment updated: /);
    expect(commentsOn(1)).toHaveLength(1);
    expect(commentsOn(1)[0]!.body).toContain("spring");
    expect(gh.exchanges.filter((e) => e.method === "PATCH")).toHaveLength(1);

    const merged = await applyOnMerge(
      checkout(["spring"], { spring: "Spring Promo, reworded" }),
      updated.artifact,
    );
    expect(merged.exitCode, merged.stderr).toBe(0);
    expect(merged.outputs["exit-code"]).toBe("0");
    expect(stateKeys()).toEqual(["spring"]);
  });

  it("a second PR merged first: the first's plan is refused as stale, with the summary saying so; re-plan, apply", async () => {
    const prB = await planOnPullRequest(checkout(["spring", "autumn"]), { number: 2 });
    const prC = await planOnPullRequest(checkout(["spring", "winter"]), { number: 3 });
    expect([prB.plan.exitCode, prC.plan.exitCode]).toEqual([0, 0]);
    expect([commentsOn(2).length, commentsOn(3).length]).toEqual([1, 1]);

    const mergedC = await applyOnMerge(checkout(["spring", "winter"]), prC.artifact);
    expect(mergedC.exitCode, mergedC.stderr).toBe(0);

    const main = checkout(["spring", "winter", "autumn"]);
    const mergedB = await applyOnMerge(main, prB.artifact);
    expect(mergedB.exitCode).toBe(1);
    expect(mergedB.stderr).toMatch(/saved plan reviewed\/campaignctl-plan.json is stale/);
    expect(mergedB.outputs.stale, mergedB.stderr).toBe("true");
    expect(mergedB.summary).toMatch(/the reviewed plan is stale, nothing was applied/);
    expect(mergedB.summary).toMatch(/Re-plan, then re-review/);
    expect(mergedB.stdout).toContain("::error title=campaignctl apply::the reviewed plan is stale");
    expect(stateKeys()).toEqual(["spring", "winter"]);

    // apply-on-merge.yml's replan job, then the by-hand run that applies exactly that plan.
    const replanDir = checkout(["spring", "winter", "autumn"]);
    const replan = await runAction(replanDir, { command: "plan", "plan-file": "campaignctl-plan.json" }, {});
    expect(replan.exitCode, replan.stderr).toBe(0);
    const applied = await applyOnMerge(
      checkout(["spring", "winter", "autumn"]),
      join(replanDir, "campaignctl-plan.json"),
    );
    expect(applied.exitCode, applied.stderr).toBe(0);
    expect(stateKeys()).toEqual(["autumn", "spring", "winter"]);
  });

  it("a fork's pull request: no comment, the plan in the job summary, a warning, the plan's exit code kept", async () => {
    gh.readOnly = true;
    try {
      const fork = await planOnPullRequest(checkout(["spring", "winter", "autumn", "fork-idea"]), {
        number: 4,
        fork: true,
      });
      expect(fork.plan.exitCode, fork.plan.stderr).toBe(0);
      expect(fork.plan.outputs["exit-code"]).toBe("0");
      expect(commentsOn(4)).toHaveLength(0);
      expect(fork.plan.summary).toContain("fork-idea");
      // Once: the plan command wrote the summary, the comment's fallback does not add it again.
      const heading = fork.plan.summary.split("\n", 1)[0]!;
      expect(heading).toMatch(/^#/);
      expect(fork.plan.summary.split(heading).length - 1).toBe(1);
      expect(fork.plan.stderr).toMatch(
        /::warning title=campaignctl plan comment::the token may not comment on pull request #4 \(it comes from a fork/,
      );
      expect(existsSync(fork.artifact)).toBe(true);
    } finally {
      gh.readOnly = false;
    }
  });

  it("every GitHub exchange matches GitHub's OpenAPI, and no token or key was ever printed or written", () => {
    expect(gh.exchanges.length).toBeGreaterThan(4);
    expect(githubContractViolations(gh.exchanges)).toEqual([]);
    const written = readdirSync(base, { recursive: true, withFileTypes: true })
      .filter(
        (entry) =>
          entry.isFile() && !entry.parentPath.includes("node_modules") && !entry.name.endsWith(".csv"),
      )
      .map((entry) => readFileSync(join(entry.parentPath, entry.name), "utf8"));
    const everything = [...outputs, ...written, ...gh.comments.map((c) => c.body)].join("\n");
    expect(everything).toContain("campaignctl-plan");
    expect(everything).not.toContain(TOKEN);
    expect(everything).not.toContain(LOB_KEY);
  });
});
