import { describe, expect, it } from "vitest";
import { parseCommandArgs } from "../../src/cli/args.js";
import { colorEnabled } from "../../src/cli/color.js";
import type { CommandSpec } from "../../src/cli/context.js";
import { parallelismFrom, parseDuration } from "../../src/cli/options.js";
import type { CampaignctlError } from "../../src/core/errors.js";

const command: CommandSpec = {
  name: "plan",
  summary: "test",
  usage: "campaignctl plan [PATH...] [--sandbox] [--out FILE]",
  options: {
    sandbox: { type: "boolean", description: "" },
    out: { type: "string", valueName: "FILE", description: "" },
    "auto-approve": { type: "boolean", description: "" },
    "detailed-exitcode": { type: "boolean", description: "" },
    key: { type: "string", multiple: true, description: "" },
    yes: { type: "boolean", short: "y", description: "" },
    format: { type: "string", default: "text", description: "" },
  },
  allowPositionals: true,
  run: () => Promise.resolve(0),
};

function failure(args: string[], spec: CommandSpec = command): CampaignctlError {
  try {
    parseCommandArgs(spec, args);
  } catch (error) {
    return error as CampaignctlError;
  }
  throw new Error(`expected ${args.join(" ")} to be refused`);
}

describe("parseCommandArgs", () => {
  it("names an unknown option, suggests the closest one and shows the usage line", () => {
    const error = failure(["--sandbx"]);
    expect(error.code).toBe("USAGE");
    expect(error.message).toBe("unknown option '--sandbx' (did you mean --sandbox?)");
    expect(error.hint).toContain("usage: campaignctl plan [PATH...] [--sandbox] [--out FILE]");
    expect(`${error.message}${error.hint}`).not.toContain("To specify a positional");
  });

  it("does not guess when nothing is close", () => {
    expect(failure(["--frobnicate"]).message).toBe("unknown option '--frobnicate'");
    expect(failure(["-q"]).message).toBe("unknown option '-q'");
  });

  it("accepts Terraform's single-dash long options", () => {
    const { values, positionals } = parseCommandArgs(command, [
      "-out",
      "plan.json",
      "-auto-approve",
      "-detailed-exitcode",
      "-key=a",
      "--key",
      "b",
      "dir",
    ]);
    expect(values).toMatchObject({
      out: "plan.json",
      "auto-approve": true,
      "detailed-exitcode": true,
      key: ["a", "b"],
      format: "text",
    });
    expect(positionals).toEqual(["dir"]);
    expect(parseCommandArgs(command, ["-out=x.json"]).values.out).toBe("x.json");
    expect(parseCommandArgs(command, ["-y"]).values.yes).toBe(true);
    expect(failure(["-sandbx"]).message).toBe("unknown option '-sandbx' (did you mean --sandbox?)");
  });

  it("takes a value that starts with a dash, and keeps arguments after --", () => {
    expect(parseCommandArgs(command, ["--out", "-weird.json"]).values.out).toBe("-weird.json");
    expect(parseCommandArgs(command, ["--", "--not-an-option"]).positionals).toEqual(["--not-an-option"]);
  });

  it("explains a missing value, a value given to a switch, and a stray argument in plain words", () => {
    expect(failure(["--out"]).message).toBe("option '--out' needs a value (--out FILE)");
    expect(failure(["--sandbox=yes"]).message).toBe("option '--sandbox' takes no value");
    const noPaths = { ...command, name: "status", allowPositionals: false };
    expect(failure(["extra"], noPaths).message).toBe(
      "unexpected argument 'extra': status takes no paths or other arguments",
    );
  });
});

describe("colorEnabled", () => {
  const both = { stdout: true, stderr: true };
  const piped = { stdout: false, stderr: true };
  it.each([
    [{}, both, true],
    [{}, piped, false],
    [{ NO_COLOR: "1" }, both, false],
    // no-color.org: an empty NO_COLOR does not disable colour.
    [{ NO_COLOR: "" }, both, true],
    [{ FORCE_COLOR: "1" }, piped, true],
    [{ FORCE_COLOR: "" }, piped, true],
    [{ FORCE_COLOR: "0" }, both, false],
    [{ FORCE_COLOR: "false" }, both, false],
    [{ FORCE_COLOR: "1", NO_COLOR: "1" }, piped, true],
  ])("%j on %j → %s", (env, terminals, expected) => {
    expect(colorEnabled(env, terminals)).toBe(expected);
  });
});

describe("numeric flags", () => {
  it.each(["0x10", "1e1", "0b11", " 8", "8.0", "-1", "0", "65", ""])(
    "--parallelism %j is refused",
    (text) => {
      expect(() => parallelismFrom(text)).toThrow(/--parallelism/);
    },
  );

  it("--parallelism takes plain decimal whole numbers", () => {
    expect(parallelismFrom("16")).toEqual({ parallelism: 16 });
    expect(parallelismFrom(undefined)).toEqual({});
  });

  it("--lock-timeout: units, and a bare number means seconds", () => {
    expect(parseDuration("30", "--lock-timeout")).toBe(30_000);
    expect(parseDuration("30s", "--lock-timeout")).toBe(30_000);
    expect(parseDuration("2m", "--lock-timeout")).toBe(120_000);
    expect(parseDuration("500ms", "--lock-timeout")).toBe(500);
    let hint: string | undefined;
    try {
      parseDuration("2 minutes", "--lock-timeout");
    } catch (error) {
      hint = (error as CampaignctlError).hint;
    }
    expect(hint).toContain("a bare number is seconds");
  });
});
