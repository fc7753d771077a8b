/**
 * action.yml and the ready-made workflows in examples/github/: checked by a real validator
 * (@action-validator/core, GitHub's published schemas for action and workflow files), then for
 * what they must do: the permissions each needs, the plan artifact handed from one to the other,
 * the gates, and inputs that never reach a shell script except through the environment.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { validateAction, validateWorkflow } from "@action-validator/core";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const read = (path: string) => readFileSync(join(ROOT, path), "utf8");
const ACTION_TEXT = read("action.yml");
const PLAN_TEXT = read("examples/github/plan-on-pull-request.yml");
const APPLY_TEXT = read("examples/github/apply-on-merge.yml");

type Obj = Record<string, unknown>;
interface Step {
  name?: string;
  uses?: string;
  run?: string;
  with?: Obj;
  env?: Obj;
  id?: string;
}
interface Job {
  steps: Step[];
  environment?: string;
  if?: string;
  needs?: string;
}
const action = parse(ACTION_TEXT) as { inputs: Obj; runs: { using: string; steps: Step[] } };
const planFlow = parse(PLAN_TEXT) as { permissions: Obj; jobs: Record<string, Job>; on: Obj };
const applyFlow = parse(APPLY_TEXT) as {
  permissions: Obj;
  jobs: Record<string, Job>;
  concurrency: Obj;
  on: Obj;
};

const ourAction = (job: Job) => job.steps.filter((s) => s.uses === "./node_modules/campaignctl");

describe("validated by @action-validator/core", () => {
  it.each([
    ["examples/github/plan-on-pull-request.yml", PLAN_TEXT],
    ["examples/github/apply-on-merge.yml", APPLY_TEXT],
  ])("%s is a valid workflow", (_name, text) => {
    expect(validateWorkflow(text).errors).toEqual([]);
  });

  it("action.yml is a valid action", () => {
    expect(validateAction(ACTION_TEXT).errors).toEqual([]);
  });

  it("the validator rejects what GitHub would (it can fail)", () => {
    expect(validateWorkflow(PLAN_TEXT.replace("runs-on:", "runs_on:")).errors).not.toEqual([]);
    expect(validateAction(ACTION_TEXT.replace("using: composite", "using: compost")).errors).not.toEqual([]);
  });
});

describe("action.yml", () => {
  it("has the inputs workflows rely on, and uses only declared ones", () => {
    expect(Object.keys(action.inputs)).toEqual(
      expect.arrayContaining(["command", "paths", "state", "allow-send", "comment", "working-directory"]),
    );
    const used = [...ACTION_TEXT.matchAll(/\$\{\{\s*inputs\.([\w-]+)\s*\}\}/g)].map((m) => m[1]);
    expect(used.filter((name) => !(name! in action.inputs))).toEqual([]);
  });

  it("never pastes an input into a script (no shell injection): inputs arrive as environment variables", () => {
    for (const step of action.runs.steps) {
      expect(step.run ?? "", step.name).not.toMatch(/\$\{\{/);
    }
  });

  it("installs only what the lock file pins and runs that campaignctl", () => {
    const scripts = action.runs.steps.map((s) => s.run ?? "").join("\n");
    expect(scripts).toMatch(/\bnpm ci\b/);
    expect(scripts).toMatch(/npx --no-install campaignctl/);
    expect(scripts).not.toMatch(/npm (install|i) |npx (?!--no-install)|curl |wget /);
    // `uses: ./node_modules/campaignctl` needs action.yml in the published package.
    expect((JSON.parse(read("package.json")) as { files: string[] }).files).toContain("action.yml");
  });

  it("its scripts are valid bash", () => {
    for (const step of action.runs.steps) {
      if (step.run) execFileSync("bash", ["-n", "-c", step.run]);
    }
  });
});

describe("examples/github/plan-on-pull-request.yml", () => {
  const job = planFlow.jobs.plan!;
  it("runs on pull requests with the comment's permission", () => {
    expect(Object.keys(planFlow.on)).toEqual(["pull_request"]);
    expect(planFlow.permissions).toMatchObject({ "pull-requests": "write", contents: "read" });
  });

  it("validates, plans with --out and --comment, and uploads the plan file", () => {
    const [validate, plan] = ourAction(job);
    expect(validate?.with).toMatchObject({ command: "validate" });
    expect(plan?.with).toMatchObject({ command: "plan", comment: true });
    const file = plan?.with?.["plan-file"];
    expect(typeof file).toBe("string");
    const upload = job.steps.find(
      (s) => s.uses?.startsWith("actions/upload-artifact@") && s.with?.name === "campaignctl-plan",
    );
    expect(upload?.with).toMatchObject({ name: "campaignctl-plan", path: file });
    expect(job.steps.indexOf(upload!)).toBeGreaterThan(job.steps.indexOf(plan!));
  });

  it("renders redacted proofs of the changed creatives before the plan, uploads them, and names them to the comment", () => {
    const [, plan] = ourAction(job);
    const proofs = job.steps.find((s) => s.run?.includes("campaignctl proof"));
    expect(proofs?.run).toContain("--redact");
    expect(proofs?.run).toContain("CAMPAIGNCTL_PROOFS_ARTIFACT=campaignctl-proofs");
    expect(job.steps.indexOf(proofs!)).toBeLessThan(job.steps.indexOf(plan!));
    const upload = job.steps.find(
      (s) => s.uses?.startsWith("actions/upload-artifact@") && s.with?.name === "campaignctl-proofs",
    );
    expect(upload?.with).toMatchObject({ path: "campaignctl-proofs" });
  });

  it("passes our action only inputs it declares", () => {
    for (const step of [...ourAction(job), ...Object.values(applyFlow.jobs).flatMap(ourAction)]) {
      expect(Object.keys(step.with ?? {}).filter((k) => !(k in action.inputs))).toEqual([]);
    }
  });
});

describe("examples/github/apply-on-merge.yml", () => {
  const apply = applyFlow.jobs.apply!;
  it("applies exactly the reviewed plan artifact of the pull request's run", () => {
    expect(applyFlow.permissions).toMatchObject({ actions: "read", contents: "read" });
    const download = apply.steps.find((s) => s.uses?.startsWith("actions/download-artifact@"));
    expect(download?.with).toMatchObject({ name: "campaignctl-plan", "github-token": "${{ github.token }}" });
    expect(String(download?.with?.["run-id"])).toContain("needs.reviewed-plan.outputs.run-id");
    const [step] = ourAction(apply);
    const planFile = (parse(PLAN_TEXT) as typeof planFlow).jobs.plan!.steps.find((s) => s.with?.comment)
      ?.with?.["plan-file"];
    expect(step?.with).toMatchObject({
      command: "apply",
      "plan-file": `${String(download?.with?.path)}/${String(planFile)}`,
    });
  });

  it("one apply at a time per project, never cancelled midway; live sends behind an environment", () => {
    expect(applyFlow.concurrency).toMatchObject({ "cancel-in-progress": false });
    expect(String(applyFlow.concurrency.group)).toMatch(/^campaignctl-apply-/);
    expect(apply.environment).toBeTruthy();
    expect(ourAction(apply)[0]?.with?.["allow-send"]).toBe(true);
    // The state comes from a secret, through the action's `state` input (CAMPAIGNCTL_STATE).
    expect(ourAction(apply)[0]?.with?.state).toBe("${{ secrets.CAMPAIGNCTL_STATE }}");
  });

  it("without a reviewed plan it re-plans for review instead of applying", () => {
    const replan = applyFlow.jobs.replan!;
    expect(replan.if).toBe("needs.reviewed-plan.outputs.run-id == ''");
    expect(apply.if).toBe("needs.reviewed-plan.outputs.run-id != ''");
    expect(ourAction(replan)[0]?.with).toMatchObject({ command: "plan" });
    expect(Object.keys(applyFlow.on)).toEqual(["push", "workflow_dispatch"]);
  });
});
