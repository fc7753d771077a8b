import path from "node:path";
import { describe, expect, it } from "vitest";
import { resolveStatePath } from "../../src/state/paths.js";

describe("resolveStatePath", () => {
  const cwd = path.resolve("/srv/project");

  it("defaults to .campaignctl/state.json under cwd", () => {
    expect(resolveStatePath({ cwd })).toBe(path.join(cwd, ".campaignctl", "state.json"));
  });

  it("uses the sandbox state with --sandbox", () => {
    expect(resolveStatePath({ cwd, sandbox: true })).toBe(
      path.join(cwd, ".campaignctl", "sandbox", "state.json"),
    );
  });

  it("resolves --state PATH against cwd, and it wins over --sandbox", () => {
    expect(resolveStatePath({ cwd, statePath: "envs/live.json", sandbox: true })).toBe(
      path.join(cwd, "envs", "live.json"),
    );
    const absolute = path.resolve("/elsewhere/state.json");
    expect(resolveStatePath({ cwd, statePath: absolute })).toBe(absolute);
  });
});
