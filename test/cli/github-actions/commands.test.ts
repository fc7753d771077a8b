import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { useEmulator } from "../../support/emulator.js";
import type { Workspace } from "../../support/workspace.js";
import {
  audienceCells,
  enableSend,
  makeWorkspace,
  runInProcess,
  TEST_API_KEY,
} from "../../support/workspace.js";

const FIXTURES = new URL("../../fixtures/manifests/", import.meta.url).pathname;

/** validate, plan and apply under GITHUB_ACTIONS=true: grouped annotations on stderr and a job summary. */
describe("GitHub Actions output", () => {
  let dir: string;
  let summary: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "campaignctl-gha-"));
    summary = join(dir, "step-summary.md");
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const actions = (extra: Record<string, string> = {}) => ({
    GITHUB_ACTIONS: "true",
    GITHUB_STEP_SUMMARY: summary,
    ...extra,
  });

  describe("validate", () => {
    it("annotates row skips as warnings on the CSV and writes a summary, never a cell", async () => {
      const run = await runInProcess(["validate", "csv-bad-rows"], { cwd: FIXTURES, env: actions() });
      expect(run.code).toBe(0);
      const warnings = run.stderr.split("\n").filter((l) => l.startsWith("::warning "));
      expect(warnings).toHaveLength(3);
      expect(warnings[0]).toMatch(
        /^::warning file=csv-bad-rows\/audience.csv,line=3,col=1,title=ROWS_FAILING::1 row will be skipped by Lob/,
      );
      const text = readFileSync(summary, "utf8");
      expect(text).toContain("### campaignctl validate: 1 campaign valid in 1 manifest");
      expect(text).toContain("| `csv-bad-rows` | `csv-bad-rows/audience.csv` | 3 | 1 | 2 |");
      for (const cell of ["Maine", "0410", "Jordan Pike", "Avery Quill"]) {
        expect(run.stderr + text).not.toContain(cell);
      }
    });

    it("annotates errors and does not repeat --format github's own annotations", async () => {
      const run = await runInProcess(["validate", "--format", "github", "duplicate-keys", "csv-bad-rows"], {
        cwd: FIXTURES,
        env: actions(),
      });
      expect(run.code).toBe(1);
      expect(run.stdout).toContain("::error file=duplicate-keys/b.yaml,line=2,col=6,title=DUPLICATE_KEY::");
      expect(run.stderr).not.toContain("::");
      expect(readFileSync(summary, "utf8")).toContain("### campaignctl validate: 1 error");
    });

    it("adds nothing outside GitHub Actions", async () => {
      const run = await runInProcess(["validate", "csv-bad-rows"], {
        cwd: FIXTURES,
        env: { GITHUB_STEP_SUMMARY: summary },
      });
      expect(run.code).toBe(0);
      expect(run.stderr).not.toContain("::");
      expect(existsSync(summary)).toBe(false);
    });
  });

  describe("plan and apply", () => {
    const emulator = useEmulator({ rateLimit: false });
    let ws: Workspace;
    let n = 0;
    let env: Record<string, string>;
    beforeEach(() => {
      ws = makeWorkspace();
      env = { LOB_API_KEY: `${TEST_API_KEY}gha${(n += 1)}`, LOB_API_URL: emulator.url };
    });
    afterEach(() => ws.cleanup());
    const cli = (...argv: string[]) => runInProcess(argv, { cwd: ws.dir, env: { ...env, ...actions() } });

    it("plan: row-skip warnings, the markdown plan in the summary, json stdout left clean", async () => {
      ws.addCampaign("gha-a", enableSend);
      const run = await cli("plan", "--format", "json", ws.dir);
      expect(run.code, run.stderr).toBe(0);
      expect(() => JSON.parse(run.stdout) as unknown).not.toThrow();
      expect(run.stderr).toMatch(
        /^::warning file=audience.csv,line=\d+,col=1,title=ROWS_FAILING::gha-a: \d+ rows? will be skipped by Lob: /m,
      );
      const text = readFileSync(summary, "utf8");
      expect(text).toContain("### campaignctl apply plan");
      expect(text).toContain("> [!CAUTION]");
      expect(text).toContain("**Rows Lob will skip**");
      const leaks = [...audienceCells(join(ws.dir, "audience.csv")), env.LOB_API_KEY!];
      for (const secret of leaks) expect(run.stderr + text).not.toContain(secret);
    });

    it("plan with an invalid manifest: errors annotated at file:line:col and a failure summary", async () => {
      ws.addCampaign("gha-bad", (y) => y.replace("use_type: marketing", "use_type: marketting"));
      const run = await cli("plan", ws.dir);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/^::error file=[^,]*gha-bad\.yaml,line=\d+,col=\d+,title=SCHEMA::/m);
      expect(run.stderr).toMatch(
        /^::error title=campaignctl plan%3A MANIFEST_INVALID::1 error in the manifests/m,
      );
      const text = readFileSync(summary, "utf8");
      expect(text).toContain("### campaignctl plan failed");
      expect(text).toContain("gha-bad.yaml:");
    });

    it("apply: the result and the plan it applied in the summary", async () => {
      ws.addCampaign("gha-c");
      const run = await cli("apply", "--auto-approve", ws.dir);
      expect(run.code, run.stderr).toBe(0);
      const text = readFileSync(summary, "utf8");
      expect(text).toMatch(/^### campaignctl apply: done\n\nApply complete: /);
      expect(text).toContain("| `gha-c` | create |");
    });
  });
});
