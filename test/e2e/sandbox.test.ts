import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnCli } from "./cli.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** The README's first quick-start command, minus `npm ci &&` (the test suite is already installed). */
function quickStartArgs(): string[] {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const block = /## Quick start\s+```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? "";
  const first = block.split("\n")[0] ?? "";
  const match = /^npm ci && npx campaignctl (.+)$/.exec(first);
  if (!match) throw new Error(`README quick start's first line has an unexpected shape: ${first}`);
  return match[1]!.split(/\s+/);
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "campaignctl-sandbox-"));
  cpSync(join(ROOT, "examples"), join(dir, "examples"), { recursive: true });
  // As in a clone of this repository: the project file at the root holds the examples together.
  cpSync(join(ROOT, "campaignctl.yaml"), join(dir, "campaignctl.yaml"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (args: string[]) => spawnCli(args, { cwd: dir, env: { LOB_API_KEY: "", LOB_API_URL: "" } });

describe("the embedded sandbox (README quick start)", () => {
  it("applies the examples without a key, says nothing is mailed, and converges", async () => {
    const args = quickStartArgs();
    expect(args).toContain("--sandbox");
    const first = await run(args);
    expect(first.exitCode, first.stderr).toBe(0);
    expect(first.stderr).toContain("Nothing will be printed or mailed");
    expect(first.stdout).toContain("Plan: 3 to create");
    expect(existsSync(join(dir, ".campaignctl/sandbox/state.json"))).toBe(true);

    const paths = args.filter((a) => a.startsWith("examples/"));
    const plan = await run(["plan", "--sandbox", "--detailed-exitcode", ...paths]);
    expect(plan.exitCode, plan.stdout + plan.stderr).toBe(0);
  });

  it("sends with --allow-send, exports the failures, and destroy cancels inside the window", async () => {
    const manifest = join(dir, "examples/postcard/campaign.yaml");
    writeFileSync(manifest, readFileSync(manifest, "utf8").replace("enabled: false", "enabled: true"));
    const sent = await run(["apply", "--sandbox", "--auto-approve", "--allow-send", "examples/postcard"]);
    expect(sent.exitCode, sent.stderr).toBe(0);
    expect(sent.stderr).toMatch(/Scheduled: 10 pieces validated, 2 rows failed \(of 12\)/);

    const failures = await run(["failures", "spring-promo", "--sandbox", "--out", "failed.csv"]);
    expect(failures.exitCode, failures.stderr).toBe(0);
    const csv = readFileSync(join(dir, "failed.csv"), "utf8").trim().split("\n");
    expect(csv[0]).toMatch(/^rowNumber,errorMessage,/);
    expect(csv.slice(1).map((line) => line.split(",")[0])).toEqual(["10", "12"]);
    // The file is the user's own export; campaignctl's output never shows its rows.
    expect(failures.stdout + failures.stderr).not.toContain(csv[1]!.split(",").slice(2).join(","));

    const destroyed = await run(["destroy", "--sandbox", "--auto-approve", "--key", "spring-promo"]);
    expect(destroyed.exitCode, destroyed.stderr).toBe(0);
    expect(destroyed.stdout).toContain("Plan: 0 to delete, 1 to CANCEL, 0 refused.");
  });
});
