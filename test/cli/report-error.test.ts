import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { reportError } from "../../src/cli/run.js";
import { CampaignctlError, internalError } from "../../src/core/errors.js";

function report(error: unknown): { code: number; err: string } {
  const stderr = new PassThrough();
  let err = "";
  stderr.on("data", (c: Buffer) => (err += c.toString()));
  const code = reportError(error, {
    argv: [],
    env: {},
    cwd: process.cwd(),
    stdout: new PassThrough(),
    stderr,
    stdin: new PassThrough(),
    interactive: false,
    color: false,
  });
  return { code, err };
}

describe("reportError", () => {
  it("a broken invariant is a bug: exit 3 and says so, without a stack", () => {
    const { code, err } = report(internalError("'spring' has no upload id at the file step"));
    expect(code).toBe(3);
    expect(err).toContain(
      "Internal error (this is a bug in campaignctl): 'spring' has no upload id at the file step",
    );
    expect(err).toContain("hint: please report it");
    expect(err).not.toMatch(/\n\s+at /);
  });

  it("a user's error is exit 1 with its hint", () => {
    const { code, err } = report(
      new CampaignctlError({ code: "USAGE", message: "no such key 'x'", hint: "known keys: a" }),
    );
    expect(code).toBe(1);
    expect(err).toBe("Error: no such key 'x'\n  hint: known keys: a\n");
  });

  it("any other exception is a bug too (exit 3)", () => {
    expect(report(new TypeError("x is undefined")).code).toBe(3);
  });
});
