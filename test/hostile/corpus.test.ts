import { execa } from "execa";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { BIN } from "../e2e/cli.js";
import type { HostileCase } from "./cases.js";
import { BASE_FRONT, BASE_MANIFEST, CASES, KEY, PLANTED, ROWS, csv } from "./cases.js";

/**
 * Runs the hostile corpus (cases.ts) through the built CLI, a few processes at a time. Each case
 * fails on: a different exit code, exit 3 (a bug), a run over 10 s (a hang), the expected message
 * missing, or a planted recipient cell (PLANTED), the API key or a case's secret appearing in
 * stdout, stderr or any file under .campaignctl/ — except the sandbox emulator's own store
 * (.campaignctl/sandbox/emulator/), which plays Lob and so holds the uploaded audience.
 */

const RUN_LIMIT_MS = 10_000;
const PARALLEL = 4;
const ROOT = mkdtempSync(join(tmpdir(), "cchostile"));
afterAll(() => rmSync(ROOT, { recursive: true, force: true }));

let running = 0;
const waiting: (() => void)[] = [];
async function limited<T>(work: () => Promise<T>): Promise<T> {
  if (running >= PARALLEL) await new Promise<void>((resolve) => waiting.push(resolve));
  running++;
  try {
    return await work();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

function writeProject(testCase: HostileCase, index: number): { project: string; outside: string } {
  const base = join(ROOT, `c${index}`);
  const project = join(base, "project");
  const outside = join(base, "outside");
  mkdirSync(project, { recursive: true });
  mkdirSync(outside, { recursive: true });
  // Outside the project: recipients and a file holding the key, which nothing may read.
  writeFileSync(join(outside, "outside.csv"), csv(ROWS));
  writeFileSync(join(outside, "secret.html"), `<html>${KEY} ${PLANTED}</html>\n`);
  const manifest = (testCase.manifest ? testCase.manifest(BASE_MANIFEST) : BASE_MANIFEST).replaceAll(
    "OUTSIDE/",
    `${outside}/`,
  );
  const files: Record<string, string | Buffer | null> = {
    "campaign.yaml": manifest,
    "front.html": BASE_FRONT,
    "audience.csv": csv(ROWS),
    ...testCase.files,
  };
  if (testCase.files?.["campaign.yaml"] !== undefined)
    files["campaign.yaml"] = testCase.files["campaign.yaml"];
  for (const [name, content] of Object.entries(files)) {
    if (content === null) continue;
    mkdirSync(dirname(join(project, name)), { recursive: true });
    writeFileSync(join(project, name), content);
  }
  testCase.setup?.(project, outside);
  return { project, outside };
}

/** Every file under .campaignctl/ but the emulator's store, as [relative path, text]. */
function writtenFiles(project: string): [string, string][] {
  const root = join(project, ".campaignctl");
  const out: [string, string][] = [];
  const walk = (dir: string): void => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const path = join(dir, entry.name);
      const rel = relative(root, path);
      if (rel === join("sandbox", "emulator")) continue;
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) out.push([rel, readFileSync(path).toString("latin1")]);
    }
  };
  walk(root);
  return out;
}

describe("hostile corpus", () => {
  it("has at least 120 cases with unique names", () => {
    expect(CASES.length).toBeGreaterThanOrEqual(120);
    expect(new Set(CASES.map((c) => c.name)).size).toBe(CASES.length);
  });

  describe.concurrent("through the built CLI", () => {
    CASES.forEach((testCase, index) => {
      it(testCase.name, async () => {
        const { project } = writeProject(testCase, index);
        const args = testCase.args ?? ["validate"];
        const started = Date.now();
        const result = await limited(() =>
          execa("node", [BIN, ...args], {
            cwd: project,
            env: { NO_COLOR: "1", LOB_API_KEY: KEY, ...testCase.env },
            extendEnv: true,
            reject: false,
            timeout: RUN_LIMIT_MS,
            stdin: "ignore",
            maxBuffer: 64 * 1024 * 1024,
          }),
        );
        const elapsed = Date.now() - started;
        const output = `${String(result.stdout)}\n${String(result.stderr)}`;
        const shown = output.length > 4000 ? `${output.slice(0, 4000)}…` : output;
        expect(result.timedOut, `hung: no exit within ${RUN_LIMIT_MS} ms`).toBe(false);
        expect(elapsed, "ran over 10 s").toBeLessThan(RUN_LIMIT_MS);
        expect(result.exitCode, `exit 3 is a bug:\n${shown}`).not.toBe(3);
        expect(result.exitCode, shown).toBe(testCase.exit);
        if (testCase.expect !== undefined) {
          if (typeof testCase.expect === "string") expect(output).toContain(testCase.expect);
          else expect(output).toMatch(testCase.expect);
        }
        if (testCase.maxOutputChars !== undefined)
          expect(output.length).toBeLessThan(testCase.maxOutputChars);
        const forbidden = [PLANTED, KEY, ...(testCase.secrets ?? [])];
        for (const secret of forbidden) {
          expect(output.includes(secret), `'${secret}' in the output:\n${shown}`).toBe(false);
          for (const [file, text] of writtenFiles(project)) {
            expect(text.includes(secret), `'${secret}' in .campaignctl/${file}`).toBe(false);
          }
        }
      });
    });
  });
});
