import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/run.js";

function captureRun(argv: string[]) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (c: Buffer) => (out += c.toString()));
  stderr.on("data", (c: Buffer) => (err += c.toString()));
  return runCli({
    argv,
    env: {},
    cwd: process.cwd(),
    stdout,
    stderr,
    stdin: new PassThrough(),
    interactive: false,
    color: false,
  }).then((code) => ({ code, out, err }));
}

describe("runCli", () => {
  it("prints the version from package.json", async () => {
    const { code, out } = await captureRun(["--version"]);
    expect(code).toBe(0);
    expect(out).toMatch(/^campaignctl \d+\.\d+\.\d+\n$/);
  });

  it("lists every command in --help", async () => {
    const { code, out } = await captureRun(["--help"]);
    expect(code).toBe(0);
    for (const name of ["validate", "plan", "apply", "destroy", "show", "failures", "schema", "emulator"]) {
      expect(out).toContain(`  ${name}`);
    }
  });

  it("rejects an unknown command with exit 1 and a hint, without a stack trace", async () => {
    const { code, err } = await captureRun(["deploy"]);
    expect(code).toBe(1);
    expect(err).toContain("unknown command 'deploy'");
    expect(err).toContain("hint:");
    expect(err).not.toMatch(/\n\s+at /);
  });

  it("rejects an unknown option with exit 1", async () => {
    const { code, err } = await captureRun(["schema", "--bogus"]);
    expect(code).toBe(1);
    expect(err).toContain("--bogus");
  });
});
