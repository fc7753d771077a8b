import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { runCli } from "../../src/cli/run.js";

// Obviously fake (not hex): tests check that this exact string never appears in any output.
export const TEST_API_KEY = "test_fakeKeyForCampaignctlTests";

const EXAMPLE = new URL("../../examples/postcard/", import.meta.url);

export interface Workspace {
  readonly dir: string;
  /** Path of manifest `key`.yaml inside dir. */
  manifest(key: string): string;
  /** Add a campaign manifest derived from the postcard example. */
  addCampaign(key: string, edit?: (yaml: string) => string): string;
  editCampaign(key: string, edit: (yaml: string) => string): void;
  cleanup(): void;
}

/** A temp dir holding copies of the postcard example's artwork and audience, and manifests per key. */
export function makeWorkspace(): Workspace {
  const dir = mkdtempSync(join(tmpdir(), "campaignctl-ws-"));
  cpSync(new URL("front.html", EXAMPLE), join(dir, "front.html"));
  cpSync(new URL("audience.csv", EXAMPLE), join(dir, "audience.csv"));
  const base = readFileSync(new URL("campaign.yaml", EXAMPLE), "utf8").replace(
    /^# yaml-language-server.*\n/,
    "",
  );
  const manifest = (key: string) => join(dir, `${key}.yaml`);
  return {
    dir,
    manifest,
    addCampaign(key, edit = (y) => y) {
      const yaml = edit(
        base.replace("key: spring-promo", `key: ${key}`).replace("name: Spring Promo 2026", `name: ${key}`),
      );
      writeFileSync(manifest(key), yaml);
      return manifest(key);
    },
    editCampaign(key, edit) {
      writeFileSync(manifest(key), edit(readFileSync(manifest(key), "utf8")));
    },
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const enableSend = (yaml: string) => yaml.replace("enabled: false", "enabled: true");

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Run the CLI in this process (fast); spawned-binary tests live in test/e2e. */
export async function runInProcess(
  argv: string[],
  opts: { cwd: string; env: Record<string, string> },
): Promise<CliRun> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (c: Buffer) => (out += c.toString()));
  stderr.on("data", (c: Buffer) => (err += c.toString()));
  const code = await runCli({
    argv,
    env: opts.env,
    cwd: opts.cwd,
    stdout,
    stderr,
    stdin: new PassThrough(),
    interactive: false,
    color: false,
  });
  return { code, stdout: out, stderr: err };
}

/** Every cell of an audience CSV (naively split: the example has no quoted commas), for leak checks. */
export function audienceCells(file: string): string[] {
  const [, ...rows] = readFileSync(file, "utf8").trim().split(/\r?\n/);
  return rows.flatMap((r) => r.split(",")).filter((cell) => cell.length >= 4);
}
