import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnCli } from "./cli.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const ESC = "\u001b[";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "campaignctl-flags-"));
  cpSync(join(ROOT, "examples", "postcard"), join(dir, "postcard"), { recursive: true });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (args: string[], env: Record<string, string> = {}) =>
  spawnCli(args, { cwd: dir, env: { LOB_API_KEY: "", LOB_API_URL: "", ...env } });

describe("the built CLI's flags", () => {
  it("an unknown flag gets one plain line, a suggestion and the usage line", async () => {
    const result = await run(["plan", "--sandbx", "postcard"]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain("Error: unknown option '--sandbx' (did you mean --sandbox?)");
    expect(result.stderr).toContain("usage: campaignctl plan [PATH...]");
    expect(result.stderr).not.toContain("To specify a positional argument");
    expect(result.stdout).toBe("");
  });

  it("Terraform's single-dash habits work: -sandbox -detailed-exitcode -out", async () => {
    const result = await run(["plan", "-sandbox", "-detailed-exitcode", "-out", "saved.json", "postcard"]);
    expect(result.exitCode, result.stderr).toBe(2);
    expect(result.stdout).toContain("Plan: 1 to create");
  });

  it("colour follows FORCE_COLOR, and an empty NO_COLOR does not turn forced colour off", async () => {
    const forced = await run(["plan", "--sandbox", "postcard"], { FORCE_COLOR: "1", NO_COLOR: "" });
    expect(forced.exitCode, forced.stderr).toBe(0);
    expect(forced.stdout).toContain(ESC);
    const off = await run(["plan", "--sandbox", "postcard"], { FORCE_COLOR: "0" });
    expect(off.stdout).not.toContain(ESC);
    // Piped, without FORCE_COLOR: plain.
    const piped = await run(["plan", "--sandbox", "postcard"], { NO_COLOR: "" });
    expect(piped.stdout).not.toContain(ESC);
  });

  it("--parallelism 0x10 is a usage error", async () => {
    const result = await run(["apply", "--sandbox", "--parallelism", "0x10", "postcard"]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain("--parallelism '0x10' is not a whole number from 1 to 64");
  });
});
